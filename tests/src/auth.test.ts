// Guest login and the login cookie, against the real server and database.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TMeResponse } from "@kubelab/shared";
import { useKubelab } from "./support/lab-fixture";

describe("guest login", () => {
  const lab = useKubelab();

  it("logs a guest in with an HttpOnly, SameSite=Lax cookie and knows them on /api/me", async () => {
    const client = lab.server.client();
    assert.equal((await client.request("GET", "/api/me")).status, 401);
    const res = await client.request<TMeResponse>("POST", "/api/auth/guest", { name: "  Zoë Ünicode  " });
    assert.equal(res.status, 200);
    assert.equal(res.body.name, "Zoë Ünicode");
    assert.equal(res.body.role, "attendee");
    const cookie = res.headers.getSetCookie()[0] ?? "";
    assert.match(cookie, /^kubelab_session=[A-Za-z0-9_-]{43};/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.doesNotMatch(cookie, /Secure/, "plain http must not set Secure, or browsers drop the cookie");
    const me = await client.request<TMeResponse>("GET", "/api/me");
    assert.equal(me.status, 200);
    assert.equal(me.body.id, res.body.id);
  });

  it("logout invalidates the login on the server, not just in the browser", async () => {
    const client = lab.server.client();
    await client.loginAsGuest("Ken");
    const stolen = lab.server.client();
    Object.assign(stolen, { cookie: (client as unknown as { cookie: string }).cookie });
    assert.equal((await stolen.request("GET", "/api/me")).status, 200);
    assert.equal((await client.request("POST", "/api/auth/logout")).status, 204);
    assert.equal((await stolen.request("GET", "/api/me")).status, 401);
  });

  it("rejects bad names and unknown fields with 400 bad_request", async () => {
    const client = lab.server.client();
    for (const body of [
      {},
      { name: "" },
      { name: "   " },
      { name: "x".repeat(65) },
      { name: "a\u0007b" },
      { name: "Eve", role: "admin" },
      { name: 7 },
    ]) {
      const res = await client.request<{ error: { code: string } }>("POST", "/api/auth/guest", body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, "bad_request");
    }
    assert.equal((await client.request("GET", "/api/me")).status, 401);
  });

  it("an unknown or forged cookie is 401", async () => {
    const client = lab.server.client();
    Object.assign(client, { cookie: "kubelab_session=forged" });
    const res = await client.request<{ error: { code: string } }>("GET", "/api/me");
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, "unauthenticated");
    assert.match(res.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
  });
});

describe("guest login disabled", () => {
  const lab = useKubelab({ env: { GUEST_LOGIN: "false" } });

  it("refuses guest logins with 403 guest_login_disabled", async () => {
    const res = await lab.server
      .client()
      .request<{ error: { code: string } }>("POST", "/api/auth/guest", { name: "Leo" });
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, "guest_login_disabled");
  });
});

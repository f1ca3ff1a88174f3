// CSRF, login rate limits and idle logins, against the real server.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import type { TApiErrorBody, TSession } from "@kubelab/shared";
import { useKubelab } from "./support/lab-fixture";

describe("CSRF protection", () => {
  const lab = useKubelab({ browserOrigin: true });

  async function post(cookie: string, path: string, headers: Record<string, string>) {
    const res = await fetch(`${lab.server.url}${path}`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", ...headers },
      body: "{}",
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as TApiErrorBody & TSession };
  }

  it("refuses state-changing requests from other origins, including the platform's own port hosts", async () => {
    const client = lab.server.client();
    await client.loginAsGuest("Target");
    const cookie = client.cookieHeader!;
    const portHost = `http://node1-8000-${"a".repeat(32)}.localhost:${new URL(lab.publicUrl).port}`;
    const attacks: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { origin: portHost },
      { origin: "null" },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
    ];
    for (const headers of attacks) {
      const res = await post(cookie, "/api/sessions", headers);
      assert.equal(res.status, 403, JSON.stringify(headers));
      assert.equal(res.body.error.code, "csrf_rejected");
    }
    const logout = await post(cookie, "/api/auth/logout", { origin: "https://evil.example" });
    assert.equal(logout.status, 403);
    assert.equal((await client.request("GET", "/api/me")).status, 200, "still logged in");
    const sessions = await client.request<{ sessions: TSession[] }>("GET", "/api/sessions");
    assert.deepEqual(sessions.body.sessions, [], "nothing was created");

    // The platform's own pages, and clients that are not browsers, go through.
    const own = await post(cookie, "/api/sessions", { origin: lab.publicUrl, "sec-fetch-site": "same-origin" });
    assert.equal(own.status, 201);
    assert.equal((await client.request("DELETE", `/api/sessions/${own.body.id}`)).status, 204);
  });
});

describe("login rate limit", () => {
  const lab = useKubelab({ env: { LOGIN_RATE_LIMIT: "4" } });

  it("limits login attempts per address and says when to retry", async () => {
    for (let i = 0; i < 4; i++) await lab.server.client().loginAsGuest(`Burst ${i}`);
    const res = await lab.server.client().request<TApiErrorBody>("POST", "/api/auth/guest", { name: "One too many" });
    assert.equal(res.status, 429);
    assert.equal(res.body.error.code, "rate_limited");
    const retryAfter = Number(res.headers.get("retry-after"));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    // Starting a provider login counts against the same budget (checked before the provider is looked up).
    const provider = await lab.server.client().request<TApiErrorBody>("GET", "/api/auth/github/login");
    assert.equal(provider.status, 429);
    assert.equal(provider.body.error.code, "rate_limited");
  });
});

describe("idle logins", () => {
  const lab = useKubelab({ env: { LOGIN_IDLE_TIMEOUT: "3s" } });

  it("ends a login left idle longer than LOGIN_IDLE_TIMEOUT, but not one in use", async () => {
    const idle = lab.server.client();
    const active = lab.server.client();
    await idle.loginAsGuest("Idle");
    await active.loginAsGuest("Active");
    for (let i = 0; i < 10; i++) {
      await sleep(500);
      assert.equal((await active.request("GET", "/api/me")).status, 200, `active at ${i * 0.5} s`);
    }
    assert.equal((await idle.request("GET", "/api/me")).status, 401);
  });
});

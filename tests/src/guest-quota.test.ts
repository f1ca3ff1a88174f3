// Guests are free to create, so their sessions are capped per client address
// (GUEST_SESSIONS_PER_ADDRESS): one person cannot fill the host with guest logins.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TSession } from "@kubelab/shared";
import { ApiClient } from "./support/api-client";
import { useLoginProviders } from "./support/identity/login-fixture";
import { OAuthWalker } from "./support/identity/oauth-walker";

type CreateResponse = TSession & { error?: { code: string; message: string } };

// Documentation addresses (RFC 5737), only ever written into X-Forwarded-For.
const CLASSROOM = "203.0.113.7";
const ELSEWHERE = "198.51.100.9";

describe("guest sessions per client address", () => {
  // The test client connects from 127.0.0.1, which is trusted as a proxy: X-Forwarded-For picks the address.
  const lab = useLoginProviders({
    GUEST_LOGIN: "true",
    TRUSTED_PROXIES: "127.0.0.1",
    GUEST_SESSIONS_PER_ADDRESS: "2",
    MAX_SESSIONS_PER_USER: "3",
    MAX_SESSIONS: "6",
  });
  // Guest sessions of CLASSROOM that were let through.
  const classroomSessions: { client: ApiClient; id: string }[] = [];

  const guestFrom = async (forwardedFor: string, name: string): Promise<ApiClient> => {
    const client = new ApiClient(lab.publicUrl);
    client.headers["x-forwarded-for"] = forwardedFor;
    await client.loginAsGuest(name);
    return client;
  };
  const create = async (client: ApiClient): Promise<{ status: number; body: CreateResponse }> => {
    return client.request<CreateResponse>("POST", "/api/sessions", {});
  };

  it("lets only GUEST_SESSIONS_PER_ADDRESS of 24 parallel creates by 8 guests of one address through", async () => {
    // Entries before the last one are whatever the client wrote: they must not make a new address.
    const guests = await Promise.all(
      Array.from({ length: 8 }, (_, i) => guestFrom(i % 2 ? `10.0.0.${i}, ${CLASSROOM}` : CLASSROOM, `Guest ${i}`)),
    );
    const results = await Promise.all(guests.flatMap((guest) => [create(guest), create(guest), create(guest)]));
    const statuses = results.map((r) => r.status);
    results.forEach((r, i) => {
      if (r.status === 201) classroomSessions.push({ client: guests[Math.floor(i / 3)]!, id: r.body.id });
    });
    assert.equal(statuses.filter((s) => s === 201).length, 2, JSON.stringify(statuses));
    const refused = results.filter((r) => r.status !== 201);
    assert.equal(refused.length, 22);
    for (const r of refused) {
      assert.equal(r.status, 409);
      assert.equal(r.body.error?.code, "guest_address_quota");
      assert.match(r.body.error?.message ?? "", /Guests from your network may run 2 lab sessions at a time/);
    }
    // A guest of the same address that logs in later is refused too.
    const late = await create(await guestFrom(CLASSROOM, "Late guest"));
    assert.equal(late.status, 409);
    assert.equal(late.body.error?.code, "guest_address_quota");
  });

  it("does not cap a guest from another address, nor a user who logged in with an account", async () => {
    const elsewhere = await guestFrom(ELSEWHERE, "Far guest");
    assert.equal((await create(elsewhere)).status, 201);

    const w = new OAuthWalker(lab.publicUrl);
    await w.callback(await w.decideAtGithub(await w.start("github"), "allow"));
    const member = new ApiClient(lab.publicUrl);
    member.setCookieHeader(w.cookieHeader);
    member.headers["x-forwarded-for"] = CLASSROOM;
    const res = await create(member);
    assert.equal(res.status, 201, JSON.stringify(res.body));
  });

  it("frees the slot when a guest session of that address ends", async () => {
    const newcomer = await guestFrom(CLASSROOM, "Newcomer");
    assert.equal((await create(newcomer)).status, 409);
    const first = classroomSessions[0];
    assert.ok(first);
    assert.equal((await first.client.request("DELETE", `/api/sessions/${first.id}`)).status, 204);
    assert.equal((await create(newcomer)).status, 201);
    assert.equal((await create(newcomer)).body.error?.code, "guest_address_quota", "and only that one slot");
  });
});

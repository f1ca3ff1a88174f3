// Quotas are enforced atomically in PostgreSQL: parallel requests cannot slip past them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TSession } from "@kubelab/shared";
import { countLabelled } from "./support/docker-objects";
import { useKubelab } from "./support/lab-fixture";
import { waitFor } from "./support/wait-for";

describe("session quotas", () => {
  // MAX_QUEUE=0: no waiting queue, so a full installation refuses at once (session-queue.test.ts
  // covers the queue and the no_capacity beyond MAX_QUEUE).
  const lab = useKubelab({ env: { MAX_SESSIONS_PER_USER: "1", MAX_SESSIONS: "2", MAX_QUEUE: "0" } });

  it("lets exactly one of 20 parallel creates through a per-user quota of 1", async () => {
    const dave = lab.server.client();
    await dave.loginAsGuest("Dave");
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        dave.request<TSession & { error?: { code: string } }>("POST", "/api/sessions", {}),
      ),
    );
    const created = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 409);
    assert.equal(created.length, 1, JSON.stringify(results.map((r) => r.status)));
    assert.equal(refused.length, 19);
    for (const r of refused) assert.equal(r.body.error?.code, "quota_exceeded");
    const listed = await dave.request<{ sessions: TSession[] }>("GET", "/api/sessions");
    assert.equal(listed.body.sessions.length, 1);
    // Only one session's worth of Docker objects was ever made.
    const id = created[0]!.body.id;
    await dave.waitUntilSettled(id);
    assert.deepEqual(await countLabelled(lab.server.instanceId), { containers: 2, networks: 1, volumes: 2 });
    assert.equal((await dave.request("DELETE", `/api/sessions/${id}`)).status, 204);
    // The quota frees up once the session has ended.
    const next = await dave.request<TSession>("POST", "/api/sessions", {});
    assert.equal(next.status, 201);
    assert.equal((await dave.request("DELETE", `/api/sessions/${next.body.id}`)).status, 204);
  });

  it("answers 503 no_capacity when the whole installation is full and MAX_QUEUE is 0", async () => {
    const users = [lab.server.client(), lab.server.client(), lab.server.client()];
    for (const [i, user] of users.entries()) await user.loginAsGuest(`User ${i}`);
    const first = await users[0]!.request<TSession>("POST", "/api/sessions", {});
    const second = await users[1]!.request<TSession>("POST", "/api/sessions", {});
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    const third = await users[2]!.request<{ error: { code: string; message: string } }>("POST", "/api/sessions", {});
    assert.equal(third.status, 503);
    assert.equal(third.body.error.code, "no_capacity");
    await users[0]!.request("DELETE", `/api/sessions/${first.body.id}`);
    await users[1]!.request("DELETE", `/api/sessions/${second.body.id}`);
    await waitFor("objects to be removed", async () =>
      (await countLabelled(lab.server.instanceId)).containers === 0 ? true : undefined,
    );
  });
});

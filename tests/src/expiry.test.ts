// Sessions end on time: the reaper removes every Docker object within 30 s of expiry.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { countLabelled, removeInstanceObjects } from "./support/docker-objects";
import { KubelabServer } from "./support/kubelab-server";
import { startTestDatabase, type TestDatabase } from "./support/test-database";
import { waitFor } from "./support/wait-for";

describe("session expiry", () => {
  let db: TestDatabase;
  let server: KubelabServer;

  before(async () => {
    db = await startTestDatabase();
    // The default reaper interval (5 s) is what is tested: it is the production setting.
    server = await KubelabServer.start({ databaseUrl: db.url, env: { SESSION_DURATION: "15s" } });
  });

  after(async () => {
    await server?.stop();
    if (server) await removeInstanceObjects(server.instanceId);
    await db?.stop();
  });

  it("ends an expired session and removes its containers, network and volumes within 30 s", async () => {
    const erin = server.client();
    await erin.loginAsGuest("Erin");
    const session = await erin.createSession();
    const ready = await erin.waitUntilSettled(session.id);
    assert.equal(ready.status, "ready", ready.reason ?? "");
    assert.ok((await countLabelled(server.instanceId, session.id)).containers === 2);

    const expiresAt = Date.parse(session.expiresAt);
    const ended = await erin.waitForStatus(session.id, "ended", 60_000);
    const cleanedAt = await waitFor("Docker objects to be gone", async () => {
      const left = await countLabelled(server.instanceId, session.id);
      return left.containers + left.networks + left.volumes === 0 ? Date.now() : undefined;
    });
    assert.equal(ended.reason, "expired");
    assert.ok(cleanedAt - expiresAt < 30_000, `cleaned up ${cleanedAt - expiresAt} ms after expiry`);
    assert.ok(cleanedAt >= expiresAt, "a session must not end before its time");
  });
});

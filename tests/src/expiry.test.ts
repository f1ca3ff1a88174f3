// Sessions end on time: the reaper removes every Docker object within 30 s of expiry.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { countLabelled } from "./support/docker-objects";
import { useKubelab } from "./support/lab-fixture";
import { waitFor } from "./support/wait-for";

describe("session expiry", () => {
  // The default reaper interval (5 s) is what is tested: it is the production setting. 40 s leaves
  // room for provisioning on a loaded CI machine before the session expires.
  const lab = useKubelab({ env: { SESSION_DURATION: "40s" } });

  it("ends an expired session and removes its containers, network and volumes within 30 s", async () => {
    const erin = lab.server.client();
    await erin.loginAsGuest("Erin");
    const session = await erin.createSession();
    const ready = await erin.waitUntilSettled(session.id);
    assert.equal(ready.status, "ready", ready.reason ?? "");
    assert.ok((await countLabelled(lab.server.instanceId, session.id)).containers === 2);

    const expiresAt = Date.parse(session.expiresAt);
    const ended = await erin.waitForStatus(session.id, "ended", 60_000);
    const cleanedAt = await waitFor("Docker objects to be gone", async () => {
      const left = await countLabelled(lab.server.instanceId, session.id);
      return left.containers + left.networks + left.volumes === 0 ? Date.now() : undefined;
    });
    assert.equal(ended.reason, "expired");
    assert.equal(ended.stopReason?.code, "expired");
    assert.ok(cleanedAt - expiresAt < 30_000, `cleaned up ${cleanedAt - expiresAt} ms after expiry`);
    assert.ok(cleanedAt >= expiresAt, "a session must not end before its time");
  });
});

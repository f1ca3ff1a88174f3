// Faults: the server or a node dies at a bad moment; Docker and the database must agree again.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { countLabelled, docker } from "./support/docker-objects";
import { TERMINAL_CLOSE_CODES } from "@kubelab/shared";
import { useKubelab } from "./support/lab-fixture";
import { TerminalClient } from "./support/terminal-client";
import { waitFor } from "./support/wait-for";

const NONE = { containers: 0, networks: 0, volumes: 0 };
const ORIGIN = "http://localhost:4301";

describe("recovery from faults", () => {
  const lab = useKubelab({ env: { MAX_SESSIONS_PER_USER: "5", PUBLIC_URL: ORIGIN } });

  it("server killed during provisioning: after restart the session is failed and nothing is orphaned", async () => {
    const client = lab.server.client();
    await client.loginAsGuest("Frank");
    const session = await client.createSession();
    // Kill as soon as containers exist but before the inner engines answer.
    await waitFor(
      "node containers to appear",
      async () => ((await countLabelled(lab.server.instanceId, session.id)).containers > 0 ? true : undefined),
      30_000,
      50,
    );
    await lab.server.kill();
    assert.equal((await client.getSession(session.id).catch(() => null)) === null, true, "the server is down");
    assert.ok(
      (await countLabelled(lab.server.instanceId, session.id)).containers > 0,
      "the crash left containers behind",
    );
    // A stray object of this instance with no session at all must go too.
    await docker.createVolume({
      Name: `kubelab-stray-${lab.server.instanceId}`,
      Labels: { "kubelab.instance": lab.server.instanceId, "kubelab.session": "0".repeat(32) },
    });

    lab.server = await lab.server.restart();
    const after = await client.getSession(session.id);
    assert.equal(after.status, "failed");
    assert.match(after.reason ?? "", /restarted/);
    assert.equal(after.stopReason?.code, "server_restarted");
    assert.deepEqual(await countLabelled(lab.server.instanceId), NONE);
    // The user is not stuck: the failed session does not count against the quota.
    const next = await client.createSession();
    assert.equal((await client.waitUntilSettled(next.id)).status, "ready");
    assert.equal((await client.request("DELETE", `/api/sessions/${next.id}`)).status, 204);
  });

  it("a ready session survives a server restart untouched", async () => {
    const client = lab.server.client();
    await client.loginAsGuest("Grace");
    const session = await client.createSession();
    assert.equal((await client.waitUntilSettled(session.id)).status, "ready");
    await lab.server.stop();
    lab.server = await lab.server.restart();
    const after = await client.getSession(session.id);
    assert.equal(after.status, "ready");
    assert.equal((await countLabelled(lab.server.instanceId, session.id)).containers, 2);
    assert.equal((await client.request("DELETE", `/api/sessions/${session.id}`)).status, 204);
  });

  it("a node that dies marks its session failed with the reason and frees the other node", async () => {
    const client = lab.server.client();
    await client.loginAsGuest("Heidi");
    const session = await client.createSession();
    assert.equal((await client.waitUntilSettled(session.id)).status, "ready");
    const terminal = await TerminalClient.connect(client, ORIGIN, session.id, "node1");
    await docker.getContainer(`kubelab-${session.id}-node2`).kill();
    const failed = await client.waitForStatus(session.id, "failed", 30_000);
    assert.match(failed.reason ?? "", /node2 stopped/);
    // The typed reason the web app words: which node, and Docker's exit code (137: SIGKILL).
    assert.deepEqual(
      { code: failed.stopReason?.code, nodes: failed.stopReason?.nodes, exitCode: failed.stopReason?.exitCode },
      { code: "node_died", nodes: ["node2"], exitCode: 137 },
    );
    // Its open terminals learn why, with the documented close code.
    const closed = await terminal.closed;
    assert.equal(closed.code, TERMINAL_CLOSE_CODES.sessionFailed);
    assert.match(closed.reason, /node2 stopped/);
    await waitFor("objects to be removed", async () => {
      const left = await countLabelled(lab.server.instanceId, session.id);
      return left.containers + left.networks + left.volumes === 0 ? true : undefined;
    });
    // Deleting a failed session just records it as ended.
    assert.equal((await client.request("DELETE", `/api/sessions/${session.id}`)).status, 204);
    assert.equal((await client.getSession(session.id)).status, "ended");
  });

  it("deleting a session while it is being created leaves nothing behind", async () => {
    const client = lab.server.client();
    await client.loginAsGuest("Ivan");
    const session = await client.createSession();
    const deleted = await client.request("DELETE", `/api/sessions/${session.id}`);
    assert.equal(deleted.status, 204);
    assert.equal((await client.getSession(session.id)).status, "ended");
    assert.deepEqual(await countLabelled(lab.server.instanceId, session.id), NONE);
    // Nothing reappears once in-flight Docker calls have returned.
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual(await countLabelled(lab.server.instanceId, session.id), NONE);
  });

  it("a graceful shutdown during provisioning fails the session and cleans up", async () => {
    const client = lab.server.client();
    await client.loginAsGuest("Judy");
    const session = await client.createSession();
    await waitFor(
      "node containers to appear",
      async () => ((await countLabelled(lab.server.instanceId, session.id)).containers > 0 ? true : undefined),
      30_000,
      50,
    );
    await lab.server.stop();
    assert.deepEqual(await countLabelled(lab.server.instanceId, session.id), NONE);
    lab.server = await lab.server.restart();
    const after = await client.getSession(session.id);
    assert.equal(after.status, "failed");
    assert.match(after.reason ?? "", /shut down/);
    assert.equal(after.stopReason?.code, "server_shutdown");
  });
});

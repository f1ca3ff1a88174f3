// Several Kubelab processes of one installation on one database (issue 21): every process serves
// requests, the background work (reconciler, reaper, queue, pool) runs in one at a time, the
// holder of a PostgreSQL advisory lock, and another process takes it over when the leader dies.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { TERMINAL_CLOSE_CODES, type TAdminSettings } from "@kubelab/shared";
import { ApiClient } from "./support/api-client";
import { instanceFirewallRules, removeInstanceFirewall, removeInstanceObjects } from "./support/docker-objects";
import { KubelabServer } from "./support/kubelab-server";
import { TerminalClient } from "./support/terminal-client";
import { startTestDatabase, type TestDatabase } from "./support/test-database";
import { waitFor } from "./support/wait-for";

interface Health {
  status: string;
  leader: boolean;
}

async function health(server: KubelabServer): Promise<Health> {
  const response = await fetch(`${server.url}/api/health`);
  return (await response.json()) as Health;
}

describe("several Kubelab processes on one database", () => {
  let db: TestDatabase;
  let first: KubelabServer;
  let second: KubelabServer | undefined;
  let third: KubelabServer | undefined;
  let sql: pg.Client;
  let sessionId = "";
  let owner: ApiClient;
  // One public URL for all processes, as behind a load balancer (terminal sockets check Origin).
  const publicUrl = "http://kubelab.test";
  // Six logins a minute from one address, counted by all processes together (see the test).
  const env = { REAPER_INTERVAL: "1s", PUBLIC_URL: publicUrl, LOGIN_RATE_LIMIT: "6" };

  before(async () => {
    db = await startTestDatabase();
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    first = await KubelabServer.start({ databaseUrl: db.url, env });
  });

  after(async () => {
    await sql?.end();
    await third?.stop();
    await second?.stop();
    await first?.stop().catch(() => undefined);
    if (first) {
      await removeInstanceObjects(first.instanceId);
      removeInstanceFirewall(first.instanceId);
    }
    await db?.stop();
  });

  it("the first process leads; a second one started while a session is built follows and leaves it alone", async () => {
    assert.equal((await health(first)).leader, true, "a process alone leads");
    owner = first.client();
    await owner.loginAsGuest("Ada");
    const created = await owner.createSession();
    sessionId = created.id;
    assert.equal(created.status, "provisioning");
    // Until now a second process reconciled at start-up and failed every session it was not building.
    second = await KubelabServer.start({ databaseUrl: db.url, instanceId: first.instanceId, env });
    assert.equal((await health(second)).leader, false, "the second process follows");
    const settled = await owner.waitUntilSettled(sessionId);
    assert.equal(settled.status, "ready", settled.reason ?? "");
    assert.equal((await health(first)).leader, true, "still the first");
  });

  it("a follower serves requests, and a session ended in one process closes its terminals in the other", async () => {
    // Built by the follower, which handles the request like any process.
    const bob = second!.client();
    await bob.loginAsGuest("Bob");
    const created = await bob.createSession();
    const ready = await bob.waitUntilSettled(created.id);
    assert.equal(ready.status, "ready", ready.reason ?? "");
    // Bob's terminal is open on the first process; the follower ends the session.
    const viaFirst = new ApiClient(first.url);
    viaFirst.useCookieOf(bob);
    const terminal = await TerminalClient.connect(viaFirst, publicUrl, created.id, "node1");
    terminal.send("echo open-$((6*7))\r");
    await terminal.waitForOutput(/open-42/, 30_000);
    const response = await bob.request("DELETE", `/api/sessions/${created.id}`);
    assert.ok(response.status < 300, `DELETE answered ${response.status}`);
    const closed = await terminal.closed;
    // 4001 comes from the session's end, told across processes; without it the socket would stay
    // open until the shell died with its container (4000, "the shell exited").
    assert.equal(closed.code, TERMINAL_CLOSE_CODES.sessionEnded, closed.reason);
  });

  it("a console setting changed through one process applies in the other at once", async () => {
    const admin = first.client();
    const me = await admin.loginAsGuest("Settings Admin");
    await sql.query("UPDATE users SET role = 'admin' WHERE id = $1", [me.id]);
    const changed = await admin.request("PUT", "/api/admin/settings", { SESSION_EXTENSION: "17m" });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    // The second process kept its own snapshot until the first told it (LISTEN/NOTIFY) to read again.
    const viaSecond = new ApiClient(second!.url);
    viaSecond.useCookieOf(admin);
    const entry = await waitFor(
      "the second process to see the change",
      async () => {
        const view = await viaSecond.request<TAdminSettings>("GET", "/api/admin/settings");
        const setting = view.body.settings.find((s) => s.key === "SESSION_EXTENSION");
        return setting?.source === "console" ? setting : undefined;
      },
      3_000,
      50,
    );
    assert.equal(entry.value, "17m");
  });

  it("the processes count login attempts together (the per-address rate limit)", async () => {
    // Ada and the admin logged in through the first process and Bob through the second: 3 of the 6.
    const attempt = (server: KubelabServer) =>
      server.client().request<{ error: { code: string } }>("POST", "/api/auth/guest", { name: "Eve" });
    const servers = [first, second!, first];
    for (const [i, server] of servers.entries()) assert.equal((await attempt(server)).status, 200, `attempt ${i + 4}`);
    // The 7th, on either process, is refused: each alone has seen only 3 or 4 attempts.
    for (const server of [first, second!]) {
      const refused = await attempt(server);
      assert.equal(refused.status, 429);
      assert.equal(refused.body.error.code, "rate_limited");
    }
  });

  it("when the leader is killed, the other process takes the background work over within 10 s", async (t) => {
    const killedAt = Date.now();
    await first.kill();
    const follower = second!;
    await waitFor(
      "the second process to lead",
      async () => ((await health(follower)).leader ? true : undefined),
      15_000,
      100,
    );
    const tookOver = Date.now() - killedAt;
    assert.ok(tookOver < 10_000, `took over after ${tookOver} ms`);
    t.diagnostic(`the follower led ${tookOver} ms after the leader was killed`);

    // The new leader reconciled: the dead leader's ready session was adopted, not failed.
    const client = new ApiClient(follower.url);
    client.useCookieOf(owner);
    assert.equal((await client.getSession(sessionId)).status, "ready");
    // Its reaper runs: a session whose time is up ends.
    await sql.query("UPDATE lab_sessions SET expires_at = now() - interval '1 second' WHERE id = $1", [sessionId]);
    const ended = await waitFor(
      "the new leader's reaper to end the expired session",
      async () => {
        const session = await client.getSession(sessionId);
        return session.status === "ended" ? session : undefined;
      },
      30_000,
      250,
    );
    assert.equal(ended.status, "ended");
  });

  it("the node firewall the processes share stays until the last of them stops", async () => {
    const instanceId = first.instanceId;
    third = await KubelabServer.start({ databaseUrl: db.url, instanceId, env });
    assert.notEqual(instanceFirewallRules(instanceId).length, 0, "installed");
    // No session is live now: a process alone would remove the firewall when it stops.
    await second!.stop();
    second = undefined;
    assert.notEqual(instanceFirewallRules(instanceId).length, 0, "kept for the process still running");
    await waitFor("the third process to lead", async () => ((await health(third!)).leader ? true : undefined), 15_000);
    await third.stop();
    third = undefined;
    assert.deepEqual(instanceFirewallRules(instanceId), [], "removed by the last process");
  });
});

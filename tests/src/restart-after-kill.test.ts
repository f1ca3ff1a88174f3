// kill -9 of a server on the embedded PostgreSQL, then a new start: the orphaned
// database must not block it, and sessions come back to a consistent state.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { countLabelled, instanceFirewallRules, removeInstanceObjects } from "./support/docker-objects";
import { freePort } from "./support/free-port";
import { KubelabServer } from "./support/kubelab-server";
import { waitFor } from "./support/wait-for";

/** Live postgres processes (not zombies) running on `databaseDir`, found by their command line. */
function postgresProcessesOn(databaseDir: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
      if (path.basename(args[0] ?? "") === "postgres" && args.includes(databaseDir) && state !== "Z") {
        found.push(Number(entry));
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

function postmasterPid(databaseDir: string): number {
  return Number(fs.readFileSync(path.join(databaseDir, "postmaster.pid"), "utf8").split("\n")[0]);
}

function makeDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-restart-"));
  // As root, PostgreSQL runs as its own OS user, which must be able to enter the folder.
  fs.chmodSync(dir, 0o755);
  return dir;
}

describe("restart after kill -9 (embedded PostgreSQL)", () => {
  let dataDir: string;
  let databaseDir: string;
  let env: Record<string, string>;
  let server: KubelabServer;
  const extra: KubelabServer[] = [];

  before(async () => {
    dataDir = makeDataDir();
    databaseDir = path.join(dataDir, "postgres");
    env = {
      KUBELAB_DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
    };
    // No DATABASE_URL: the server starts its own embedded PostgreSQL.
    server = await KubelabServer.start({ databaseUrl: "", env });
  });

  after(async () => {
    for (const s of [...extra, server]) await s?.stop();
    if (server) await removeInstanceObjects(server.instanceId);
    // A failed assertion must not leave a database running for the rest of the suite.
    for (const pid of postgresProcessesOn(databaseDir)) process.kill(pid, "SIGINT");
    await waitFor("test PostgreSQL to stop", () => (postgresProcessesOn(databaseDir).length === 0 ? true : undefined));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  // That ready sessions survive a restart is recovery.test.ts's part; here it is the database and half-built sessions.
  it("starts again after kill -9; the half-built session is failed and cleaned", async () => {
    const client = server.client();
    await client.loginAsGuest("Ivan");
    const halfBuilt = await client.createSession();
    await waitFor(
      "node containers of the session to appear",
      async () => ((await countLabelled(server.instanceId, halfBuilt.id)).containers > 0 ? true : undefined),
      // Creating a node's volume and container waits for the engine, slow on a busy 2-core machine.
      90_000,
      50,
    );
    const orphan = postmasterPid(databaseDir);
    await server.kill();
    assert.deepEqual(postgresProcessesOn(databaseDir), [orphan], "kill -9 left the embedded PostgreSQL running");

    const startedAt = Date.now();
    server = await server.restart();
    const restartMs = Date.now() - startedAt;
    console.log(`restart after kill -9: /api/health ok in ${restartMs} ms`);
    assert.ok(restartMs < 30_000, `restart took ${restartMs} ms`);
    assert.match(server.logs(), /Stopping the embedded PostgreSQL \(pid \d+\) left running/);
    // The orphan was stopped, and exactly one PostgreSQL (the new server's own) runs on the directory.
    assert.deepEqual(postgresProcessesOn(databaseDir), [postmasterPid(databaseDir)]);
    assert.notEqual(postmasterPid(databaseDir), orphan);

    const failed = await client.getSession(halfBuilt.id);
    assert.equal(failed.status, "failed");
    assert.match(failed.reason ?? "", /restarted/);
    assert.equal(failed.stopReason?.code, "server_restarted");
    // Nothing of the instance is left on the engine.
    assert.deepEqual(await countLabelled(server.instanceId), { containers: 0, networks: 0, volumes: 0 });
  });

  it("leaves alone a process that reuses the pid in a stale postmaster.pid", async () => {
    await server.stop();
    assert.deepEqual(postgresProcessesOn(databaseDir), [], "a clean stop leaves no PostgreSQL behind");
    // The database must outlive the shutdown work that needs it: with no session left, the
    // node firewall goes (embedded-postgres's own signal hook used to stop it first).
    assert.doesNotMatch(server.logs(), /Could not remove the node firewall/);
    assert.deepEqual(instanceFirewallRules(server.instanceId), [], "the stop removed the node firewall");
    // After a crash and a reboot, the recorded pid may belong to anything.
    const bystander = spawn("sleep", ["300"], { stdio: "ignore" });
    try {
      fs.writeFileSync(
        path.join(databaseDir, "postmaster.pid"),
        `${bystander.pid}\n${databaseDir}\n1700000000\n${env.EMBEDDED_POSTGRES_PORT}\n/tmp\nlocalhost\n  0 0\nready\n`,
      );
      server = await server.restart();
      assert.equal(bystander.exitCode, null, "the unrelated process is still running");
      assert.equal(bystander.signalCode, null);
      assert.match(server.logs(), /Removing stale .*postmaster\.pid \(process \d+ is not PostgreSQL/);
    } finally {
      bystander.kill();
    }
  });

  it("refuses to take over the PostgreSQL of a Kubelab that is still running", async () => {
    const running = postmasterPid(databaseDir);
    const second = await KubelabServer.start({ databaseUrl: "", env }).catch((error: Error) => error);
    if (second instanceof KubelabServer) extra.push(second);
    assert.ok(second instanceof Error, "a second server on the same data directory must not start");
    assert.match(second.message, /belongs to a running process .*another Kubelab using this KUBELAB_DATA_DIR/s);
    assert.deepEqual(postgresProcessesOn(databaseDir), [running], "the first server's PostgreSQL is untouched");
    assert.equal((await fetch(`${server.url}/api/health`)).status, 200);
    await server.stop();
    assert.deepEqual(postgresProcessesOn(databaseDir), [], "a clean stop leaves no PostgreSQL behind");
  });

  it("a start-up failure prints what went wrong, never just 'undefined'", async () => {
    // Something else holds the embedded PostgreSQL's port, on every local address.
    const squatter = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve, reject) => {
      squatter.once("error", reject);
      squatter.listen({ port, host: "::", ipv6Only: false }, resolve);
    }).catch(async () => {
      squatter.listen(port, "0.0.0.0");
      await once(squatter, "listening");
    });
    const freshDir = makeDataDir();
    try {
      const failure = await KubelabServer.start({
        databaseUrl: "",
        // Without PostgreSQL's debug log in the output, the error message itself must carry the cause.
        env: { KUBELAB_DATA_DIR: freshDir, EMBEDDED_POSTGRES_PORT: String(port), LOG_LEVEL: "log" },
      }).catch((error: Error) => error);
      if (failure instanceof KubelabServer) extra.push(failure);
      assert.ok(failure instanceof Error, "the server must not start");
      assert.doesNotMatch(failure.message, /failed to start: undefined/);
      assert.match(failure.message, new RegExp(`Embedded PostgreSQL \\(.*port ${port}\\) did not start`));
      assert.match(failure.message, /Address already in use/);
      assert.deepEqual(postgresProcessesOn(path.join(freshDir, "postgres")), []);
    } finally {
      squatter.close();
      fs.rmSync(freshDir, { recursive: true, force: true });
    }
  });
});

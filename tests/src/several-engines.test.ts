// Several Docker engines (issue 21): the host's engine plus a second one in a container reached over
// TCP with mutual TLS (standing for another host), and two Kubelab processes behind nginx
// round-robin. Sessions spread over both engines by free capacity; terminals and ports work through
// either process to nodes on either engine (the second engine's nodes through relays over its API); an admin drains
// an engine; when the second engine stops, its sessions fail with engine_lost and new ones go to
// the first.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import Docker from "dockerode";
import pg from "pg";
import type { TAdminEngineList, TSession } from "@kubelab/shared";
import { ApiClient } from "./support/api-client";
import { logInPageAs, useBrowser } from "./support/browser";
import { removeInstanceFirewall, removeInstanceObjects } from "./support/docker-objects";
import { freePort } from "./support/free-port";
import { KubelabServer } from "./support/kubelab-server";
import { startRoundRobinNginx, type RunningNginx } from "./support/nginx";
import { oneNodeLessons } from "./support/one-node-lessons";
import { startSecondEngine, type SecondEngine } from "./support/second-engine";
import { TerminalClient } from "./support/terminal-client";
import { startTestDatabase, type TestDatabase } from "./support/test-database";
import { waitFor } from "./support/wait-for";

const IMAGE = process.env.KUBELAB_TEST_NODE_IMAGE ?? "kubelab/node-offline:latest";
const LOST_AFTER_SECONDS = 10;

interface Lab {
  owner: ApiClient;
  session: TSession;
  engine: string;
}

describe("sessions on two Docker engines, two processes behind nginx", () => {
  let db: TestDatabase;
  let sql: pg.Client;
  let second: SecondEngine;
  let nginx: RunningNginx;
  const servers: KubelabServer[] = [];
  let admin: ApiClient;
  const { newPage } = useBrowser();
  const labs: Lab[] = [];
  // Every way in: nginx (round-robin) and each process directly.
  const entries = (): string[] => [nginx.url, ...servers.map((s) => s.url)];

  const engineOf = async (sessionId: string): Promise<string | null> =>
    (await sql.query<{ engine: string | null }>("SELECT engine FROM lab_sessions WHERE id = $1", [sessionId])).rows[0]
      ?.engine ?? null;

  const startLab = async (name: string, via: string): Promise<Lab> => {
    const owner = new ApiClient(via);
    await owner.loginAsGuest(name);
    const created = await owner.request<TSession>("POST", "/api/sessions", { lesson: "solo" });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const session = await owner.waitUntilSettled(created.body.id, 180_000);
    assert.equal(session.status, "ready", `${name}'s session: ${session.stopReason?.detail ?? session.status}`);
    return { owner, session, engine: (await engineOf(session.id))! };
  };

  const enginesView = async (): Promise<TAdminEngineList> => {
    const res = await admin.request<TAdminEngineList>("GET", "/api/admin/engines");
    assert.equal(res.status, 200);
    return res.body;
  };

  before(async () => {
    second = await startSecondEngine(IMAGE);
    db = await startTestDatabase();
    const ports = [await freePort(), await freePort()];
    nginx = await startRoundRobinNginx(ports);
    const local = process.env.DOCKER_HOST || "unix:///var/run/docker.sock";
    const env = {
      WEB_ENABLED: "true",
      PUBLIC_URL: nginx.url,
      TRUSTED_PROXIES: "127.0.0.1",
      LESSONS_DIR: oneNodeLessons(),
      MAX_SESSIONS: "20",
      DOCKER_ENGINES: `local=${local};sessions=5 second=${second.url};tls=${second.tlsDir};sessions=3`,
      ENGINE_LOST_AFTER: `${LOST_AFTER_SECONDS}s`,
    };
    const first = await KubelabServer.start({ databaseUrl: db.url, port: ports[0], env });
    servers.push(first);
    servers.push(await KubelabServer.start({ databaseUrl: db.url, port: ports[1], instanceId: first.instanceId, env }));
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    admin = first.client();
    const me = await admin.loginAsGuest("Engine Admin");
    await sql.query("UPDATE users SET role = 'admin' WHERE id = $1", [me.id]);
  });

  after(async () => {
    await sql?.end();
    for (const server of servers) await server.stop().catch(() => undefined);
    await nginx?.stop();
    await second?.remove();
    if (servers[0]) {
      await removeInstanceObjects(servers[0].instanceId);
      removeInstanceFirewall(servers[0].instanceId);
    }
    await db?.stop();
  });

  it("spreads six sessions over both engines by free capacity, and the admin console shows the load", async () => {
    // Created at once through all three entries: placement is one at a time across processes.
    const started = await Promise.all(
      Array.from({ length: 6 }, (_, i) => startLab(`Attendee ${i + 1}`, entries()[i % 3]!)),
    );
    labs.push(...started);
    const counts = { local: 0, second: 0 };
    for (const lab of labs) counts[lab.engine as keyof typeof counts] += 1;
    // Free share = 1 - sessions/capacity, the larger wins: with 5 and 3 places, 4 and 2.
    assert.deepEqual(counts, { local: 4, second: 2 });
    const secondContainers = await second.client.listContainers({
      filters: { label: [`kubelab.instance=${servers[0]!.instanceId}`] },
    });
    assert.equal(secondContainers.length, 2, "the second engine runs the nodes of its two sessions");
    const view = await enginesView();
    assert.deepEqual(
      view.engines.map((e) => [e.name, e.state, e.sessions, e.maxSessions, e.draining]),
      [
        ["local", "up", 4, 5, false],
        ["second", "up", 2, 3, false],
      ],
    );
    assert.equal(view.engines[1]!.address, second.url);
    // The second engine takes only clients with a certificate of its CA (Kubelab's, from tls=).
    const [host, port] = second.url.replace("tcp://", "").split(":");
    const ca = fs.readFileSync(path.join(second.tlsDir, "ca.pem"));
    const anonymous = new Docker({ host, port: Number(port), protocol: "https", ca });
    await assert.rejects(anonymous.ping());
    assert.equal(view.lostAfterSeconds, LOST_AFTER_SECONDS);
  });

  it("opens terminals through nginx and through each process to nodes on either engine", async () => {
    for (const [i, lab] of labs.entries()) {
      for (const entry of entries()) {
        const owner = new ApiClient(entry);
        owner.useCookieOf(lab.owner);
        const terminal = await TerminalClient.connect(owner, nginx.url, lab.session.id, "node1", {
          terminal: `t${i}`,
        });
        terminal.send(`echo on-$(hostname)-$((40+2))\n`);
        await terminal.waitForOutput(/on-node1-42/, 30_000);
        terminal.close();
      }
    }
  });

  it("proxies a node's port on the second engine (a relay over its API) and on the first, through either process", async () => {
    for (const engine of ["second", "local"]) {
      const lab = labs.find((l) => l.engine === engine)!;
      const terminal = await TerminalClient.connect(lab.owner, nginx.url, lab.session.id, "node1", { terminal: "web" });
      terminal.send(
        "cd /tmp && echo relay-body-$((6*7)) > index.html && (python3 -m http.server 8080 >/dev/null 2>&1 &)\n",
      );
      for (const entry of entries()) {
        const owner = new ApiClient(entry);
        owner.useCookieOf(lab.owner);
        const res = await waitFor(
          `port 8080 of ${engine} through ${entry}`,
          async () => {
            const r = await fetch(`${entry}/ports/${lab.session.id}/node1/8080/index.html`, {
              headers: { cookie: owner.cookieHeader! },
            });
            return r.status === 200 ? r : undefined;
          },
          30_000,
          200,
        );
        assert.match(await res.text(), /relay-body-42/);
        // Nothing listens on 8081: the friendly "port closed" answer, as for a direct connection.
        const closed = await fetch(`${entry}/ports/${lab.session.id}/node1/8081/`, {
          headers: { cookie: owner.cookieHeader!, accept: "application/json" },
        });
        assert.equal(closed.status, 502, `${engine} via ${entry}`);
        assert.equal(((await closed.json()) as { error: { code: string } }).error.code, "port_closed");
      }
      terminal.close();
    }
  });

  it("shows the engines and their load on /admin/engines in Chromium, where an admin drains one", async () => {
    const page = await newPage({ locale: "es-ES" });
    await logInPageAs(page, admin, nginx.url);
    await page.goto(`${nginx.url}/admin/engines`);
    await page.getByRole("heading", { name: "Motores Docker" }).waitFor();
    const row = (name: string) => page.locator(`[data-testid=admin-engines] tr[data-engine=${name}]`);
    assert.equal(await row("local").getAttribute("data-state"), "up");
    assert.equal((await row("local").locator("[data-testid=engine-sessions]").textContent())?.trim(), "4 de 5");
    assert.equal((await row("second").locator("[data-testid=engine-sessions]").textContent())?.trim(), "2 de 3");
    page.once("dialog", (dialog) => void dialog.accept());
    await row("second").locator("[data-testid=engine-drain]").click();
    await page.locator("[data-testid=admin-engines] tr[data-engine=second][data-draining=true]").waitFor();
    assert.match((await row("second").textContent()) ?? "", /En vaciado/);
    await row("second").locator("[data-testid=engine-undrain]").click();
    await page.locator("[data-testid=admin-engines] tr[data-engine=second][data-draining=false]").waitFor();
    // The page's drain went through the API: audited, then lifted.
    const audit = await sql.query(
      "SELECT action FROM audit_log WHERE target_type = 'engine' AND target_id = 'second' ORDER BY id",
    );
    assert.deepEqual(
      audit.rows.map((r: { action: string }) => r.action),
      ["engine.drained", "engine.undrained"],
    );
  });

  it("an admin's drain keeps new sessions off an engine until it is lifted", async () => {
    const drained = await admin.request<TAdminEngineList>("PUT", "/api/admin/engines/second", { draining: true });
    assert.equal(drained.status, 200);
    assert.equal(drained.body.engines.find((e) => e.name === "second")!.draining, true);
    // Second has the larger free share (1/3 against 1/5), yet the drain sends the session to local.
    const lab = await startLab("After the drain", servers[1]!.url);
    assert.equal(lab.engine, "local");
    const audit = await sql.query(
      "SELECT action FROM audit_log WHERE target_type = 'engine' AND target_id = 'second' ORDER BY id",
    );
    assert.deepEqual(
      audit.rows.map((r: { action: string }) => r.action),
      ["engine.drained", "engine.undrained", "engine.drained"],
    );
    const lifted = await admin.request<TAdminEngineList>("PUT", "/api/admin/engines/second", { draining: false });
    assert.equal(lifted.body.engines.find((e) => e.name === "second")!.draining, false);
    assert.equal((await admin.request("PUT", "/api/admin/engines/nowhere", { draining: true })).status, 404);
    // The lab took the last place on local: end it, so the next case has room there.
    assert.equal((await lab.owner.request("DELETE", `/api/sessions/${lab.session.id}`)).status, 204);
  });

  it("an engine silent for less than ENGINE_LOST_AFTER keeps its sessions, and takes no new ones meanwhile", async () => {
    await second.pause();
    let silent: { owner: ApiClient; id: string } | undefined;
    try {
      // The admin view and the create both go to the first process, which checks the engine itself.
      await waitFor(
        "the second engine to be seen as not answering",
        async () =>
          (await enginesView()).engines.find((e) => e.name === "second")!.state === "down" ? true : undefined,
        LOST_AFTER_SECONDS * 1000,
        100,
      );
      // Second has the larger free share (1/3 against 1/5), but it does not answer: the session goes to local.
      const owner = new ApiClient(servers[0]!.url);
      await owner.loginAsGuest("While silent");
      const created = await owner.request<TSession>("POST", "/api/sessions", { lesson: "solo" });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      silent = { owner, id: created.body.id };
      assert.equal(
        await waitFor("the placement", async () => (await engineOf(created.body.id)) ?? undefined, 10_000, 50),
        "local",
      );
    } finally {
      await second.unpause();
    }
    await waitFor(
      "the second engine to answer again",
      async () => ((await enginesView()).engines.find((e) => e.name === "second")!.state === "up" ? true : undefined),
      15_000,
      100,
    );
    for (const lab of labs.filter((l) => l.engine === "second")) {
      assert.equal((await lab.owner.getSession(lab.session.id)).status, "ready");
      const terminal = await TerminalClient.connect(lab.owner, nginx.url, lab.session.id, "node1", {
        terminal: "back",
      });
      terminal.send("echo back-$((40+2))\n");
      await terminal.waitForOutput(/back-42/, 30_000);
      terminal.close();
    }
    // Its place on local is needed by the next case.
    const settled = await silent.owner.waitUntilSettled(silent.id, 180_000);
    assert.equal(settled.status, "ready");
    assert.equal((await silent.owner.request("DELETE", `/api/sessions/${silent.id}`)).status, 204);
  });

  it("when the second engine stops, its sessions fail with engine_lost and new sessions go to the first", async (t) => {
    const stopped = Date.now();
    await second.stop();
    const onSecond = labs.filter((l) => l.engine === "second");
    for (const lab of onSecond) {
      const failed = await lab.owner.waitForStatus(lab.session.id, "failed", (LOST_AFTER_SECONDS + 20) * 1000);
      assert.equal(failed.stopReason?.code, "engine_lost");
    }
    const took = Date.now() - stopped;
    t.diagnostic(`sessions failed ${took} ms after the engine stopped (ENGINE_LOST_AFTER ${LOST_AFTER_SECONDS} s)`);
    assert.ok(took >= LOST_AFTER_SECONDS * 1000 - 1000, `failed after ${took} ms, before ENGINE_LOST_AFTER`);
    // The first engine's sessions are untouched.
    for (const lab of labs.filter((l) => l.engine === "local")) {
      assert.equal((await lab.owner.getSession(lab.session.id)).status, "ready");
    }
    const view = await enginesView();
    const secondView = view.engines.find((e) => e.name === "second")!;
    assert.equal(secondView.state, "down");
    assert.ok(secondView.lastError);
    assert.equal(secondView.sessions, 0);
    const next = await startLab("After the loss", nginx.url);
    assert.equal(next.engine, "local");
    const page = await newPage();
    await logInPageAs(page, admin, nginx.url);
    await page.goto(`${nginx.url}/admin/engines`);
    const down = page.locator("[data-testid=admin-engines] tr[data-engine=second][data-state=down]");
    await down.waitFor();
    assert.match((await down.textContent()) ?? "", /Not answering since/);
  });
});

// The warm pool (issue 14): ready sessions with no owner, claimed by POST /api/sessions.
// One server lineage on one database: fill, claim, a burst of creates, refill, restarts (graceful,
// kill -9), then POOL_MAX_AGE and POOL_SIZE=0 on restarts with other settings.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import type { TSession } from "@kubelab/shared";
import { countLabelled, docker } from "./support/docker-objects";
import { useDatabaseClient } from "./support/database-client";
import { useKubelab } from "./support/lab-fixture";
import { KubelabServer } from "./support/kubelab-server";
import { TerminalClient } from "./support/terminal-client";
import { waitFor } from "./support/wait-for";

const ORIGIN = "http://localhost:4302";
const POOL_SIZE = 5;
const ENV = {
  PUBLIC_URL: ORIGIN,
  POOL_SIZE: String(POOL_SIZE),
  POOL_CONCURRENCY: "5",
  MAX_SESSIONS: "40",
  REAPER_INTERVAL: "2s",
  // Five builds at once on a busy 2-core CI machine can take minutes; a timeout would fail them.
  NODE_READY_TIMEOUT: "300s",
};

interface Row {
  id: string;
  status: string;
  owner_id: string | null;
  pool_key: string | null;
  status_reason: string | null;
  pooled_at: Date | null;
}

describe("warm pool", () => {
  const lab = useKubelab({ env: ENV });
  const db = useDatabaseClient(lab);

  const rows = async (): Promise<Row[]> =>
    (
      await db.client.query<Row>(
        "SELECT id, status::text, owner_id, pool_key, status_reason, pooled_at FROM lab_sessions ORDER BY created_at",
      )
    ).rows;
  const pooled = async () => (await rows()).filter((r) => r.status === "pooled");
  const poolBuilds = async () => (await rows()).filter((r) => r.status === "provisioning" && r.owner_id === null);

  /** Waits until the pool holds exactly `size` pooled sessions and builds nothing more. */
  async function poolSettled(size: number, timeoutMs = 300_000): Promise<Row[]> {
    return waitFor(
      `${size} pooled sessions`,
      async () => {
        const now = await pooled();
        return now.length === size && (await poolBuilds()).length === 0 ? now : undefined;
      },
      timeoutMs,
      250,
    );
  }

  /** Names of the instance's labelled containers whose session the database does not have as live. */
  async function orphanContainers(): Promise<string[]> {
    const live = new Set(
      (await rows()).filter((r) => ["provisioning", "pooled", "ready", "ending"].includes(r.status)).map((r) => r.id),
    );
    const containers = await docker.listContainers({
      all: true,
      filters: { label: [`kubelab.instance=${lab.server.instanceId}`] },
    });
    return containers.filter((c) => !live.has(c.Labels["kubelab.session"] ?? "")).map((c) => c.Names[0] ?? c.Id);
  }

  /**
   * Every labelled container of the instance belongs to a live session, within the cleanup bound
   * the server promises: DELETE waits DOCKER_TIMEOUT (30 s) for the removal and records the session
   * as ended after that even when Docker is slow; the removal goes on and the reaper's sweep
   * (REAPER_INTERVAL 2s) takes whatever is left. A leak stays past that bound and fails here.
   */
  async function assertNoOrphans(): Promise<void> {
    const deadline = Date.now() + 90_000;
    let orphans = await orphanContainers();
    while (orphans.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      orphans = await orphanContainers();
    }
    assert.deepEqual(orphans, [], "containers without a live session");
  }

  it("fills to POOL_SIZE with sessions nobody owns, sees or can open", async () => {
    const filled = await poolSettled(POOL_SIZE);
    for (const row of filled) {
      assert.equal(row.owner_id, null);
      assert.equal(row.pool_key, "kubelab/node-offline:latest");
      const containers = await docker.listContainers({ filters: { label: [`kubelab.session=${row.id}`] } });
      assert.equal(containers.length, 2);
      for (const c of containers) assert.equal(c.Labels["kubelab.owner"], "pool");
    }
    const stranger = lab.server.client();
    await stranger.loginAsGuest("Mallory");
    assert.deepEqual((await stranger.request<{ sessions: TSession[] }>("GET", "/api/sessions")).body.sessions, []);
    const target = filled[0]!.id;
    assert.equal((await stranger.request("GET", `/api/sessions/${target}`)).status, 404);
    assert.equal((await stranger.request("DELETE", `/api/sessions/${target}`)).status, 404);
    const refused = await TerminalClient.refusal(stranger, ORIGIN, target, "node1");
    assert.equal(refused.status, 404);
    assert.equal((await pooled()).length, POOL_SIZE, "nothing a stranger did touched the pool");
  });

  it("claim: POST answers 201 ready with the expiry counted from now, a terminal opens at once, the pool refills", async () => {
    const before = new Set((await pooled()).map((r) => r.id));
    const user = lab.server.client();
    const me = await user.loginAsGuest("Claire");
    const t0 = Date.now();
    const res = await user.request<TSession>("POST", "/api/sessions", {});
    assert.equal(res.status, 201);
    const session = res.body;
    assert.equal(session.status, "ready");
    assert.ok(before.has(session.id), "it is one of the pooled sessions");
    assert.deepEqual(
      session.nodes.map((n) => n.status),
      ["running", "running"],
    );
    const lifetime = Date.parse(session.expiresAt) - Date.parse(session.createdAt);
    assert.equal(lifetime, 2 * 3600 * 1000, "SESSION_DURATION from the claim");
    assert.ok(Math.abs(Date.parse(session.createdAt) - t0) < 5_000, "createdAt is the claim");
    const terminal = await TerminalClient.connect(user, ORIGIN, session.id, "node1");
    terminal.send("echo claimed-$((6*7))\n");
    await terminal.waitForOutput(/claimed-42/);
    terminal.close();
    const afterClaim = await pooled();
    // The owner everywhere the server reads it: the database and the user's list.
    const row = (await rows()).find((r) => r.id === session.id)!;
    assert.equal(row.owner_id, me.id);
    assert.equal(row.status, "ready");
    const mine = (await user.request<{ sessions: TSession[] }>("GET", "/api/sessions")).body.sessions;
    assert.deepEqual(
      mine.map((s) => s.id),
      [session.id],
    );
    assert.equal((await user.request("DELETE", `/api/sessions/${session.id}`)).status, 204);
    assert.equal(afterClaim.length, before.size - 1);
    const refilled = await poolSettled(POOL_SIZE);
    assert.equal(refilled.filter((r) => before.has(r.id)).length, before.size - 1, "the claimed one was replaced");
  });

  it("20 users creating at once against 5 pooled sessions: 5 claims, 15 cold sessions, all distinct", async () => {
    const pool = new Set((await poolSettled(POOL_SIZE)).map((r) => r.id));
    const users = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const client = lab.server.client();
        await client.loginAsGuest(`Burst ${i}`);
        return client;
      }),
    );
    const created = await Promise.all(users.map((u) => u.request<TSession>("POST", "/api/sessions", {})));
    assert.deepEqual(
      created.map((r) => r.status),
      Array(20).fill(201),
    );
    const sessions = created.map((r) => r.body);
    assert.equal(new Set(sessions.map((s) => s.id)).size, 20, "no session handed out twice");
    const claimed = sessions.filter((s) => s.status === "ready");
    assert.equal(claimed.length, POOL_SIZE);
    for (const s of claimed) assert.ok(pool.has(s.id));
    assert.ok(
      sessions.filter((s) => s.status !== "ready").every((s) => s.status === "provisioning" && !pool.has(s.id)),
    );
    // Each user sees exactly their own one.
    await Promise.all(
      users.map(async (u, i) => {
        const list = (await u.request<{ sessions: TSession[] }>("GET", "/api/sessions")).body.sessions;
        assert.deepEqual(
          list.map((s) => s.id),
          [sessions[i]!.id],
        );
      }),
    );
    await Promise.all(
      users.map(async (u, i) =>
        assert.equal((await u.request("DELETE", `/api/sessions/${sessions[i]!.id}`)).status, 204),
      ),
    );
    await poolSettled(POOL_SIZE);
    await assertNoOrphans();
  });

  it("graceful restart: pooled sessions adopted, none lost or duplicated", async () => {
    const before = (await poolSettled(POOL_SIZE)).map((r) => r.id).sort();
    await lab.server.stop();
    lab.server = await lab.server.restart();
    // A few refill passes (REAPER_INTERVAL 2s) must not build more.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const after = (await poolSettled(POOL_SIZE)).map((r) => r.id).sort();
    assert.deepEqual(after, before);
    assert.equal((await countLabelled(lab.server.instanceId)).containers, 2 * POOL_SIZE, "only the pool runs");
    // Still claimable after the restart.
    const user = lab.server.client();
    await user.loginAsGuest("After restart");
    const claimed = await user.createSession();
    assert.equal(claimed.status, "ready");
    assert.ok(before.includes(claimed.id));
    assert.equal((await user.request("DELETE", `/api/sessions/${claimed.id}`)).status, 204);
  });

  it("kill -9 during a refill: the half-built pool session is failed and cleaned, the rest adopted", async () => {
    await poolSettled(POOL_SIZE);
    const user = lab.server.client();
    await user.loginAsGuest("Before kill");
    const claimed = await user.createSession();
    assert.equal(claimed.status, "ready");
    const building = await waitFor(
      "a refill build with containers",
      async () => {
        const [b] = await poolBuilds();
        return b && (await countLabelled(lab.server.instanceId, b.id)).containers > 0 ? b : undefined;
      },
      30_000,
      50,
    );
    const kept = (await pooled()).map((r) => r.id).sort();
    assert.equal(kept.length, POOL_SIZE - 1);
    await lab.server.kill();
    lab.server = await lab.server.restart();
    const halfBuilt = (await rows()).find((r) => r.id === building.id)!;
    assert.equal(halfBuilt.status, "failed");
    assert.equal(halfBuilt.status_reason, "server_restarted");
    assert.deepEqual(await countLabelled(lab.server.instanceId, building.id), {
      containers: 0,
      networks: 0,
      volumes: 0,
    });
    const after = await poolSettled(POOL_SIZE);
    for (const id of kept)
      assert.ok(
        after.some((r) => r.id === id),
        `pooled ${id} adopted`,
      );
    assert.equal((await user.getSession(claimed.id)).status, "ready", "the claimed session survived too");
    assert.equal((await user.request("DELETE", `/api/sessions/${claimed.id}`)).status, 204);
    await assertNoOrphans();
  });

  it("POOL_MAX_AGE: an over-age pooled session is replaced by a fresh one", async () => {
    const earlier = (await pooled()).map((r) => r.id);
    await lab.server.stop();
    lab.server = await KubelabServer.start({
      ...lab.server.options,
      env: { ...ENV, POOL_SIZE: "1", POOL_MAX_AGE: "20s" },
      instanceId: lab.server.instanceId,
      port: lab.server.port,
    });
    const [first] = await poolSettled(1);
    const firstPooledAt = first!.pooled_at!.getTime();
    const [second] = await waitFor(
      "the pooled session to be replaced",
      async () => {
        const now = await pooled();
        return now.length === 1 && now[0]!.id !== first!.id ? now : undefined;
      },
      120_000,
      500,
    );
    const replaced = (await rows()).find((r) => r.id === first!.id)!;
    assert.ok(["ending", "ended"].includes(replaced.status));
    assert.equal(replaced.status_reason, "pool_replaced");
    assert.ok(second!.pooled_at!.getTime() - firstPooledAt >= 20_000, "not replaced before its time");
    // The earlier ones went, over age (replaced) or beyond the new size (shrunk), none claimed.
    for (const id of earlier.filter((e) => e !== first!.id)) {
      const row = (await rows()).find((r) => r.id === id)!;
      assert.ok(["pool_replaced", "pool_shrunk"].includes(row.status_reason ?? ""), `${id}: ${row.status_reason}`);
      assert.equal(row.owner_id, null);
    }
  });

  it("POOL_SIZE=0: the pool empties and nothing is built", async () => {
    await lab.server.stop();
    lab.server = await KubelabServer.start({
      ...lab.server.options,
      env: { ...ENV, POOL_SIZE: "0" },
      instanceId: lab.server.instanceId,
      port: lab.server.port,
    });
    await poolSettled(0, 60_000);
    await waitFor(
      "the pool's Docker objects to go",
      async () => ((await countLabelled(lab.server.instanceId)).containers === 0 ? true : undefined),
      120_000,
      250,
    );
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    assert.equal((await poolBuilds()).length + (await pooled()).length, 0);
    assert.deepEqual(await countLabelled(lab.server.instanceId), { containers: 0, networks: 0, volumes: 0 });
    // Cold creates as before.
    const user = lab.server.client();
    await user.loginAsGuest("Cold");
    const cold = await user.createSession();
    assert.equal(cold.status, "provisioning");
    assert.equal((await user.waitUntilSettled(cold.id)).status, "ready");
    assert.equal((await user.request("DELETE", `/api/sessions/${cold.id}`)).status, 204);
  });
});

// A lesson with one node cannot take the pool's node1+node2 session: it is the "other shape" that
// needs a cold session when MAX_SESSIONS is full of pooled ones.
const SOLO =
  "---\ntitle: Solo\ndescription: One node.\nduration: 20\ndifficulty: beginner\nnodes: [node1]\n" +
  "image: kubelab/node-offline:latest\ntags: [test]\n---\n## Step\n\ntext\n";
const UNBUILT = "kubelab/node-not-built:pool-test";

describe("warm pool at full capacity", () => {
  const lessons = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-pool-lessons-"));
  fs.mkdirSync(path.join(lessons, "solo"));
  fs.writeFileSync(path.join(lessons, "solo", "en.md"), SOLO);
  const lab = useKubelab({
    env: {
      LESSONS_DIR: lessons,
      NODE_IMAGES: `kubelab/node-offline:latest,${UNBUILT}`,
      POOL_SIZE: "1",
      POOL_SIZES: `${UNBUILT}=2`,
      MAX_SESSIONS: "1",
      // No waiting queue: a full installation refuses at once (session-queue.test.ts covers the queue).
      MAX_QUEUE: "0",
      REAPER_INTERVAL: "2s",
      NODE_READY_TIMEOUT: "300s",
    },
  });
  const db = useDatabaseClient(lab);
  after(() => fs.rmSync(lessons, { recursive: true, force: true }));
  const rows = async () =>
    (
      await db.client.query<Row>(
        "SELECT id, status::text, owner_id, pool_key, status_reason, pooled_at FROM lab_sessions",
      )
    ).rows;

  it("users beat the pool: a cold create evicts a pooled session instead of answering no_capacity", async () => {
    const [pooledOne] = await waitFor(
      "one pooled session",
      async () => {
        const r = (await rows()).filter((x) => x.status === "pooled");
        return r.length === 1 ? r : undefined;
      },
      300_000,
      250,
    );
    const user = lab.server.client();
    await user.loginAsGuest("Solo");
    const res = await user.request<TSession>("POST", "/api/sessions", { lesson: "solo" });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.status, "provisioning", "a one-node lesson does not take the two-node pool session");
    const evicted = (await rows()).find((r) => r.id === pooledOne!.id)!;
    assert.ok(["ending", "ended"].includes(evicted.status));
    assert.equal(evicted.status_reason, "pool_evicted");
    // The installation is full with the user's session: nobody else, and no pool build, gets in.
    const other = lab.server.client();
    await other.loginAsGuest("Late");
    const refused = await other.request<{ error: { code: string } }>("POST", "/api/sessions", {});
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error.code, "no_capacity");
    assert.equal((await user.waitUntilSettled(res.body.id)).status, "ready");
    assert.equal(
      (await rows()).filter((r) => r.owner_id === null && ["provisioning", "pooled"].includes(r.status)).length,
      0,
    );
    // Once the user is done, the pool takes the place back.
    assert.equal((await user.request("DELETE", `/api/sessions/${res.body.id}`)).status, 204);
    await waitFor(
      "the pool to refill",
      async () => ((await rows()).some((r) => r.status === "pooled") ? true : undefined),
      300_000,
      250,
    );
  });

  it("a pool whose image is not on the engine is skipped with one warning, not a loop of failures", async () => {
    assert.equal((await rows()).filter((r) => r.pool_key === UNBUILT).length, 0);
    const warnings = lab.server.logs().match(/The pool of kubelab\/node-not-built:pool-test stays empty/g) ?? [];
    assert.equal(warnings.length, 1);
  });
});

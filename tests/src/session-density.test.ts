// A host holds more sessions than Docker's default address pools allow (about 31 bridge networks):
// each session network gets a small block of NODE_SUBNETS, recorded in PostgreSQL, freed with the
// session, kept across restarts, and exhaustion is a clean 503. Real server, database and Docker.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import pg from "pg";
import type { TSession } from "@kubelab/shared";
import type { ApiClient } from "./support/api-client";
import { countLabelled, docker } from "./support/docker-objects";
import { oneNodeLessons } from "./support/one-node-lessons";
import { useKubelab, type LabFixture } from "./support/lab-fixture";
import { waitFor } from "./support/wait-for";

const SESSIONS = 60;

function toNumber(address: string): number {
  return address.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);
}

/** Whether `inner` (a.b.c.d/p or a bare address) lies inside `outer` (a.b.c.d/p). */
function inside(inner: string, outer: string): boolean {
  const [innerAddress, innerPrefix = "32"] = inner.split("/");
  const [outerAddress, outerPrefix] = outer.split("/");
  const size = 2 ** (32 - Number(outerPrefix));
  const start = toNumber(outerAddress!);
  const innerSize = 2 ** (32 - Number(innerPrefix));
  const base = toNumber(innerAddress!);
  return base >= start && base + innerSize <= start + size;
}

/** The IPv4 subnet Docker gave each of the instance's session networks, by session id. */
async function networkSubnets(instanceId: string): Promise<Map<string, string>> {
  const networks = await docker.listNetworks({ filters: { label: [`kubelab.instance=${instanceId}`] } });
  const subnets = new Map<string, string>();
  for (const network of networks) {
    const info = await docker.getNetwork(network.Id).inspect();
    const config = (info.IPAM?.Config ?? []) as { Subnet?: string }[];
    subnets.set(network.Labels?.["kubelab.session"] ?? "", config.map((c) => c.Subnet ?? "").join(","));
  }
  return subnets;
}

async function subnetRows(lab: LabFixture): Promise<{ subnet: string; session_id: string }[]> {
  const client = new pg.Client({ connectionString: lab.db.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ subnet: string; session_id: string }>(
      "SELECT subnet, session_id FROM session_subnets ORDER BY subnet",
    );
    return rows;
  } finally {
    await client.end();
  }
}

async function guests(lab: LabFixture, count: number): Promise<ApiClient[]> {
  const clients = Array.from({ length: count }, () => lab.server.client());
  for (const [i, client] of clients.entries()) await client.loginAsGuest(`Guest ${i}`);
  return clients;
}

describe("session density", () => {
  const RANGE = "10.216.0.0/22"; // 64 blocks of /28: room for 60 sessions, not for Docker's defaults
  const lab = useKubelab({
    env: {
      LESSONS_DIR: oneNodeLessons(),
      NODE_SUBNETS: RANGE,
      MAX_SESSIONS: String(SESSIONS + 10),
      MAX_SESSIONS_PER_USER: "1",
      // Sixty networks and containers at once queue up in one Docker engine on a small CI machine.
      DOCKER_TIMEOUT: "180s",
      NODE_READY_TIMEOUT: "600s",
      NODE_MEMORY: "512m",
      LOGIN_RATE_LIMIT: "1000",
    },
  });

  it(`runs ${SESSIONS} sessions at once, each on its own /28 of NODE_SUBNETS, and frees every block after`, async () => {
    const users = await guests(lab, SESSIONS);
    const started = Date.now();
    const created = await Promise.all(
      users.map((user) => user.request<TSession>("POST", "/api/sessions", { lesson: "solo" })),
    );
    for (const res of created) assert.equal(res.status, 201, JSON.stringify(res.body));
    // Every session's node is running on its network: sixty session networks exist at once. (Waiting
    // for sixty inner Docker engines to answer as well would take minutes on a 2-core CI machine and
    // prove nothing more about addresses.)
    const settled = await Promise.all(
      created.map((res, i) =>
        waitFor(
          `session ${res.body.id} to have its node running`,
          async () => {
            const session = await users[i]!.getSession(res.body.id);
            const over = session.status === "failed" || session.status === "ended";
            return over || session.nodes[0]?.ip ? session : undefined;
          },
          8 * 60_000,
          500,
        ),
      ),
    );
    const broken = settled.filter((s) => s.status === "failed" || s.status === "ended");
    assert.deepEqual(
      broken.map((s) => `${s.id}: ${s.status} ${s.reason}`),
      [],
      "no session failed",
    );
    console.log(`${SESSIONS} sessions with their node running in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const subnets = await networkSubnets(lab.server.instanceId);
    assert.equal(subnets.size, SESSIONS, "one network per session");
    const rows = await subnetRows(lab);
    assert.equal(rows.length, SESSIONS, "one allocated block per session");
    for (const session of settled) {
      const subnet = subnets.get(session.id);
      assert.ok(subnet, `session ${session.id} has a network`);
      assert.match(subnet, /^\d+\.\d+\.\d+\.\d+\/28$/, "a single /28");
      assert.ok(inside(subnet, RANGE), `${subnet} lies in NODE_SUBNETS ${RANGE}`);
      assert.equal(
        rows.find((row) => row.session_id === session.id)?.subnet,
        subnet,
        "Docker has the block we recorded",
      );
      const ip = session.nodes[0]?.ip;
      assert.ok(ip && inside(ip, subnet), `node1 (${ip}) is on ${subnet}`);
    }
    assert.equal(new Set(subnets.values()).size, SESSIONS, "no two sessions share a block");

    const deleted = await Promise.all(settled.map((s, i) => users[i]!.request("DELETE", `/api/sessions/${s.id}`)));
    for (const res of deleted) assert.equal(res.status, 204);
    await waitFor(
      "every network to be removed",
      async () => ((await countLabelled(lab.server.instanceId)).networks === 0 ? true : undefined),
      120_000,
    );
    await waitFor("every block to be free", async () => ((await subnetRows(lab)).length === 0 ? true : undefined));
  });
});

describe("session subnet exhaustion", () => {
  const RANGE = "10.216.8.0/27"; // two /28 blocks
  const lab = useKubelab({
    env: {
      LESSONS_DIR: oneNodeLessons(),
      NODE_SUBNETS: RANGE,
      MAX_SESSIONS: "10",
      MAX_SESSIONS_PER_USER: "1",
      // A shared CI machine can be slow to start inner engines; readiness is not what is tested here.
      NODE_READY_TIMEOUT: "600s",
      DOCKER_TIMEOUT: "120s",
    },
  });

  it("answers 503 no_capacity when no block is left, leaves nothing behind, and keeps blocks across a restart", async () => {
    const [first, second, third] = await guests(lab, 3);
    const a = await first!.request<TSession>("POST", "/api/sessions", { lesson: "solo" });
    const b = await second!.request<TSession>("POST", "/api/sessions", { lesson: "solo" });
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    const refused = await third!.request<{ error: { code: string; message: string } }>("POST", "/api/sessions", {
      lesson: "solo",
    });
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error.code, "no_capacity");
    assert.match(refused.body.error.message, /All 2 session networks/);
    // Nothing of the refused create remains: no session, no block, no Docker objects beyond the two.
    assert.deepEqual((await third!.request<{ sessions: TSession[] }>("GET", "/api/sessions")).body.sessions, []);
    for (const [user, res] of [
      [first!, a],
      [second!, b],
    ] as const) {
      assert.equal((await user.waitUntilSettled(res.body.id, 10 * 60_000)).status, "ready");
    }
    const before = await subnetRows(lab);
    assert.deepEqual(
      before.map((row) => row.subnet),
      ["10.216.8.0/28", "10.216.8.16/28"],
    );
    assert.deepEqual(await countLabelled(lab.server.instanceId), { containers: 2, networks: 2, volumes: 2 });

    // After a restart the blocks are still taken: the third create is still refused, not given a used block.
    await lab.server.stop();
    lab.server = await lab.server.restart();
    assert.deepEqual(await subnetRows(lab), before);
    const again = await third!.request<{ error: { code: string } }>("POST", "/api/sessions", { lesson: "solo" });
    assert.equal(again.status, 503);
    assert.equal(again.body.error.code, "no_capacity");
    assert.equal((await first!.getSession(a.body.id)).status, "ready");

    // Ending a session frees its block once its network is gone; the next session gets exactly that block.
    assert.equal((await first!.request("DELETE", `/api/sessions/${a.body.id}`)).status, 204);
    await waitFor("the first block to be free", async () =>
      (await subnetRows(lab)).some((row) => row.session_id === a.body.id) ? undefined : true,
    );
    const c = await third!.request<TSession>("POST", "/api/sessions", { lesson: "solo" });
    assert.equal(c.status, 201);
    assert.equal((await third!.waitUntilSettled(c.body.id, 10 * 60_000)).status, "ready");
    const subnets = await networkSubnets(lab.server.instanceId);
    assert.equal(subnets.get(c.body.id), "10.216.8.0/28");
    assert.equal(subnets.get(b.body.id), "10.216.8.16/28");
    for (const [user, id] of [
      [second!, b.body.id],
      [third!, c.body.id],
    ] as const) {
      assert.equal((await user.request("DELETE", `/api/sessions/${id}`)).status, 204);
    }
    await waitFor("every block to be free", async () => ((await subnetRows(lab)).length === 0 ? true : undefined));
    assert.equal((await countLabelled(lab.server.instanceId)).networks, 0);
  });
});

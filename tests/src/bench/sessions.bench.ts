// Benchmark: time from "create session" to "ready" (and delete), Kubelab versus the same Docker work
// done directly with dockerode, measured interleaved in the same run. Figures, not a pass/fail test.
//   BENCH_SESSIONS=5  sessions per side      BENCH_PARALLEL=1  start all of them at once
//   BENCH_WARMUP=1    unmeasured pairs first (the server's first session also probes the security profile)
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import type { Container, HostConfig } from "dockerode";
import type { TSession } from "@kubelab/shared";
import type { ApiClient } from "../support/api-client";
import { cell, compare, formatRatio, percentile, settleAll, stats, type Stats } from "./bench-stats";
import { docker, execIn, removeInstanceObjects } from "../support/docker-objects";
import { KubelabServer } from "../support/kubelab-server";
import { REPO_ROOT } from "../support/repo-paths";
import { startTestDatabase, type TestDatabase } from "../support/test-database";

type Profile = "privileged" | "capabilities";
interface SecurityModule {
  securityHostConfig(profile: Profile): HostConfig;
}
interface Up<H> {
  handle: H;
  ready: number;
  server?: number;
}
interface Runner<H> {
  up(tag: string): Promise<Up<H>>;
  down(handle: H): Promise<number>;
}
interface Sample {
  ready: number;
  remove: number;
  server?: number;
}

function intEnv(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} must be a whole number, got "${process.env[name]}"`);
  return value;
}

const N = Math.max(1, intEnv("BENCH_SESSIONS", 5));
const PARALLEL = process.env.BENCH_PARALLEL === "1";
const WARMUP = intEnv("BENCH_WARMUP", 1);
const BASELINE_POLL_MS = Math.max(1, intEnv("BENCH_BASELINE_POLL_MS", 50));
const CLIENT_POLL_MS = 100;
const TIMEOUT_MS = 120_000;
const RUN_ID = `b${randomBytes(4).toString("hex")}`;
const BENCH_LABEL = "kubelab.bench";
const NODES = ["node1", "node2"];
// Node limits identical on both sides: KubelabServer starts the server with NODE_MEMORY=1g, and
// NODE_CPUS / NODE_PIDS_LIMIT keep their defaults (1 and 4096).
const IMAGE = process.env.KUBELAB_TEST_NODE_IMAGE ?? "kubelab/node-offline:latest";
const MEMORY_BYTES = 1024 ** 3;
const NANO_CPUS = 1e9;
const PIDS_LIMIT = 4096;
const INNER_DOCKER_INFO = ["docker", "info", "--format", "{{.ServerVersion}}"];

function kubelabRunner(client: ApiClient, onReady: (sessionId: string) => Promise<void>): Runner<string> {
  return {
    async up() {
      const t0 = performance.now();
      const created = await client.createSession();
      let session: TSession = created;
      while (session.status !== "ready") {
        if (session.status !== "provisioning")
          throw new Error(`session ${session.id} ${session.status}: ${session.reason}`);
        if (performance.now() - t0 > TIMEOUT_MS) throw new Error(`session ${session.id} not ready in ${TIMEOUT_MS} ms`);
        await sleep(CLIENT_POLL_MS);
        session = await client.getSession(created.id);
      }
      const ready = performance.now() - t0;
      await onReady(session.id);
      return { handle: session.id, ready, server: Date.parse(session.readyAt ?? "") - Date.parse(session.createdAt) };
    },
    async down(id) {
      const t0 = performance.now();
      const res = await client.request("DELETE", `/api/sessions/${id}`);
      if (res.status !== 204) throw new Error(`DELETE ${id} answered ${res.status}: ${JSON.stringify(res.body)}`);
      return performance.now() - t0;
    },
  };
}

async function waitForInnerDocker(container: Container, deadline: number): Promise<void> {
  let last = "";
  while (performance.now() < deadline) {
    const { exitCode, output } = await execIn(container.id, INNER_DOCKER_INFO);
    if (exitCode === 0) return;
    last = output.trim();
    await sleep(BASELINE_POLL_MS);
  }
  throw new Error(`inner docker of ${container.id} did not answer: ${last}`);
}

/** The same Docker work as one Kubelab session, with nothing else around it. */
function baselineRunner(hostConfig: () => HostConfig): Runner<{ network: string; containers: Container[] }> {
  return {
    async up(tag) {
      const name = `kubelab-bench-${RUN_ID}-${tag}`;
      const Labels = { [BENCH_LABEL]: RUN_ID };
      const t0 = performance.now();
      await docker.createNetwork({ Name: name, Driver: "bridge", CheckDuplicate: true, Labels });
      const containers = await settleAll(
        NODES.map(async (node) => {
          const volume = `${name}-${node}-docker`;
          await docker.createVolume({ Name: volume, Labels });
          const container = await docker.createContainer({
            name: `${name}-${node}`,
            Hostname: node,
            Image: IMAGE,
            Labels,
            Env: [`KUBELAB_NODE=${node}`],
            HostConfig: {
              ...hostConfig(),
              Memory: MEMORY_BYTES,
              MemorySwap: MEMORY_BYTES,
              NanoCpus: NANO_CPUS,
              PidsLimit: PIDS_LIMIT,
              Mounts: [{ Type: "volume", Source: volume, Target: "/var/lib/docker" }],
              NetworkMode: name,
              RestartPolicy: { Name: "no" },
            },
            NetworkingConfig: { EndpointsConfig: { [name]: { Aliases: [node] } } },
          });
          await container.start();
          await waitForInnerDocker(container, t0 + TIMEOUT_MS);
          return container;
        }),
      );
      return { handle: { network: name, containers }, ready: performance.now() - t0 };
    },
    async down({ network, containers }) {
      const t0 = performance.now();
      await settleAll(containers.map((c) => c.remove({ force: true, v: true })));
      await docker.getNetwork(network).remove();
      await settleAll(NODES.map((node) => docker.getVolume(`${network}-${node}-docker`).remove()));
      return performance.now() - t0;
    },
  };
}

/** Brings up every tag at once (one tag = sequential), then takes them all down at once. */
async function batch<H>(runner: Runner<H>, tags: string[]): Promise<Sample[]> {
  const ups = await settleAll(tags.map((tag) => runner.up(tag)));
  const downs = await settleAll(ups.map((u) => runner.down(u.handle)));
  return ups.map((u, i) => ({ ready: u.ready, server: u.server, remove: downs[i] ?? Number.NaN }));
}

async function removeBenchObjects(): Promise<void> {
  const filters = { label: [`${BENCH_LABEL}=${RUN_ID}`] };
  const ignore = (): undefined => undefined;
  for (const c of await docker.listContainers({ all: true, filters })) {
    await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(ignore);
  }
  for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove().catch(ignore);
  for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) {
    await docker.getVolume(v.Name).remove({ force: true }).catch(ignore);
  }
}

const load1 = (): number => Math.round((os.loadavg()[0] ?? 0) * 100) / 100;

function report(profile: Profile, kubelab: Sample[], baseline: Sample[], loadBefore: number): void {
  const mode = PARALLEL ? `parallel (${N} at once)` : "sequential";
  // Other work on the machine skews both sides; the load average shows whether the run was quiet.
  const load = { before: loadBefore, after: load1(), cpus: os.cpus().length };
  console.log(`\nSessions: time to ready — N=${N}, ${mode}, warm-up ${WARMUP}, profile ${profile}, run ${RUN_ID}`);
  console.log(`1-min load average ${load.before} before, ${load.after} after, on ${load.cpus} CPUs\n`);
  console.log("   #  kubelab ready  (server)  baseline ready  kubelab delete  baseline teardown   [ms]");
  kubelab.forEach((k, i) => {
    const b = baseline[i];
    console.log(
      `${cell(i + 1, 4)}${cell(k.ready, 15)}${cell(k.server, 10)}${cell(b?.ready, 16)}${cell(k.remove, 16)}${cell(b?.remove, 19)}`,
    );
  });
  const rows: [string, Stats][] = [
    ["Kubelab ready (client-observed)", stats(kubelab.map((s) => s.ready))],
    ["Kubelab ready (server readyAt-createdAt)", stats(kubelab.map((s) => s.server ?? Number.NaN))],
    ["Baseline ready (direct dockerode)", stats(baseline.map((s) => s.ready))],
    ["Kubelab delete (DELETE -> 204)", stats(kubelab.map((s) => s.remove))],
    ["Baseline teardown (direct dockerode)", stats(baseline.map((s) => s.remove))],
  ];
  console.log(`\n${"".padEnd(42)}      p50      p95     mean   [ms]`);
  for (const [name, s] of rows) console.log(`${name.padEnd(42)}${cell(s.p50)}${cell(s.p95)}${cell(s.mean)}`);
  const [ready, serverReady, base, del, teardown] = rows.map(([, s]) => s) as [Stats, Stats, Stats, Stats, Stats];
  // Median of the per-pair differences: less sensitive to drift than the difference of the medians.
  const paired = (pick: (s: Sample) => number): number => {
    const diffs = kubelab.map((k, i) => pick(k) - pick(baseline[i] ?? k));
    return Math.round(percentile(diffs, 50));
  };
  const ratios = {
    ready: { ...compare(ready, base), pairedMedianOverheadMs: paired((s) => s.ready) },
    delete: { ...compare(del, teardown), pairedMedianOverheadMs: paired((s) => s.remove) },
  };
  console.log("");
  for (const [name, c] of Object.entries(ratios)) {
    const [p50, p95] = [formatRatio(c.ratioP50, c.overheadP50Ms), formatRatio(c.ratioP95, c.overheadP95Ms)];
    const pairedMs = `${c.pairedMedianOverheadMs >= 0 ? "+" : ""}${c.pairedMedianOverheadMs} ms`;
    console.log(`Kubelab/baseline ${name.padEnd(6)}  p50 ${p50.padEnd(20)} p95 ${p95.padEnd(20)} paired ${pairedMs}`);
  }
  const summary = { bench: "sessions", runId: RUN_ID, n: N, parallel: PARALLEL, warmup: WARMUP, profile, load };
  const figures = { kubelab: { ready, serverReady, delete: del }, baseline: { ready: base, teardown } };
  console.log(`\n${JSON.stringify({ ...summary, ...figures, kubelabVsBaseline: ratios })}`);
}

async function main(): Promise<void> {
  let db: TestDatabase | undefined;
  let server: KubelabServer | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      await server?.stop().catch(() => undefined);
      if (server) await removeInstanceObjects(server.instanceId).catch(() => undefined);
      await removeBenchObjects().catch(() => undefined);
      await db?.stop().catch(() => undefined);
    })());
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void cleanup().finally(() => process.exit(130)));
  }
  const loadBefore = load1();
  try {
    db = await startTestDatabase();
    server = await KubelabServer.start({
      databaseUrl: db.url,
      env: { MAX_SESSIONS_PER_USER: String(N), MAX_SESSIONS: String(Math.max(N, 20)), NODE_MEMORY: "1g" },
    });
    const client = server.client();
    await client.loginAsGuest("Benchmark");
    const modulePath = path.join(REPO_ROOT, "apps/api/dist/nodes/node-security-profile.js");
    const security = (await import(pathToFileURL(modulePath).href)) as SecurityModule;
    // Whatever NODE_SECURITY_PROFILE=auto resolved to, read off the first node Kubelab started.
    let profile: Profile | undefined;
    const kubelab = kubelabRunner(client, async (id) => {
      profile ??= (await docker.getContainer(`kubelab-${id}-node1`).inspect()).HostConfig.Privileged
        ? "privileged"
        : "capabilities";
    });
    const baseline = baselineRunner(() => security.securityHostConfig(profile ?? "capabilities"));
    for (let i = 0; i < WARMUP; i++) {
      await batch(kubelab, [`w${i}`]);
      await batch(baseline, [`w${i}`]);
    }
    const results = { kubelab: [] as Sample[], baseline: [] as Sample[] };
    const rounds = PARALLEL
      ? [Array.from({ length: N }, (_, i) => `p${i}`)]
      : Array.from({ length: N }, (_, i) => [`s${i}`]);
    for (const tags of rounds) {
      results.kubelab.push(...(await batch(kubelab, tags)));
      results.baseline.push(...(await batch(baseline, tags)));
      process.stderr.write(`  ${results.kubelab.length}/${N} done\n`);
    }
    report(profile ?? "capabilities", results.kubelab, results.baseline, loadBefore);
  } catch (error) {
    if (server) console.error(`--- server output (tail) ---\n${server.logs().slice(-3000)}`);
    throw error;
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

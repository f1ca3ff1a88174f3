// Benchmark: time from "create session" to "ready" and to the shell prompt over the terminal
// WebSocket (and delete), cold (built on demand; versus the same Docker work done directly with
// dockerode, interleaved), warm (claimed from the pool) and a classroom (a class clicking Start in
// one second). Figures, not a pass/fail test; see docs/benchmarks.md.
//   BENCH_CASES=cold,warm,classroom   which cases, in this order (default all)
//   BENCH_SESSIONS=5  cold sessions per side      BENCH_PARALLEL=1  start all of them at once
//   BENCH_WARMUP=1    unmeasured pairs first (the server's first session also probes the security profile)
//   BENCH_WARM_SESSIONS=10  warm claims           BENCH_WARM_POOL=2  POOL_SIZE of the warm server
//   BENCH_CLASSROOM_USERS=20  attendees (and POOL_SIZE)   BENCH_POOL_CONCURRENCY=2   BENCH_FILL_TIMEOUT_S=600
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import type { Container, HostConfig } from "dockerode";
import type { TSession } from "@kubelab/shared";
import type { ApiClient } from "../support/api-client";
import { settleAll } from "./bench-stats";
import { reportCold, reportWarm, type ColdSample } from "./sessions-report";
import { PoolWatch, classroomCase, warmCase, type ClassroomResult, type WarmSample } from "./sessions-warm";
import { dockerExecPrompt, kubelabPrompt } from "./session-prompt";
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
  prompt: number;
  server?: number;
}
interface Runner<H> {
  up(tag: string): Promise<Up<H>>;
  down(handle: H): Promise<number>;
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
const CASES = (process.env.BENCH_CASES ?? "cold,warm,classroom").split(",").map((c) => c.trim());
const WARM_N = Math.max(1, intEnv("BENCH_WARM_SESSIONS", 10));
const WARM_POOL = Math.max(1, intEnv("BENCH_WARM_POOL", 2));
const CLASS_USERS = Math.max(1, intEnv("BENCH_CLASSROOM_USERS", 20));
const POOL_CONCURRENCY = Math.max(1, intEnv("BENCH_POOL_CONCURRENCY", 2));
const FILL_TIMEOUT_MS = intEnv("BENCH_FILL_TIMEOUT_S", 600) * 1000;
// The terminal WebSocket checks Origin against PUBLIC_URL; nothing listens there.
const ORIGIN = "http://localhost:4399";
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
  // The attendee's view: POST sent → the session seen ready (polled) → a terminal's prompt.
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
      const prompt = (await kubelabPrompt(client, ORIGIN, session.id)).prompt - t0;
      await onReady(session.id);
      const server = Date.parse(session.readyAt ?? "") - Date.parse(session.createdAt);
      return { handle: session.id, ready, prompt, server };
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
      const ready = performance.now() - t0;
      // A login shell in node1 straight through the Docker API, the moment both engines answer.
      const prompt = (await dockerExecPrompt(`${name}-node1`)).prompt - t0;
      return { handle: { network: name, containers }, ready, prompt };
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
async function batch<H>(runner: Runner<H>, tags: string[]): Promise<ColdSample[]> {
  const ups = await settleAll(tags.map((tag) => runner.up(tag)));
  const downs = await settleAll(ups.map((u) => runner.down(u.handle)));
  return ups.map((u, i) => ({ ready: u.ready, prompt: u.prompt, server: u.server, remove: downs[i] ?? Number.NaN }));
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

type StartServer = (env: Record<string, string>) => Promise<KubelabServer>;

/** Cold: N sessions built on demand (POOL_SIZE=0), interleaved with the dockerode baseline. */
async function coldCase(
  start: StartServer,
): Promise<{ kubelab: ColdSample[]; baseline: ColdSample[]; profile: Profile }> {
  const server = await start({ MAX_SESSIONS_PER_USER: String(N), MAX_SESSIONS: String(Math.max(N, 20)) });
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
  const results = { kubelab: [] as ColdSample[], baseline: [] as ColdSample[] };
  const rounds = PARALLEL
    ? [Array.from({ length: N }, (_, i) => `p${i}`)]
    : Array.from({ length: N }, (_, i) => [`s${i}`]);
  for (const tags of rounds) {
    results.kubelab.push(...(await batch(kubelab, tags)));
    results.baseline.push(...(await batch(baseline, tags)));
    process.stderr.write(`  cold ${results.kubelab.length}/${N}\n`);
  }
  return { ...results, profile: profile ?? "capabilities" };
}

async function main(): Promise<void> {
  let db: TestDatabase | undefined;
  const servers: KubelabServer[] = [];
  let pool: PoolWatch | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      await pool?.close().catch(() => undefined);
      for (const server of servers) {
        await server.stop().catch(() => undefined);
        await removeInstanceObjects(server.instanceId).catch(() => undefined);
      }
      await removeBenchObjects().catch(() => undefined);
      await db?.stop().catch(() => undefined);
    })());
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void cleanup().finally(() => process.exit(130)));
  }
  const loads: Record<string, number> = { before: load1() };
  const start: StartServer = async (env) => {
    db ??= await startTestDatabase();
    const server = await KubelabServer.start({
      databaseUrl: db.url,
      env: { PUBLIC_URL: ORIGIN, NODE_MEMORY: "1g", NODE_READY_TIMEOUT: "600s", ...env },
    });
    servers.push(server);
    return server;
  };
  // Each case's server goes before the next one starts, so no case runs behind another's nodes.
  const retire = async (): Promise<void> => {
    await pool?.close();
    pool = undefined;
    const server = servers.at(-1);
    await server?.stop();
    if (server) await removeInstanceObjects(server.instanceId);
  };
  try {
    let cold: Awaited<ReturnType<typeof coldCase>> | undefined;
    let warm: WarmSample[] | undefined;
    let classroom: ClassroomResult | undefined;
    if (CASES.includes("cold")) {
      loads.cold = load1();
      cold = await coldCase(start);
      await retire();
    }
    if (CASES.includes("warm")) {
      loads.warm = load1();
      const server = await start({
        POOL_SIZE: String(WARM_POOL),
        POOL_CONCURRENCY: String(POOL_CONCURRENCY),
        MAX_SESSIONS: String(WARM_POOL + 2),
      });
      pool = await PoolWatch.open(db!.url, server.instanceId);
      warm = await warmCase(server, pool, ORIGIN, { n: WARM_N, poolSize: WARM_POOL });
      await retire();
    }
    if (CASES.includes("classroom")) {
      loads.classroom = load1();
      const startedAt = performance.now();
      // Room for the pool to refill behind the class, as it would in a real workshop.
      const server = await start({
        POOL_SIZE: String(CLASS_USERS),
        POOL_CONCURRENCY: String(POOL_CONCURRENCY),
        MAX_SESSIONS: String(2 * CLASS_USERS),
      });
      pool = await PoolWatch.open(db!.url, server.instanceId);
      classroom = await classroomCase(server, pool, ORIGIN, {
        users: CLASS_USERS,
        fillTimeoutMs: FILL_TIMEOUT_MS,
        serverStartedAt: startedAt,
      });
      loads.classroomEnd = load1();
      await retire();
    }
    loads.after = load1();
    const header = { bench: "sessions", runId: RUN_ID, cpus: os.cpus().length, loads };
    console.log(`\nbench:sessions run ${RUN_ID} — 1-min load averages ${JSON.stringify(loads)}, ${header.cpus} CPUs`);
    const coldFigures = cold
      ? reportCold(cold.kubelab, cold.baseline, { n: N, parallel: PARALLEL, warmup: WARMUP, profile: cold.profile })
      : undefined;
    const warmFigures = reportWarm(warm, classroom, coldFigures?.baselineReady, {
      warmPool: WARM_POOL,
      concurrency: POOL_CONCURRENCY,
    });
    console.log(`\n${JSON.stringify({ ...header, cold: coldFigures, ...warmFigures })}`);
  } catch (error) {
    const server = servers.at(-1);
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

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
import { performance } from "node:perf_hooks";
import { coldCase, removeBenchObjects, type StartServer } from "./sessions-cold";
import { reportCold, reportWarm } from "./sessions-report";
import { PoolWatch, classroomCase, warmCase, type ClassroomResult, type WarmSample } from "./sessions-warm";
import { removeInstanceObjects } from "../support/docker-objects";
import { KubelabServer } from "../support/kubelab-server";
import { startTestDatabase, type TestDatabase } from "../support/test-database";

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
const RUN_ID = `b${randomBytes(4).toString("hex")}`;
const CASES = (process.env.BENCH_CASES ?? "cold,warm,classroom").split(",").map((c) => c.trim());
const WARM_N = Math.max(1, intEnv("BENCH_WARM_SESSIONS", 10));
const WARM_POOL = Math.max(1, intEnv("BENCH_WARM_POOL", 2));
const CLASS_USERS = Math.max(1, intEnv("BENCH_CLASSROOM_USERS", 20));
const POOL_CONCURRENCY = Math.max(1, intEnv("BENCH_POOL_CONCURRENCY", 2));
const FILL_TIMEOUT_MS = intEnv("BENCH_FILL_TIMEOUT_S", 600) * 1000;
// The terminal WebSocket checks Origin against PUBLIC_URL; nothing listens there.
const ORIGIN = "http://localhost:4399";
const load1 = (): number => Math.round((os.loadavg()[0] ?? 0) * 100) / 100;

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
      await removeBenchObjects(RUN_ID).catch(() => undefined);
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
      const options = { n: N, parallel: PARALLEL, warmup: WARMUP, runId: RUN_ID, origin: ORIGIN };
      cold = await coldCase(start, { ...options, baselinePollMs: BASELINE_POLL_MS });
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

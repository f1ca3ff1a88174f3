// Benchmark: how a host fares as sessions pile up (issue 14, "a host must hold 100 sessions"). Creates
// sessions in batches, and at every checkpoint measures host memory, load, API latency and terminal
// latency with all earlier sessions idle. Figures, not a pass/fail test. The baseline, measured in the
// same run, is the first checkpoint: one session on the host; later latencies print their ratio to it.
//   BENCH_DENSITY_SESSIONS=100  sessions in all      BENCH_DENSITY_STEP=25  a checkpoint every this many
//   BENCH_DENSITY_BATCH=4       created at once      (sessions have the default two nodes)
// Ctrl-C stops adding sessions after the current batch, prints what was measured and cleans up.
import fs from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { TSession } from "@kubelab/shared";
import type { ApiClient } from "../support/api-client";
import { formatRatio, intEnv, percentile, settleAll } from "./bench-stats";
import { removeInstanceObjects } from "../support/docker-objects";
import { freePort } from "../support/free-port";
import { KubelabServer } from "../support/kubelab-server";
import { TerminalClient } from "../support/terminal-client";
import { startTestDatabase } from "../support/test-database";

const TOTAL = intEnv("BENCH_DENSITY_SESSIONS", 100);
const STEP = intEnv("BENCH_DENSITY_STEP", 25);
const BATCH = intEnv("BENCH_DENSITY_BATCH", 4);
const API_SAMPLES = 50;
const ECHO_SAMPLES = 20;
const SETTLE_MS = 15_000;

/** The next session count to measure at after `count`: 1 (the baseline), then every STEP, and TOTAL. */
function nextCheckpoint(count: number): number {
  return count < 1 ? 1 : Math.min(TOTAL, (Math.floor(count / STEP) + 1) * STEP);
}

/** Memory in use on the host (MemTotal - MemAvailable), in MiB. */
function usedMiB(): number {
  const info = fs.readFileSync("/proc/meminfo", "utf8");
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(info)?.[1] ?? NaN);
  return (kib("MemTotal") - kib("MemAvailable")) / 1024;
}

/** p50 / p95 of GET /api/sessions/:id, one request at a time, over the running sessions. */
async function apiLatency(users: ApiClient[], sessions: TSession[]): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < API_SAMPLES; i++) {
    const k = i % sessions.length;
    const start = performance.now();
    const res = await users[k]!.request("GET", `/api/sessions/${sessions[k]!.id}`);
    times.push(performance.now() - start);
    if (res.status !== 200) throw new Error(`GET session answered ${res.status}`);
  }
  return [percentile(times, 50), percentile(times, 95)];
}

/** Time to open a terminal (until hello) and p50 / p95 of an echo round trip, on the newest session. */
async function terminalLatency(user: ApiClient, origin: string, session: TSession): Promise<number[]> {
  const start = performance.now();
  const terminal = await TerminalClient.connect(user, origin, session.id, "node1");
  const open = performance.now() - start;
  try {
    await terminal.waitForOutput(/[#$] $/m, 20_000);
    const times: number[] = [];
    for (let i = 0; i < ECHO_SAMPLES; i++) {
      const from = terminal.output.length;
      const mark = `m${i}x${Date.now()}`;
      const sent = performance.now();
      terminal.send(`echo ${mark.toUpperCase()}\n`);
      await terminal.waitForOutput(new RegExp(`^${mark.toUpperCase()}\\r?$`, "m"), 20_000, from);
      times.push(performance.now() - sent);
    }
    return [open, percentile(times, 50), percentile(times, 95)];
  } finally {
    terminal.close();
  }
}

async function main(): Promise<void> {
  const db = await startTestDatabase();
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const server = await KubelabServer.start({
    databaseUrl: db.url,
    port,
    env: {
      PUBLIC_URL: origin,
      LOG_LEVEL: "warn",
      MAX_SESSIONS: String(TOTAL),
      MAX_SESSIONS_PER_USER: "1",
      LOGIN_RATE_LIMIT: "1000",
      NODE_READY_TIMEOUT: "600s",
    },
  });
  const users: ApiClient[] = [];
  const sessions: TSession[] = [];
  const baseline = usedMiB();
  const rows: string[] = [];
  // The 1-session checkpoint's p95s, which the later ones are compared with.
  let base: { apiP95: number; echoP95: number } | undefined;
  let stopping = false;
  process.once("SIGINT", () => (stopping = true));
  try {
    while (sessions.length < TOTAL && !stopping) {
      // Never past the next checkpoint, so every checkpoint is measured at exactly its count.
      const batch = Math.min(BATCH, nextCheckpoint(sessions.length) - sessions.length);
      const created = await settleAll(
        Array.from({ length: batch }, async (_, i) => {
          const user = server.client();
          await user.loginAsGuest(`Density ${sessions.length + i}`);
          const session = await user.waitUntilSettled((await user.createSession()).id, 15 * 60_000);
          if (session.status !== "ready") throw new Error(`session ${session.status}: ${session.reason}`);
          return { user, session };
        }),
      );
      for (const { user, session } of created) {
        users.push(user);
        sessions.push(session);
      }
      if (sessions.length !== nextCheckpoint(sessions.length - 1)) continue;
      await sleep(SETTLE_MS); // the newest nodes finish starting up before the idle figures are read
      const memory = usedMiB() - baseline;
      const [load1] = os.loadavg();
      const [apiP50, apiP95] = await apiLatency(users, sessions);
      const [open, echoP50, echoP95] = await terminalLatency(users.at(-1)!, origin, sessions.at(-1)!);
      base ??= { apiP95: apiP95!, echoP95: echoP95! };
      const row = [
        sessions.length,
        `${Math.round(memory)} MiB`,
        `${Math.round(memory / sessions.length)} MiB`,
        load1!.toFixed(1),
        `${apiP50!.toFixed(1)} / ${apiP95!.toFixed(1)} ms`,
        formatRatio(apiP95! / base.apiP95, Math.round(apiP95! - base.apiP95)),
        `${Math.round(open!)} ms`,
        `${echoP50!.toFixed(1)} / ${echoP95!.toFixed(1)} ms`,
        formatRatio(echoP95! / base.echoP95, Math.round(echoP95! - base.echoP95)),
      ];
      rows.push(`| ${row.join(" | ")} |`);
      console.log(rows.at(-1));
    }
  } finally {
    console.log(`\n${TOTAL} sessions (two nodes each) in batches of ${BATCH}, ${new Date().toISOString()}`);
    console.log(`${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 1024 ** 3)} GiB\n`);
    console.log(
      "| Sessions | Memory used (host) | Per session | Load (1 min) | API p50 / p95 | API p95 vs 1 | Terminal open | Echo p50 / p95 | Echo p95 vs 1 |",
    );
    console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const row of rows) console.log(row);
    await Promise.allSettled(sessions.map((s, i) => users[i]!.request("DELETE", `/api/sessions/${s.id}`)));
    await server.stop();
    await removeInstanceObjects(server.instanceId);
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

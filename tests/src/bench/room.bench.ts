// Benchmark: what the instructor's live room costs with a full class (issue 16). BENCH_ROOM_ATTENDEES
// guests (default 100) join one event, each with a one-node session; every one of them types into a
// terminal (a keystroke every BENCH_ROOM_KEY_MS, a command every 12 keys) and moves one step on in
// the lesson every BENCH_ROOM_STEP_SECONDS. Phases alternate, interleaved in the same run:
//   baseline: the class works, nobody watches the room;
//   room:     the same, with one instructor page's room stream (GET /api/events/:id/room/stream) open.
// Each phase reports the Kubelab server's CPU and PostgreSQL's (share of one core), and in room
// phases the messages and bytes per second that reach the instructor's page. The room's cost is the
// difference between the two kinds of phase.
//   BENCH_ROOM_ATTENDEES=100  BENCH_ROOM_PHASE_SECONDS=20  BENCH_ROOM_ROUNDS=3
//   BENCH_ROOM_KEY_MS=300     BENCH_ROOM_STEP_SECONDS=15   BENCH_ROOM_BATCH=4 (sessions created at once)
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import type { TEvent, TEventJoinResponse, TMeResponse } from "@kubelab/shared";
import type { ApiClient } from "../support/api-client";
import { removeInstanceObjects } from "../support/docker-objects";
import { freePort } from "../support/free-port";
import { KubelabServer } from "../support/kubelab-server";
import { TerminalClient } from "../support/terminal-client";
import { startTestDatabase } from "../support/test-database";
import { intEnv, settleAll } from "./bench-stats";
import { CORES, CpuMeter, postgresOnPort, processTree } from "./process-cpu";

const ATTENDEES = intEnv("BENCH_ROOM_ATTENDEES", 100);
const PHASE_SECONDS = intEnv("BENCH_ROOM_PHASE_SECONDS", 20);
const ROUNDS = intEnv("BENCH_ROOM_ROUNDS", 3);
const KEY_MS = intEnv("BENCH_ROOM_KEY_MS", 300);
const STEP_SECONDS = intEnv("BENCH_ROOM_STEP_SECONDS", 15);
const BATCH = intEnv("BENCH_ROOM_BATCH", 4);
const STEPS = 20;
const LESSON = "room-bench";

/** A one-node lesson of STEPS steps, so a hundred sessions fit on a small host. */
function benchLessons(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-room-bench-"));
  fs.mkdirSync(path.join(dir, LESSON));
  const steps = Array.from({ length: STEPS }, (_, i) => `## Step ${i + 1}\n\nRead, then type.\n`).join("\n");
  fs.writeFileSync(
    path.join(dir, LESSON, "en.md"),
    "---\ntitle: Room bench\ndescription: One node, many steps.\nduration: 60\ndifficulty: beginner\n" +
      `nodes: [node1]\nimage: kubelab/node-offline:latest\ntags: [bench]\n---\n${steps}`,
  );
  return dir;
}

interface Attendee {
  client: ApiClient;
  sessionId: string;
  terminal: TerminalClient;
  step: number;
}

/** What the class did during a phase: keystrokes sent and progress writes answered. */
interface Work {
  keys: number;
  steps: number;
  stepErrors: number;
}

/**
 * Every attendee types and moves through the lesson until `stop` aborts, each on its own random
 * phase so the load is spread like a real class rather than in lock-step bursts.
 */
function runClass(attendees: Attendee[], work: Work, stop: AbortSignal): Promise<void[]> {
  return Promise.all(
    attendees.map(async (attendee, index) => {
      const line = `echo a${index}-`;
      let typed = 0;
      let nextStep = Date.now() + Math.random() * STEP_SECONDS * 1000;
      await sleep(Math.random() * KEY_MS);
      while (!stop.aborted) {
        const key = typed % 12 === 11 ? "\r" : (line[typed % 12] ?? "x");
        attendee.terminal.send(key);
        typed++;
        work.keys++;
        if (Date.now() >= nextStep) {
          nextStep += STEP_SECONDS * 1000;
          const done = Array.from({ length: attendee.step + 1 }, (_, i) => i);
          attendee.step = (attendee.step + 1) % STEPS;
          void attendee.client
            .request("PUT", `/api/lessons/${LESSON}/progress`, { currentStep: attendee.step, doneSteps: done })
            .then((res) => (res.status === 200 ? work.steps++ : work.stepErrors++));
        }
        await sleep(KEY_MS);
      }
    }),
  );
}

/** The instructor's page's stream: counts `room` messages and bytes until closed. */
function openRoomStream(instructor: ApiClient, eventId: string): { messages: number; bytes: number; close(): void } {
  const counters = { messages: 0, bytes: 0 };
  const req = http.get(new URL(`/api/events/${eventId}/room/stream`, instructor.baseUrl), {
    headers: { cookie: instructor.cookieHeader ?? "" },
  });
  req.on("response", (res) => {
    if (res.statusCode !== 200) throw new Error(`room stream answered ${res.statusCode}`);
    res.on("data", (chunk: Buffer) => {
      counters.bytes += chunk.length;
      counters.messages += chunk.toString("utf8").split("event: room\n").length - 1;
    });
  });
  req.on("error", () => undefined);
  return {
    get messages() {
      return counters.messages;
    },
    get bytes() {
      return counters.bytes;
    },
    close: () => req.destroy(),
  };
}

interface PhaseResult {
  kind: "baseline" | "room";
  serverCpu: number;
  postgresCpu: number;
  keysPerSecond: number;
  stepsPerSecond: number;
  messagesPerSecond: number;
  kilobytesPerSecond: number;
}

async function main(): Promise<void> {
  const db = await startTestDatabase();
  const dbPort = Number(new URL(db.url).port);
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const server = await KubelabServer.start({
    databaseUrl: db.url,
    port,
    env: {
      PUBLIC_URL: origin,
      LOG_LEVEL: "warn",
      LESSONS_DIR: benchLessons(),
      NODE_IMAGES: "kubelab/node-offline:latest",
      GUEST_LOGIN: "true",
      MAX_SESSIONS: String(ATTENDEES + 5),
      LOGIN_RATE_LIMIT: "1000",
      NODE_MEMORY: "512m",
      DOCKER_TIMEOUT: "180s",
      NODE_READY_TIMEOUT: "600s",
    },
  });
  const postmaster = postgresOnPort(dbPort);
  if (!postmaster) throw new Error(`no PostgreSQL found on port ${dbPort}`);
  const serverCpu = new CpuMeter(() => processTree(server.process.pid!));
  const postgresCpu = new CpuMeter(() => processTree(postmaster));
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  const attendees: Attendee[] = [];
  const results: PhaseResult[] = [];
  try {
    const instructor = server.client();
    const me: TMeResponse = await instructor.loginAsGuest("Instructor");
    await sql.query("UPDATE users SET role = 'instructor' WHERE id = $1", [me.id]);
    const created = await instructor.request<TEvent>("POST", "/api/events", {
      title: "Room benchmark",
      lessonId: LESSON,
      language: "en",
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3 * 3600_000).toISOString(),
      capacity: ATTENDEES,
      reservedSessions: 0,
    });
    if (created.status !== 201)
      throw new Error(`creating the event: ${created.status} ${JSON.stringify(created.body)}`);
    const event = created.body;

    const joinStart = Date.now();
    while (attendees.length < ATTENDEES) {
      const batch = Math.min(BATCH, ATTENDEES - attendees.length);
      const joined = await settleAll(
        Array.from({ length: batch }, async (_, i) => {
          const client = server.client();
          const res = await client.request<TEventJoinResponse>("POST", "/api/events/join", {
            code: event.accessCode,
            name: `Attendee ${String(attendees.length + i + 1).padStart(3, "0")}`,
          });
          if (res.status !== 200) throw new Error(`join answered ${res.status}: ${JSON.stringify(res.body)}`);
          const session = await client.waitUntilSettled(res.body.session.id, 15 * 60_000);
          if (session.status !== "ready") throw new Error(`session ${session.status}: ${session.reason}`);
          const terminal = await TerminalClient.connect(client, origin, session.id, "node1");
          return { client, sessionId: session.id, terminal, step: 0 };
        }),
      );
      attendees.push(...joined);
      process.stdout.write(`\r${attendees.length}/${ATTENDEES} attendees ready`);
    }
    console.log(` (${Math.round((Date.now() - joinStart) / 1000)} s)`);

    const work: Work = { keys: 0, steps: 0, stepErrors: 0 };
    const stop = new AbortController();
    const classWork = runClass(attendees, work, stop.signal);
    await sleep(5_000); // every attendee is typing before the first phase starts
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of ["baseline", "room"] as const) {
        const stream = kind === "room" ? openRoomStream(instructor, event.id) : undefined;
        if (stream) await sleep(1_000); // the first message is the whole room; the steady state is what counts
        const from = { keys: work.keys, steps: work.steps, messages: stream?.messages ?? 0, bytes: stream?.bytes ?? 0 };
        serverCpu.start();
        postgresCpu.start();
        await sleep(PHASE_SECONDS * 1000);
        const result: PhaseResult = {
          kind,
          serverCpu: serverCpu.stop(),
          postgresCpu: postgresCpu.stop(),
          keysPerSecond: (work.keys - from.keys) / PHASE_SECONDS,
          stepsPerSecond: (work.steps - from.steps) / PHASE_SECONDS,
          messagesPerSecond: stream ? (stream.messages - from.messages) / PHASE_SECONDS : 0,
          kilobytesPerSecond: stream ? (stream.bytes - from.bytes) / 1024 / PHASE_SECONDS : 0,
        };
        stream?.close();
        results.push(result);
        console.log(
          `round ${round + 1} ${kind.padEnd(8)} server ${result.serverCpu.toFixed(1)} %  postgres ${result.postgresCpu.toFixed(1)} %  ` +
            `${result.keysPerSecond.toFixed(0)} keys/s  ${result.stepsPerSecond.toFixed(1)} steps/s  ` +
            `${result.messagesPerSecond.toFixed(2)} msgs/s  ${result.kilobytesPerSecond.toFixed(1)} KiB/s`,
        );
        await sleep(2_000);
      }
    }
    stop.abort();
    await classWork;
    if (work.stepErrors) console.log(`${work.stepErrors} progress writes failed`);
    report(results);
  } finally {
    for (const attendee of attendees) attendee.terminal.close();
    await sql.end();
    await server.stop();
    await removeInstanceObjects(server.instanceId);
    await db.stop();
  }
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
}

function report(results: PhaseResult[]): void {
  const of = (kind: PhaseResult["kind"]) => results.filter((r) => r.kind === kind);
  const row = (kind: PhaseResult["kind"]) => {
    const phases = of(kind);
    return {
      server: mean(phases.map((r) => r.serverCpu)),
      postgres: mean(phases.map((r) => r.postgresCpu)),
      keys: mean(phases.map((r) => r.keysPerSecond)),
      steps: mean(phases.map((r) => r.stepsPerSecond)),
      messages: mean(phases.map((r) => r.messagesPerSecond)),
      kib: mean(phases.map((r) => r.kilobytesPerSecond)),
    };
  };
  const base = row("baseline");
  const room = row("room");
  console.log(
    `\n${ATTENDEES} attendees, ${ROUNDS} rounds of ${PHASE_SECONDS} s per kind, ${new Date().toISOString()}, ` +
      `${CORES} CPUs, load ${os.loadavg()[0]!.toFixed(1)}`,
  );
  console.log("| Phase | Keystrokes/s | Steps/s | Server CPU | PostgreSQL CPU | Room msgs/s | Room KiB/s |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const [name, r] of [
    ["class only (baseline)", base],
    ["class + room page", room],
  ] as const) {
    console.log(
      `| ${name} | ${r.keys.toFixed(0)} | ${r.steps.toFixed(1)} | ${r.server.toFixed(1)} % | ${r.postgres.toFixed(1)} % | ` +
        `${r.messages.toFixed(2)} | ${r.kib.toFixed(1)} |`,
    );
  }
  console.log(
    `\nThe room page's cost: server ${(room.server - base.server).toFixed(1)} points of one core ` +
      `(x${(room.server / base.server).toFixed(2)} the baseline), PostgreSQL ${(room.postgres - base.postgres).toFixed(1)} points ` +
      `(x${(room.postgres / Math.max(0.1, base.postgres)).toFixed(2)}).`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

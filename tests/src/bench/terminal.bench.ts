// Benchmark: keystroke echo latency and output throughput of a terminal, interleaved in one run:
//   - Kubelab's WebSocket endpoint with the terminal holder (the default),
//   - the same endpoint without it (TERMINAL_HOLDER=false: a second Kubelab process on the same
//     database and session, so both reach the same node),
//   - a raw dockerode exec stream into the same node (the floor),
//   - WeTTY running `docker exec -it <node> bash` (when installed; see BENCH_WETTY).
// Echo: `cat >/dev/null` runs in the shell, so each keystroke comes back by the TTY's own echo; the
// time from send to the first byte back, per keystroke, one at a time. Throughput: the time from
// the command to its end marker while it prints 64 MiB. Figures, not a pass/fail test.
//   BENCH_ROUNDS=3  BENCH_KEYS=400 (keystrokes per round and target)  BENCH_MIB=64
//   BENCH_WETTY=<path to wetty's package folder> (default: node_modules/wetty, then /tmp/th-wetty/node_modules/wetty)
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ApiClient } from "../support/api-client";
import { docker, execIn, removeInstanceObjects } from "../support/docker-objects";
import { freePort } from "../support/free-port";
import { KubelabServer } from "../support/kubelab-server";
import { REPO_ROOT } from "../support/repo-paths";
import { TerminalClient } from "../support/terminal-client";
import { startTestDatabase } from "../support/test-database";
import { waitFor } from "../support/wait-for";
import { intEnv, percentile } from "./bench-stats";

const ROUNDS = intEnv("BENCH_ROUNDS", 3);
const KEYS = intEnv("BENCH_KEYS", 400);
const MIB = intEnv("BENCH_MIB", 64);
// A measurement that makes no progress for this long is reported as stalled, not waited for.
const STALL_MS = Number(process.env.BENCH_STALL_MS ?? 120_000);

/** A terminal as the benchmark drives it: bytes in, bytes out. */
interface Target {
  name: string;
  send(data: string): void;
  onData(listener: (chunk: Buffer) => void): void;
  close(): void;
}

/** Waits until `pattern` shows in the output received after the call. */
function until(target: Target, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`${target.name}: no ${pattern} in ${timeoutMs} ms`)), timeoutMs);
    waiters.set(target, (chunk) => {
      text = (text + chunk.toString("latin1")).slice(-4096);
      if (pattern.test(text)) {
        clearTimeout(timer);
        waiters.delete(target);
        resolve();
      }
    });
  });
}
const waiters = new Map<Target, (chunk: Buffer) => void>();

function wire(target: Target): Target {
  target.onData((chunk) => waiters.get(target)?.(chunk));
  return target;
}

/** Echo latency of `keys` keystrokes, one at a time, in ms. */
async function echo(target: Target, keys: number): Promise<number[]> {
  target.send("stty -echoctl; cat >/dev/null\n");
  await new Promise((resolve) => setTimeout(resolve, 300));
  const samples: number[] = [];
  for (let i = 0; i < keys; i++) {
    const start = process.hrtime.bigint();
    const back = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${target.name}: no echo in ${STALL_MS} ms`)), STALL_MS);
      waiters.set(target, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    target.send(i % 64 === 63 ? "\r" : "x");
    await back;
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  waiters.delete(target);
  target.send("\x03");
  await new Promise((resolve) => setTimeout(resolve, 200));
  return samples;
}

/** MB/s (10^6 bytes) of a command printing MIB MiB, until its end marker. */
async function throughput(target: Target, round: number): Promise<number> {
  const marker = `tput-end-${round}`;
  const done = until(target, new RegExp(`${marker}-${42}`), STALL_MS);
  const start = process.hrtime.bigint();
  // 64-byte lines; the marker's number is computed so that the echoed command does not match.
  target.send(
    `yes 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde | head -c ${MIB * 1024 * 1024}; echo ${marker}-$((6*7))\r`,
  );
  await done;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return (MIB * 1024 * 1024) / 1e6 / seconds;
}

async function kubelabTarget(
  name: string,
  client: ApiClient,
  origin: string,
  sessionId: string,
  terminal: string,
): Promise<Target> {
  const t = await TerminalClient.connect(client, origin, sessionId, "node1", { terminal, cols: 120, rows: 40 });
  const listeners: ((chunk: Buffer) => void)[] = [];
  t.ws.on("message", (data: Buffer, isBinary: boolean) => {
    if (isBinary) for (const l of listeners) l(data);
  });
  // The test client keeps all output; the benchmark does not need it.
  t.ws.on("message", () => (t.output = Buffer.alloc(0)));
  return wire({
    name,
    send: (data) => t.send(data),
    onData: (l) => listeners.push(l),
    close: () => t.drop(),
  });
}

async function rawTarget(containerId: string): Promise<Target> {
  const exec = await docker.getContainer(containerId).exec({
    Cmd: ["bash", "-l"],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: true,
    Env: ["TERM=xterm-256color"],
  });
  const stream = await exec.start({ hijack: true, stdin: true, Tty: true });
  await exec.resize({ w: 120, h: 40 });
  return wire({
    name: "raw dockerode exec (floor)",
    send: (data) => stream.write(data),
    onData: (l) => stream.on("data", l),
    close: () => stream.destroy(),
  });
}

function findWetty(): string | undefined {
  const candidates = [
    process.env.BENCH_WETTY,
    path.join(REPO_ROOT, "node_modules/wetty"),
    "/tmp/th-wetty/node_modules/wetty",
  ];
  return candidates.find((dir) => dir && fs.existsSync(path.join(dir, "package.json")));
}

/** WeTTY serving `docker exec -it <node> bash`, driven over its socket.io protocol like its page. */
async function wettyTarget(dir: string, containerId: string): Promise<{ target: Target; process: ChildProcess }> {
  const port = await freePort();
  const bin = path.join(dir, "build/main.js");
  const child = spawn(
    process.execPath,
    [
      bin,
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
      "--base",
      "/wetty/",
      "--command",
      `docker exec -it ${containerId} bash -l`,
      "--allow-iframe",
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env } },
  );
  let log = "";
  child.stdout?.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
  await waitFor(
    "WeTTY to listen",
    async () => ((await fetch(`http://127.0.0.1:${port}/wetty/`).catch(() => undefined))?.ok ? true : undefined),
    30_000,
    200,
  ).catch((error: unknown) => {
    child.kill();
    throw new Error(`${(error as Error).message}\n${log}`);
  });
  const require = (await import("node:module")).createRequire(path.join(dir, "package.json"));
  // WeTTY's own socket.io client (not a dependency of the tests).
  const { io } = require("socket.io-client") as {
    io: (
      url: string,
      options: object,
    ) => {
      on(event: string, listener: (data: never) => void): void;
      emit(event: string, data: unknown): void;
      close(): void;
    };
  };
  const socket = io(`http://127.0.0.1:${port}`, { path: "/wetty/socket.io", transports: ["websocket"] });
  const listeners: ((chunk: Buffer) => void)[] = [];
  socket.on("data", (data: string) => {
    // WeTTY's flow control: its page acknowledges what it wrote ("commit"); without it WeTTY pauses
    // the pty after 2 MB. Acknowledged at once here, as a page that renders instantly would.
    socket.emit("commit", data.length);
    const chunk = Buffer.from(data, "utf8");
    for (const l of listeners) l(chunk);
  });
  await new Promise<void>((resolve, reject) => {
    socket.on("connect", () => resolve());
    socket.on("connect_error", (error: Error) => reject(error));
  });
  socket.emit("resize", { cols: 120, rows: 40 });
  const target = wire({
    name: "WeTTY (docker exec -it)",
    send: (data) => socket.emit("input", data),
    onData: (l) => listeners.push(l),
    close: () => socket.close(),
  });
  return { target, process: child };
}

/** What the node shows when a flood stalled: its processes (with where they wait) and Unix sockets. */
async function stallReport(containerId: string): Promise<string> {
  const { output } = await execIn(containerId, [
    "sh",
    "-c",
    "ps -eo pid,stat,wchan:28,args | cut -c1-160; ss -xp | grep -i kubelab; " +
      "for p in $(pgrep -x head) $(pgrep -x yes); do echo \"$p $(tr '\\n' ' ' < /proc/$p/io)\"; done",
  ]);
  return output;
}

interface Row {
  echo: number[];
  mbps: number[];
}

async function main(): Promise<void> {
  const db = await startTestDatabase();
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const env = {
    PUBLIC_URL: origin,
    LOG_LEVEL: "warn",
    SECRET_KEY: "bench-secret-key-0123456789abcdef0123456789",
    TERMINAL_HOLDER: "true",
  };
  const server = await KubelabServer.start({ databaseUrl: db.url, port, env });
  const servers = [server];
  const targets: Target[] = [];
  let wetty: ChildProcess | undefined;
  try {
    const client = server.client();
    await client.loginAsGuest("Bench");
    const session = await client.waitUntilSettled((await client.createSession()).id);
    if (session.status !== "ready") throw new Error(`session ${session.status}: ${session.reason}`);
    const [container] = await docker.listContainers({
      filters: { label: [`kubelab.session=${session.id}`, "kubelab.node=node1"] },
    });
    if (!container) throw new Error("no node1 container");
    // The same session and node through a second process without the holder.
    const plain = await KubelabServer.start({
      databaseUrl: db.url,
      instanceId: server.instanceId,
      env: { ...env, TERMINAL_HOLDER: "false" },
    });
    servers.push(plain);
    const plainClient = new ApiClient(plain.url);
    plainClient.useCookieOf(client);

    targets.push(await kubelabTarget("Kubelab WebSocket, held", client, origin, session.id, "bench-held"));
    targets.push(await kubelabTarget("Kubelab WebSocket, no holder", plainClient, origin, session.id, "bench-plain"));
    targets.push(await rawTarget(container.Id));
    const wettyDir = findWetty();
    if (wettyDir) {
      const started = await wettyTarget(wettyDir, container.Id);
      wetty = started.process;
      targets.push(started.target);
    } else {
      console.log("WeTTY not installed (npm install wetty, or BENCH_WETTY=<its folder>): its row is left out");
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const rows = new Map<Target, Row>(targets.map((t) => [t, { echo: [], mbps: [] }]));
    for (let round = 0; round < ROUNDS; round++) {
      // Interleaved, and in a rotated order each round, so load changes on this shared machine spread evenly.
      const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
      for (const target of order) rows.get(target)!.echo.push(...(await echo(target, KEYS)));
      for (const target of order) {
        const mbps = await throughput(target, round).catch(async (error: unknown) => {
          // Reported, not fatal: the other targets still get measured.
          console.log(`round ${round + 1}: ${(error as Error).message}`);
          console.log(await stallReport(container.Id));
          target.send("\x03");
          return Number.NaN;
        });
        rows.get(target)!.mbps.push(mbps);
      }
    }

    const raw = rows.get(targets[2]!)!;
    const rawP99 = percentile(raw.echo, 99);
    // Stalled rounds (NaN) are left out of the medians; the per-round figures below show them.
    const median = (values: number[]): number => percentile(values.filter(Number.isFinite), 50);
    const rawMbps = median(raw.mbps);
    const wettyRow = wetty ? rows.get(targets[3]!) : undefined;
    console.log(
      `\n${ROUNDS} interleaved rounds, ${KEYS} keystrokes and ${MIB} MiB per round and target, ${new Date().toISOString()}\n`,
    );
    console.log("| Target | Echo p50 | Echo p99 | p99 − raw | MB/s (median) | vs raw | vs WeTTY |");
    console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const target of targets) {
      const row = rows.get(target)!;
      const p99 = percentile(row.echo, 99);
      const mbps = median(row.mbps);
      const vsWetty = wettyRow ? `x${(mbps / median(wettyRow.mbps)).toFixed(2)}` : "n/a";
      console.log(
        `| ${target.name} | ${percentile(row.echo, 50).toFixed(2)} ms | ${p99.toFixed(2)} ms | ` +
          `${(p99 - rawP99 >= 0 ? "+" : "") + (p99 - rawP99).toFixed(2)} ms | ${mbps.toFixed(1)} | ` +
          `x${(mbps / rawMbps).toFixed(2)} | ${vsWetty} |`,
      );
    }
    console.log(
      `\nkeystrokes per target: ${raw.echo.length}; MB/s per round: ${[...rows.values()].map((r) => r.mbps.map((m) => m.toFixed(1)).join("/")).join(", ")}`,
    );
  } finally {
    for (const target of targets) target.close();
    wetty?.kill();
    for (const s of servers.reverse()) await s.stop();
    await removeInstanceObjects(server.instanceId);
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

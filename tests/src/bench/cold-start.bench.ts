// Benchmark: where a node's cold start goes, step by step, with Kubelab's own code (the compiled
// DockerEngine.startNode and waitForNodeReady), one node at a time. Figures, not a pass/fail test.
//   BENCH_COLD_RUNS=5          nodes per readiness mode
//   BENCH_COLD_MODES=exec,marker   how Kubelab learns the node is ready, interleaved:
//                              exec = `docker exec … docker info` every 250 ms (the fallback, and all
//                              there was before the marker); marker = the node's ready line on its output;
//                              before = exec on BENCH_COLD_BEFORE_IMAGE (an image built before the change)
//   BENCH_COLD_PARALLEL=1      nodes started at once per measurement (contention: a class starting together)
//   KUBELAB_TEST_NODE_IMAGE    the node image (default kubelab/node-offline:latest)
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { HostConfig } from "dockerode";
import { cell, stats } from "./bench-stats";
import { type Step, type Timeline, STEPS, entrypointTimes, dockerdTimes } from "./cold-start-timeline";
import { docker, execIn } from "../support/docker-objects";
import { REPO_ROOT } from "../support/repo-paths";

type Mode = "exec" | "marker" | "before";
interface StartedNode {
  containerId: string;
  output?: NodeJS.ReadableStream & { destroy(): void };
}
interface Engine {
  startNode(spec: object, options: { followOutput?: boolean }): Promise<StartedNode>;
  removeSessionObjects(instanceId: string, sessionId: string): Promise<void>;
}
interface Modules {
  DockerEngine: new (config: { docker: { callTimeoutSeconds: number } }) => Engine;
  waitForNodeReady(
    engine: Engine,
    node: { containerId: string; name: string; output?: unknown },
    deadline: number,
    signal: AbortSignal,
  ): Promise<string>;
  securityHostConfig(profile: string): HostConfig;
}

const RUNS = Math.max(1, Number(process.env.BENCH_COLD_RUNS ?? 5));
const MODES = (process.env.BENCH_COLD_MODES ?? "exec,marker").split(",") as Mode[];
const IMAGE = process.env.KUBELAB_TEST_NODE_IMAGE ?? "kubelab/node-offline:latest";
const BEFORE_IMAGE = process.env.BENCH_COLD_BEFORE_IMAGE ?? "kubelab/node-offline:pre-coldstart";
const INSTANCE = `c${randomBytes(4).toString("hex")}`;
const PARALLEL = Math.max(1, Number(process.env.BENCH_COLD_PARALLEL ?? 1));
const TIMEOUT_MS = 300_000;

async function load(): Promise<Modules> {
  const dist = (file: string) => import(pathToFileURL(path.join(REPO_ROOT, "apps/api/dist/nodes", file)).href);
  return {
    ...((await dist("docker-engine.adapter.js")) as Pick<Modules, "DockerEngine">),
    ...((await dist("node-readiness.js")) as Pick<Modules, "waitForNodeReady">),
    ...((await dist("node-security-profile.js")) as Pick<Modules, "securityHostConfig">),
  };
}

/** One node of a fresh session (network, volume, container), timed from the engine's and the node's own clocks. */
async function sample(m: Modules, engine: Engine, mode: Mode, tag: string): Promise<Timeline> {
  const sessionId = `${INSTANCE}${tag}`;
  const labels = { "kubelab.instance": INSTANCE, "kubelab.session": sessionId };
  await docker.createNetwork({ Name: `kubelab-${sessionId}`, Driver: "bridge", CheckDuplicate: true, Labels: labels });
  try {
    const t: Timeline = { sent: Date.now() };
    const spec = {
      labels: { instanceId: INSTANCE, sessionId, ownerId: "bench", node: "node1" },
      image: mode === "before" ? BEFORE_IMAGE : IMAGE,
      // capabilities: this engine refuses privileged containers (see docs/benchmarks.md, Machine).
      profile: process.env.KUBELAB_TEST_SECURITY_PROFILE ?? "capabilities",
      memoryBytes: 1024 ** 3,
      cpus: 1,
      pidsLimit: 4096,
    };
    const started = await engine.startNode(spec, { followOutput: mode === "marker" });
    t.startReturned = Date.now();
    const node = { containerId: started.containerId, name: "node1", output: started.output };
    const source = await m.waitForNodeReady(engine, node, t.sent + TIMEOUT_MS, new AbortController().signal);
    t.kubelabReady = Date.now();
    if (source !== (mode === "before" ? "exec" : mode)) throw new Error(`expected readiness by ${mode}, got ${source}`);
    const container = docker.getContainer(started.containerId);
    const info = await container.inspect();
    t.created = Date.parse(info.Created);
    t.processStarted = Date.parse(info.State.StartedAt);
    const logs = await container.logs({ stdout: true, stderr: true, timestamps: true });
    Object.assign(t, entrypointTimes(logs));
    Object.assign(t, dockerdTimes((await execIn(started.containerId, ["cat", "/var/log/dockerd.log"])).output));
    return t;
  } finally {
    await engine.removeSessionObjects(INSTANCE, sessionId);
  }
}

function report(results: Record<Mode, Timeline[]>, loadBefore: number): void {
  const images = MODES.includes("before") ? `${IMAGE} (before: ${BEFORE_IMAGE})` : IMAGE;
  const per = PARALLEL > 1 ? `${RUNS} rounds of ${PARALLEL} nodes at once` : `${RUNS} nodes one at a time`;
  console.log(`\nCold start of a node, step by step — image ${images}, ${per} per mode, run ${INSTANCE}`);
  console.log(
    `1-min load average ${loadBefore} before, ${os.loadavg()[0]?.toFixed(2)} after, ${os.cpus().length} CPUs\n`,
  );
  const header = MODES.map((mode) => `${mode.padStart(14)} p50   p95`).join("");
  console.log(`${"step".padEnd(60)}${header}   [ms]`);
  const summary: Record<string, Record<string, { p50: number; p95: number }>> = {};
  // Every node is one sample, whether it started alone or with others.
  for (const step of STEPS) {
    let row = step.label.padEnd(60);
    for (const mode of MODES) {
      const values = results[mode].map((t) => duration(t, step)).filter((v): v is number => v !== undefined);
      const s = values.length ? stats(values) : undefined;
      row += `${cell(s?.p50, 18)}${cell(s?.p95, 6)}`;
      if (s) (summary[mode] ??= {})[step.key] = { p50: s.p50, p95: s.p95 };
    }
    console.log(row);
  }
  const run = { bench: "cold-start", run: INSTANCE, image: IMAGE, runs: RUNS, parallel: PARALLEL, loadBefore };
  console.log(`\n${JSON.stringify({ ...run, summary })}`);
}

function duration(t: Timeline, step: Step): number | undefined {
  const [from, to] = [t[step.from], t[step.to]];
  return from === undefined || to === undefined ? undefined : to - from;
}

async function main(): Promise<void> {
  const m = await load();
  const engine = new m.DockerEngine({ docker: { callTimeoutSeconds: 60 } });
  const loadBefore = Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
  const results = { exec: [], marker: [], before: [] } as Record<Mode, Timeline[]>;
  const cleanup = async (): Promise<void> => {
    for (const c of await docker.listContainers({ all: true, filters: { label: [`kubelab.instance=${INSTANCE}`] } })) {
      await engine.removeSessionObjects(INSTANCE, c.Labels["kubelab.session"] ?? "").catch(() => undefined);
    }
  };
  process.once("SIGINT", () => void cleanup().finally(() => process.exit(130)));
  try {
    await sample(m, engine, MODES[0] ?? "exec", "w"); // unmeasured: page cache, image layers
    for (let i = 0; i < RUNS; i++) {
      for (const mode of MODES) {
        const tags = Array.from({ length: PARALLEL }, (_, j) => `${mode[0]}${i}n${j}`);
        results[mode].push(...(await Promise.all(tags.map((tag) => sample(m, engine, mode, tag)))));
      }
      process.stderr.write(`  ${i + 1}/${RUNS}\n`);
    }
    report(results, loadBefore);
  } finally {
    await cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

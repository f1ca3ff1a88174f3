// Benchmark: the cost of one node disk check (NODE_DISK_LIMIT) with N sessions, as the server does it
// (GET /system/df?type=container&type=volume), in wall time and in the Docker engine's CPU time, next to
// two alternatives (layer sizes only through the container list; a `du` helper container per volume).
// Figures, not a pass/fail test.
//   BENCH_SESSIONS=3  sessions (2 nodes each)    BENCH_FILES=20000  small files written per node
//   BENCH_FILL_MIB=100  MiB written per node, half in its layer, half in /var/lib/docker    BENCH_RUNS=10
import fs from "node:fs";
import { countLabelled, docker, execIn, removeInstanceObjects } from "../support/docker-objects";
import { KubelabServer } from "../support/kubelab-server";
import { startTestDatabase } from "../support/test-database";
import { percentile, settleAll } from "./bench-stats";

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? "3");
const FILES = Number(process.env.BENCH_FILES ?? "20000");
const FILL_MIB = Number(process.env.BENCH_FILL_MIB ?? "100");
const RUNS = Number(process.env.BENCH_RUNS ?? "10");
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU time (ms) the host's dockerd has used so far; the engine does the sizing work. */
function dockerdCpuMs(): number {
  const pid = fs.readFileSync("/var/run/docker.pid", "utf8").trim();
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // utime and stime are fields 14 and 15 of /proc/PID/stat; fields[0] here is field 3.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

async function measure(label: string, action: () => Promise<unknown>): Promise<void> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const cpuBefore = dockerdCpuMs();
    const started = performance.now();
    await action();
    wall.push(performance.now() - started);
    cpu.push(dockerdCpuMs() - cpuBefore);
  }
  const fmt = (n: number) => n.toFixed(0).padStart(6);
  console.log(
    `${label.padEnd(58)} wall p50 ${fmt(percentile(wall, 50))} ms  p95 ${fmt(percentile(wall, 95))} ms` +
      `   dockerd CPU p50 ${fmt(percentile(cpu, 50))} ms`,
  );
}

function dial(path: string): Promise<unknown> {
  return new Promise((resolve, reject) =>
    docker.modem.dial({ path, method: "GET", statusCodes: { 200: true } }, (error, result) =>
      error ? reject(error) : resolve(result),
    ),
  );
}

async function main(): Promise<void> {
  const db = await startTestDatabase();
  const server = await KubelabServer.start({
    databaseUrl: db.url,
    env: { MAX_SESSIONS_PER_USER: String(SESSIONS), NODE_DISK_CHECK_INTERVAL: "1h" },
  });
  try {
    const client = server.client();
    await client.loginAsGuest("Bench");
    const sessions = await settleAll(
      Array.from({ length: SESSIONS }, async () => {
        const created = await client.createSession();
        const ready = await client.waitUntilSettled(created.id, 300_000);
        if (ready.status !== "ready") throw new Error(`session failed: ${ready.reason}`);
        return ready;
      }),
    );
    const nodes = sessions.flatMap((s) => s.nodes.map((n) => `kubelab-${s.id}-${n.name}`));
    const half = Math.floor(FILL_MIB / 2);
    const perDir = Math.floor(FILES / 2);
    const script = [
      `dd if=/dev/zero of=/root/fill bs=1M count=${half} status=none`,
      `dd if=/dev/zero of=/var/lib/docker/fill bs=1M count=${half} status=none`,
      `for d in /root/many /var/lib/docker/many; do mkdir -p $d && cd $d && seq 1 ${perDir} | xargs touch; done`,
    ].join(" && ");
    for (const node of nodes) {
      const result = await execIn(node, ["bash", "-c", script]);
      if (result.exitCode !== 0) throw new Error(`filling ${node} failed: ${result.output}`);
    }
    const engineContainers = (await docker.listContainers({ all: true })).length;
    const engineVolumes = ((await docker.listVolumes()).Volumes ?? []).length;
    console.log(
      `${nodes.length} nodes (${SESSIONS} sessions), each with ${FILL_MIB} MiB and ${FILES} files; the engine holds ` +
        `${engineContainers} containers and ${engineVolumes} volumes in all (shared engine)`,
    );

    await measure("server's check: GET /system/df?type=container&type=volume", () =>
      dial("/system/df?type=container&type=volume"),
    );
    const filters = encodeURIComponent(JSON.stringify({ label: [`kubelab.instance=${server.instanceId}`] }));
    await measure("layers only: GET /containers/json?size=1 (instance filter)", () =>
      dial(`/containers/json?size=1&filters=${filters}`),
    );
    const image = process.env.KUBELAB_TEST_NODE_IMAGE ?? "kubelab/node-offline:latest";
    const volumes = nodes.map((node) => `${node}-docker`);
    await measure(`volumes only: one \`du\` helper container for ${volumes.length} volumes`, async () => {
      const helper = await docker.createContainer({
        Image: image,
        Entrypoint: ["du", "-sxb", ...volumes.map((v) => `/v/${v}`)],
        Cmd: [],
        HostConfig: {
          NetworkMode: "none",
          Mounts: volumes.map((v) => ({ Type: "volume" as const, Source: v, Target: `/v/${v}`, ReadOnly: true })),
        },
      });
      try {
        await helper.start();
        await helper.wait();
      } finally {
        await helper.remove({ force: true });
      }
    });
    console.log("objects left:", await countLabelled(server.instanceId));
  } finally {
    await server.stop();
    await removeInstanceObjects(server.instanceId);
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

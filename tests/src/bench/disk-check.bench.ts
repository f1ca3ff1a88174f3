// Benchmark: the cost of one node disk check (NODE_DISK_LIMIT) with N sessions, as the server does it
// on overlay2 (one `du` exec in a long-lived probe container over every node's layer and volume), and
// its fallback (GET /system/df), in wall time and CPU time of dockerd and of the probe's `du`, next to
// two alternatives (layer sizes only through the container list; a new `du` helper container per
// check). Figures, not a pass/fail test.
//   BENCH_SESSIONS=3  sessions (2 nodes each)    BENCH_FILES=20000  small files written per node
//   BENCH_FILL_MIB=100  MiB written per node, half in its layer, half in /var/lib/docker    BENCH_RUNS=10
import fs from "node:fs";
import type Docker from "dockerode";
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

interface Method {
  label: string;
  /** Returns CPU used outside dockerd (the probe's `du`), if any. */
  run: () => Promise<number | void>;
  wall: number[];
  cpu: number[];
  extra: number[];
}

function method(label: string, run: () => Promise<number | void>): Method {
  return { label, run, wall: [], cpu: [], extra: [] };
}

/**
 * Runs every method once per round, RUNS rounds, so load on this shared machine hits all of them
 * alike; prints p50/p95 wall and CPU time and each method's ratio to the baseline's p50.
 */
async function measureInterleaved(methods: Method[], baseline: Method): Promise<void> {
  for (let round = 0; round < RUNS; round++) {
    for (const m of methods) {
      const cpuBefore = dockerdCpuMs();
      const started = performance.now();
      const extraCpu = await m.run();
      m.wall.push(performance.now() - started);
      m.cpu.push(dockerdCpuMs() - cpuBefore);
      m.extra.push(extraCpu ?? 0);
    }
  }
  const base = percentile(baseline.wall, 50);
  const fmt = (n: number) => n.toFixed(0);
  console.log(
    `\n| Method (${RUNS} interleaved rounds) | wall p50 | wall p95 | dockerd CPU p50 | du CPU p50 | wall vs baseline |`,
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const m of methods) {
    const p50 = percentile(m.wall, 50);
    console.log(
      `| ${m.label}${m === baseline ? " (baseline)" : ""} | ${fmt(p50)} ms | ${fmt(percentile(m.wall, 95))} ms | ` +
        `${fmt(percentile(m.cpu, 50))} ms | ${fmt(percentile(m.extra, 50))} ms | ${(p50 / base).toFixed(2)} |`,
    );
  }
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
    env: { MAX_SESSIONS_PER_USER: String(SESSIONS), NODE_DISK_CHECK_INTERVAL: "1h", NODE_READY_TIMEOUT: "300s" },
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

    // The server's check on overlay2: the same probe container and `du` as NodeDiskMonitor uses.
    const rootDir = ((await docker.info()) as { DockerRootDir: string }).DockerRootDir;
    const image = process.env.KUBELAB_TEST_NODE_IMAGE ?? "kubelab/node-offline:latest";
    const dirs: string[] = [];
    for (const name of nodes) {
      const info = await docker.getContainer(name).inspect();
      dirs.push((info.GraphDriver.Data as unknown as Record<string, string>).UpperDir!);
      dirs.push((await docker.getVolume(`${name}-docker`).inspect()).Mountpoint);
    }
    const probe = await docker.createContainer({
      name: `kubelab-disk-probe-bench-${server.instanceId}`,
      Image: image,
      Entrypoint: ["sleep", "infinity"],
      Cmd: [],
      HostConfig: {
        NetworkMode: "none",
        ReadonlyRootfs: true,
        CapDrop: ["ALL"],
        CapAdd: ["DAC_READ_SEARCH"],
        Mounts: [
          {
            Type: "bind",
            Source: rootDir,
            Target: "/engine",
            ReadOnly: true,
            BindOptions: { NonRecursive: true },
          } as unknown as Docker.MountSettings,
        ],
      },
    });
    await probe.start();
    const methods: Method[] = [];
    try {
      const du = ["du", "-s", "-B1", "--", ...dirs.map((d) => `/engine${d.slice(rootDir.length)}`)];
      // `time -f` is not in the image; bash's `times` gives the children's user and system time.
      const script = `${du.map((w) => `'${w}'`).join(" ")} > /dev/null; times`;
      const serverCheck = method(`server's check (overlay2): du in the disk probe, ${dirs.length} dirs`, async () => {
        const { output } = await execIn(probe.id, ["bash", "-c", script]);
        const children = output.trim().split("\n").pop() ?? "";
        return [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
          (ms, m) => ms + (Number(m[1]) * 60 + Number(m[2])) * 1000,
          0,
        );
      });
      const fallback = method("fallback: GET /system/df?type=container&type=volume", async () => {
        await dial("/system/df?type=container&type=volume");
      });
      const label = [`kubelab.instance=${server.instanceId}`];
      const layersOnly = method("layers only: GET /containers/json?size=1 (instance filter)", async () => {
        await docker.listContainers({ all: true, size: true, filters: { label } });
      });
      const volumes = nodes.map((node) => `${node}-docker`);
      const helperPerCheck = method(
        `volumes only: a new \`du\` helper container for ${volumes.length} volumes`,
        async () => {
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
        },
      );
      methods.push(serverCheck, fallback, layersOnly, helperPerCheck);
      // The engine's own sizing is the baseline: what Kubelab would do without its probe.
      await measureInterleaved(methods, fallback);
    } finally {
      await probe.remove({ force: true });
    }
    console.log("session objects measured (removed next):", await countLabelled(server.instanceId));
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

// Benchmark: the port relay for nodes on another host's engine (docs/scale-out.md) against a direct
// connection to the same app, interleaved in one run. A node container runs python3's http.server
// (as lessons do); each round makes BENCH_REQUESTS sequential requests and one download of
// BENCH_MIB MiB both ways: directly to the node's address, and through Kubelab's NodeRelayStream
// (an exec in the node, over the engine's API). Figures, not a pass/fail test.
//   BENCH_ROUNDS=3  BENCH_REQUESTS=50  BENCH_MIB=100
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Duplex } from "node:stream";
import { docker } from "../support/docker-objects";
import { REPO_ROOT } from "../support/repo-paths";
import { waitFor } from "../support/wait-for";
import { intEnv, percentile } from "./bench-stats";

const ROUNDS = intEnv("BENCH_ROUNDS", 3);
const REQUESTS = intEnv("BENCH_REQUESTS", 50);
const MIB = intEnv("BENCH_MIB", 100);
const IMAGE = process.env.KUBELAB_TEST_NODE_IMAGE ?? "kubelab/node-offline:latest";

interface ApiModules {
  DockerEngine: new (config: { docker: { callTimeoutSeconds: number } }) => unknown;
  relayTo(target: { ip: string; port: number; relay: { engine: unknown; containerId: string } }): Duplex;
}

async function loadApi(): Promise<ApiModules> {
  const load = async <T>(file: string): Promise<T> =>
    (await import(pathToFileURL(path.join(REPO_ROOT, "apps/api/dist", file)).href)) as T;
  const { DockerEngine } = await load<Pick<ApiModules, "DockerEngine">>("nodes/docker-engine.adapter.js");
  const { relayTo } = await load<Pick<ApiModules, "relayTo">>("ports/node-relay.js");
  return { DockerEngine, relayTo };
}

/** One GET; resolves with the time to the last byte and the bytes received. */
function get(ip: string, urlPath: string, connect: (() => Duplex) | undefined): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      { host: ip, port: 8080, path: urlPath, ...(connect ? { createConnection: connect } : { agent: false }) },
      (res) => {
        let bytes = 0;
        res.on("data", (chunk: Buffer) => (bytes += chunk.length));
        res.on("end", () => resolve({ ms: performance.now() - started, bytes }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const api = await loadApi();
  const engine = new api.DockerEngine({ docker: { callTimeoutSeconds: 60 } });
  const container = await docker.createContainer({
    Image: IMAGE,
    Entrypoint: [
      "sh",
      "-c",
      `cd /tmp && head -c ${MIB * 1024 * 1024} /dev/zero > big && echo ok > small && exec python3 -m http.server 8080`,
    ],
    Labels: { "kubelab.bench": "relay" },
  });
  await container.start();
  try {
    const ip = (await container.inspect()).NetworkSettings.IPAddress;
    await waitFor("the app in the node", async () =>
      (await get(ip, "/small", undefined).catch(() => null)) ? true : undefined,
    );
    const relay = () => api.relayTo({ ip, port: 8080, relay: { engine, containerId: container.id } });
    const targets = { direct: undefined, relay } as const;
    const latency: Record<string, number[]> = { direct: [], relay: [] };
    const throughput: Record<string, number[]> = { direct: [], relay: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, connect] of Object.entries(targets)) {
        for (let i = 0; i < REQUESTS; i++) latency[name]!.push((await get(ip, "/small", connect)).ms);
        const { ms, bytes } = await get(ip, "/big", connect);
        if (bytes !== MIB * 1024 * 1024) throw new Error(`${name}: got ${bytes} bytes`);
        throughput[name]!.push(bytes / 1024 / 1024 / (ms / 1000));
      }
      console.log(`round ${round}/${ROUNDS} done`);
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    console.log(`\nRequests (${REQUESTS} × ${ROUNDS} sequential, a new connection each) and a ${MIB} MiB download:`);
    console.log("| Path | Request p50 | p95 | Download | vs direct |");
    console.log("| --- | ---: | ---: | ---: | ---: |");
    for (const name of ["direct", "relay"]) {
      const l = latency[name]!;
      console.log(
        `| ${name} | ${percentile(l, 50).toFixed(1)} ms | ${percentile(l, 95).toFixed(1)} ms | ` +
          `${mean(throughput[name]!).toFixed(0)} MiB/s | x${(mean(throughput[name]!) / mean(throughput.direct!)).toFixed(2)} |`,
      );
    }
  } finally {
    await container.remove({ force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

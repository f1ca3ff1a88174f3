// The cold case of bench:sessions: sessions built on demand (POOL_SIZE=0), each interleaved with
// the same Docker work done directly with dockerode (the baseline), both timed to ready and to the
// shell prompt.
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import type { Container, HostConfig } from "dockerode";
import type { TSession } from "@kubelab/shared";
import type { ApiClient } from "../support/api-client";
import { docker, execIn } from "../support/docker-objects";
import type { KubelabServer } from "../support/kubelab-server";
import { REPO_ROOT } from "../support/repo-paths";
import { settleAll } from "./bench-stats";
import type { ColdSample } from "./sessions-report";
import { dockerExecPrompt, kubelabPrompt } from "./session-prompt";

export type Profile = "privileged" | "capabilities";
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

export interface ColdOptions {
  n: number;
  parallel: boolean;
  warmup: number;
  runId: string;
  /** PUBLIC_URL of the server: the terminal WebSocket checks Origin against it. */
  origin: string;
  baselinePollMs: number;
}

const CLIENT_POLL_MS = 100;
const TIMEOUT_MS = 120_000;
const BENCH_LABEL = "kubelab.bench";
const NODES = ["node1", "node2"];
// Node limits identical on both sides: KubelabServer starts the server with NODE_MEMORY=1g, and
// NODE_CPUS / NODE_PIDS_LIMIT keep their defaults (1 and 4096).
const IMAGE = process.env.KUBELAB_TEST_NODE_IMAGE ?? "kubelab/node-offline:latest";
const MEMORY_BYTES = 1024 ** 3;
const NANO_CPUS = 1e9;
const PIDS_LIMIT = 4096;
const INNER_DOCKER_INFO = ["docker", "info", "--format", "{{.ServerVersion}}"];

function kubelabRunner(
  client: ApiClient,
  origin: string,
  onReady: (sessionId: string) => Promise<void>,
): Runner<string> {
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
      const prompt = (await kubelabPrompt(client, origin, session.id)).prompt - t0;
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

async function waitForInnerDocker(container: Container, deadline: number, pollMs: number): Promise<void> {
  let last = "";
  while (performance.now() < deadline) {
    const { exitCode, output } = await execIn(container.id, INNER_DOCKER_INFO);
    if (exitCode === 0) return;
    last = output.trim();
    await sleep(pollMs);
  }
  throw new Error(`inner docker of ${container.id} did not answer: ${last}`);
}

/** The same Docker work as one Kubelab session, with nothing else around it. */
function baselineRunner(
  hostConfig: () => HostConfig,
  runId: string,
  pollMs: number,
): Runner<{ network: string; containers: Container[] }> {
  return {
    async up(tag) {
      const name = `kubelab-bench-${runId}-${tag}`;
      const Labels = { [BENCH_LABEL]: runId };
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
          await waitForInnerDocker(container, t0 + TIMEOUT_MS, pollMs);
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

/** Removes every object the baseline made in run `runId`, also after a failure or Ctrl-C. */
export async function removeBenchObjects(runId: string): Promise<void> {
  const filters = { label: [`${BENCH_LABEL}=${runId}`] };
  const ignore = (): undefined => undefined;
  for (const c of await docker.listContainers({ all: true, filters })) {
    await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(ignore);
  }
  for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove().catch(ignore);
  for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) {
    await docker.getVolume(v.Name).remove({ force: true }).catch(ignore);
  }
}

export type StartServer = (env: Record<string, string>) => Promise<KubelabServer>;

/** Cold: N sessions built on demand (POOL_SIZE=0), interleaved with the dockerode baseline. */
export async function coldCase(
  start: StartServer,
  o: ColdOptions,
): Promise<{ kubelab: ColdSample[]; baseline: ColdSample[]; profile: Profile }> {
  const { n: N, parallel: PARALLEL, warmup: WARMUP } = o;
  const server = await start({ MAX_SESSIONS_PER_USER: String(N), MAX_SESSIONS: String(Math.max(N, 20)) });
  const client = server.client();
  await client.loginAsGuest("Benchmark");
  const modulePath = path.join(REPO_ROOT, "apps/api/dist/nodes/node-security-profile.js");
  const security = (await import(pathToFileURL(modulePath).href)) as SecurityModule;
  // Whatever NODE_SECURITY_PROFILE=auto resolved to, read off the first node Kubelab started.
  let profile: Profile | undefined;
  const kubelab = kubelabRunner(client, o.origin, async (id) => {
    profile ??= (await docker.getContainer(`kubelab-${id}-node1`).inspect()).HostConfig.Privileged
      ? "privileged"
      : "capabilities";
  });
  const baseline = baselineRunner(
    () => security.securityHostConfig(profile ?? "capabilities"),
    o.runId,
    o.baselinePollMs,
  );
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

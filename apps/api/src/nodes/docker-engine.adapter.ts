import { Logger } from "@nestjs/common";
import type { Metrics } from "../metrics/metrics.service";
import Docker from "dockerode";
import type { IncomingMessage } from "node:http";
import { PassThrough, type Duplex, type Readable } from "node:stream";
import tarStream from "tar-stream";
import { AppError } from "../common/app-error";
import type { AppConfig } from "../config/app-config";
import { LOCAL_ENGINE, type EngineConfig } from "../config/docker-engines-config";
import { dockerodeOptions } from "./docker-client-options";
import {
  LABEL_INSTANCE,
  LABEL_SESSION,
  labelsFor,
  nodeContainerName,
  nodeVolumeName,
  sessionNetworkName,
  type NodeLabels,
} from "./docker-labels";
import { execExitCode, watchExecExit, type ShellExec } from "./docker-exec";
import { NODE_EVENT_ACTIONS, nodeEventsFrom, type NodeEvent } from "./docker-events";
import { securityHostConfig, type NodeSecurityProfile } from "./node-security-profile";
import { sessionBridgeName } from "./session-bridge-name";

// How long after a script's own time limit the server stops waiting for it (timeout in the node
// normally ends it right at the limit).
const SCRIPT_DEADLINE_GRACE_MS = 5000;

// timeout puts itself and the script in a new process group (its pid): killed once the script ends.
const SCRIPT_RUNNER =
  'timeout -s KILL "$1" bash -c "$2" & pid=$!; wait "$pid" 2>/dev/null; code=$?; kill -KILL -- "-$pid" 2>/dev/null; exit "$code"';

/** An exec ran past the time the caller gave it (the process may still run in the container). */
export class ExecDeadlineError extends Error {}

export interface NodeSpec {
  labels: Required<NodeLabels>;
  image: string;
  profile: NodeSecurityProfile;
  memoryBytes: number;
  cpus: number;
  pidsLimit: number;
  /** Hard size of the container layer (overlay2 on xfs with project quotas only); undefined: none. */
  layerQuotaBytes?: number;
  /** Docker Hub mirror URL the node's start-up applies to its dockerd and containerd (NODE_REGISTRY_MIRROR). */
  registryMirror?: string;
}

export interface StartedNode {
  containerId: string;
  ip: string | null;
  /**
   * The node's stdout and stderr from its very start, when asked for (`followOutput`); it ends
   * when the node stops. The caller must destroy it once done, which closes the attach request.
   */
  output?: Readable;
}

/** Bytes used on the host, as the engine counts them: containers' writable layers and volumes. */
export interface DiskUsage {
  layers: Map<string, number>;
  volumes: Map<string, number>;
}

/** Where a node's data lies on the engine's host: its writable layer and its /var/lib/docker volume. */
export interface NodeDataDirs {
  layer: string | undefined;
  volume: string | undefined;
}

/** An image on the engine, as the admin's images page shows it. */
export interface ImageFacts {
  id: string;
  sizeBytes: number;
  createdAt: Date | null;
}

// The disk probe is Kubelab's own helper, not part of any session: it carries no kubelab.instance
// label, so reconciliation and session clean-up never count or remove it.
const LABEL_DISK_PROBE = "kubelab.disk-probe";
const PROBE_ROOT = "/engine";

export interface LabelledObjects {
  containers: { id: string; sessionId: string; node: string | undefined; running: boolean }[];
  networks: { id: string; sessionId: string }[];
  volumes: { name: string; sessionId: string }[];
}

/** One stats reading of a container: CPU time used so far and memory in use now. */
export interface ContainerStatsReading {
  cpuNanos: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  /** Processes and threads in the container's pids cgroup, and its limit (null when unlimited or not reported). */
  pids: number | null;
  pidsLimit: number | null;
  /** When it was read (ms since the epoch). */
  at: number;
}

export interface EngineHost {
  version: string | null;
  dataRoot: string | null;
  memoryBytes: number | null;
  cpus: number | null;
}

/** A running watch of this instance's node events; after `close` the loop over `events` ends without error. */
export interface NodeEventWatch {
  events: AsyncIterable<NodeEvent>;
  close(): void;
}

/** A Docker API call that got no answer within DOCKER_TIMEOUT; answered as 504 `engine_timeout`. */
export class DockerTimeoutError extends AppError {
  constructor(
    readonly call: string,
    readonly timeoutMs: number,
  ) {
    super("engine_timeout", `The Docker engine did not answer "${call}" within ${timeoutMs / 1000} s; try again`);
  }
}

/** A request body that stopped before its declared size; answered as 400 `upload_incomplete`. */
export class UploadIncompleteError extends AppError {
  constructor(why: string) {
    super("upload_incomplete", `The file did not arrive completely: ${why}`);
  }
}

/**
 * Docker could not give a session network its addresses: the block overlaps a network that
 * exists (another program's, or a leftover), or the engine's pools are exhausted. Docker's own
 * wording ("could not find an available, non-overlapping IPv4 address pool", "Pool overlaps with
 * other one on this address space") is kept as the detail.
 */
export class SubnetUnavailableError extends Error {
  constructor(
    readonly subnet: string,
    readonly dockerMessage: string,
  ) {
    super(`Docker could not create a network on ${subnet}: ${dockerMessage}`);
  }
}

/** Docker's X-Docker-Container-Path-Stat: `mode` is a Go os.FileMode (type bits above the permissions). */
export interface ContainerPathStat {
  name: string;
  size: number;
  mode: number;
  /** For a symlink: its target, resolved inside the container; "" otherwise. */
  linkTarget: string;
}

function parsePathStat(header: string): ContainerPathStat | undefined {
  try {
    const raw = JSON.parse(Buffer.from(header, "base64").toString("utf8")) as Partial<ContainerPathStat>;
    if (typeof raw.size !== "number" || typeof raw.mode !== "number") return undefined;
    return { name: String(raw.name ?? ""), size: raw.size, mode: raw.mode, linkTarget: String(raw.linkTarget ?? "") };
  } catch {
    return undefined;
  }
}

const ADDRESS_CONFLICT = /non-overlapping|overlaps with|address pool|no available network/i;

function statusCode(error: unknown): number | undefined {
  return (error as { statusCode?: number })?.statusCode;
}

// Last line of a host network task's output: the exit code of its script.
const EXIT_MARK = "kubelab-task-exit=";

/**
 * All Docker I/O of Kubelab with one engine (one of DOCKER_ENGINES; DockerEngines holds them all).
 * The environment's engine reads DOCKER_HOST / DOCKER_TLS_VERIFY / DOCKER_CERT_PATH like the docker CLI.
 * Every request goes through `call`, which bounds it by DOCKER_TIMEOUT: a hung engine call (e.g. one
 * waiting for a container lock) fails with an error naming it instead of wedging the request behind it.
 */
export class DockerEngine {
  private readonly logger: Logger;
  // The raw client never leaves this class (ES-private, not even reachable as engine["docker"]):
  // every request goes through `call`, so the time limit applies, and every use has a named method.
  readonly #docker: Docker;
  readonly callTimeoutMs: number;
  /** The engine's name in DOCKER_ENGINES ("local" for a single-host installation), kept on its sessions. */
  readonly name: string;

  constructor(
    config: Pick<AppConfig, "docker">,
    readonly engine: EngineConfig = { name: LOCAL_ENGINE },
    // Absent for the start-up check in main.ts, which runs before Nest.
    private readonly metrics?: Metrics,
  ) {
    this.name = engine.name;
    this.logger = new Logger(engine.name === LOCAL_ENGINE ? "DockerEngine" : `DockerEngine ${engine.name}`);
    this.#docker = new Docker(dockerodeOptions(engine));
    this.callTimeoutMs = config.docker.callTimeoutSeconds * 1000;
  }

  /**
   * Runs one Docker API request with a time limit. `run` gets an AbortSignal to pass to dockerode as
   * `abortSignal`, so a timed-out request is also dropped on the wire; calls that take no signal are
   * still abandoned at the limit. For streaming calls (exec attach, events) only the wait for Docker's
   * answer is limited, never the stream it returns; `discardLate` disposes of an answer that arrives
   * after the caller gave up (e.g. destroys a stream nobody will read).
   */
  async call<T>(
    what: string,
    run: (signal: AbortSignal) => Promise<T>,
    options: { timeoutMs?: number; discardLate?: (value: T) => void } = {},
  ): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.callTimeoutMs;
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new DockerTimeoutError(what, timeoutMs);
        abort.abort(error);
        reject(error);
      }, timeoutMs);
    });
    const running = run(abort.signal);
    if (options.discardLate) {
      const discard = options.discardLate;
      running.then((value) => abort.signal.aborted && discard(value)).catch(() => undefined);
    }
    try {
      return await Promise.race([running, expired]);
    } catch (error) {
      // "Not found" and "not modified" are answers (an image to pull, a container already stopped).
      const status = statusCode(error);
      if (status !== 404 && status !== 304) this.metrics?.dockerError(error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Whether the engine runs on this host (its Unix socket): then host paths it reports exist here too. */
  get isLocal(): boolean {
    const host = this.engine.url ?? process.env.DOCKER_HOST;
    return !host || host.startsWith("unix://");
  }

  /** Where the engine is, without credentials: for logs and the admin console. */
  get address(): string {
    const url = this.engine.url ?? process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
    return url.replace(/\/\/[^@/]*@/, "//");
  }

  async ping(): Promise<void> {
    await this.call("ping", () => this.#docker.ping());
  }

  async imageExists(image: string): Promise<boolean> {
    return (await this.imageLabels(image)) !== undefined;
  }

  /** The image's labels ({} when it has none); undefined when the image is not on the engine. */
  async imageLabels(image: string): Promise<Record<string, string> | undefined> {
    try {
      const info = await this.call(`inspect image ${image}`, () => this.#docker.getImage(image).inspect());
      return info.Config?.Labels ?? {};
    } catch (error) {
      if (statusCode(error) === 404) return undefined;
      throw error;
    }
  }

  /** Size and creation time of an image as the engine reports them; undefined when it is not on the engine. */
  async imageFacts(image: string): Promise<ImageFacts | undefined> {
    try {
      const info = await this.call(`inspect image ${image}`, () => this.#docker.getImage(image).inspect());
      return { id: info.Id, sizeBytes: info.Size, createdAt: info.Created ? new Date(info.Created) : null };
    } catch (error) {
      if (statusCode(error) === 404) return undefined;
      throw error;
    }
  }

  /** Whether this engine lets containers run privileged (some hosts drop capabilities from the bounding set). */
  async canRunPrivileged(image: string): Promise<boolean> {
    const container = await this.call("create privileged probe", (abortSignal) =>
      this.#docker.createContainer({
        Image: image,
        Entrypoint: ["true"],
        Cmd: [],
        Labels: { "kubelab.probe": "privileged" },
        HostConfig: { Privileged: true, AutoRemove: false },
        abortSignal,
      }),
    );
    try {
      await this.call("start privileged probe", (abortSignal) => container.start({ abortSignal }));
      await this.call("wait for privileged probe", (abortSignal) => container.wait({ abortSignal }));
      return true;
    } catch (error) {
      this.logger.warn(`Privileged containers are refused here: ${(error as Error).message.trim()}`);
      return false;
    } finally {
      await this.call("remove privileged probe", (abortSignal) => container.remove({ force: true, abortSignal })).catch(
        () => undefined,
      );
    }
  }

  /**
   * Whether containers can get a hard size on their writable layer (`StorageOpt.size`): overlay2
   * on xfs mounted with project quotas. `docker info` only tells the backing filesystem, not the
   * mount option, so a container is created (not started) with a size to be sure.
   */
  async supportsLayerQuota(image: string): Promise<boolean> {
    const info = (await this.call("info", () => this.#docker.info())) as {
      Driver?: string;
      DriverStatus?: [string, string][];
    };
    const backing = info.DriverStatus?.find(([key]) => key === "Backing Filesystem")?.[1];
    if (info.Driver !== "overlay2" || backing !== "xfs") return false;
    try {
      const probe = await this.call("create layer quota probe", (abortSignal) =>
        this.#docker.createContainer({
          Image: image,
          Entrypoint: ["true"],
          Cmd: [],
          Labels: { "kubelab.probe": "layer-quota" },
          HostConfig: { StorageOpt: { size: "1G" } },
          abortSignal,
        }),
      );
      await this.call("remove layer quota probe", (abortSignal) => probe.remove({ force: true, abortSignal })).catch(
        () => undefined,
      );
      return true;
    } catch (error) {
      this.logger.warn(`Container layer quotas are not available: ${(error as Error).message.trim()}`);
      return false;
    }
  }

  /**
   * Disk used by the writable layers of this instance's node containers (by container name) and by
   * all volumes (by name), computed by the engine on the host, so nothing inside a node can hide
   * what it wrote. API 1.42+ engines only compute the two kinds asked for; 1.41 (Docker 20.10)
   * ignores `type` and also sizes images, so the cost grows with everything on the engine.
   */
  async diskUsage(): Promise<DiskUsage> {
    type SystemDf = {
      Containers?: { Names?: string[]; SizeRw?: number }[] | null;
      Volumes?: { Name: string; UsageData?: { Size?: number } | null }[] | null;
    };
    // /system/df sizes everything on a 1.41 engine; it gets twice the usual time.
    const data = await this.call(
      "system df",
      () =>
        new Promise<SystemDf>((resolve, reject) =>
          this.#docker.modem.dial(
            {
              path: "/system/df?",
              method: "GET",
              options: { type: ["container", "volume"] },
              statusCodes: { 200: true, 500: "server error" },
            },
            (error, result) => (error ? reject(error) : resolve(result as never)),
          ),
        ),
      { timeoutMs: 2 * this.callTimeoutMs },
    );
    const layers = new Map<string, number>();
    for (const container of data.Containers ?? []) {
      for (const name of container.Names ?? []) layers.set(name.replace(/^\//, ""), container.SizeRw ?? 0);
    }
    const volumes = new Map<string, number>();
    for (const volume of data.Volumes ?? []) volumes.set(volume.Name, Math.max(0, volume.UsageData?.Size ?? 0));
    return { layers, volumes };
  }

  /** The engine's storage driver and data root (`docker info`). */
  async storageInfo(): Promise<{ driver: string; rootDir: string }> {
    const info = (await this.call("info", () => this.#docker.info())) as { Driver?: string; DockerRootDir?: string };
    return { driver: info.Driver ?? "", rootDir: info.DockerRootDir ?? "" };
  }

  /** Host paths of a node's writable layer (overlay2 only) and volume (local driver), if they exist. */
  async nodeDataDirs(container: string, volume: string): Promise<NodeDataDirs> {
    const [info, vol] = await Promise.all([
      this.call(`inspect container ${container}`, (abortSignal) =>
        this.#docker.getContainer(container).inspect({ abortSignal }),
      ).catch(() => undefined),
      this.call(`inspect volume ${volume}`, (abortSignal) =>
        this.#docker.getVolume(volume).inspect({ abortSignal }),
      ).catch(() => undefined),
    ]);
    const driverData = info?.GraphDriver?.Data as Record<string, string> | undefined;
    const layer = info?.GraphDriver?.Name === "overlay2" ? driverData?.UpperDir : undefined;
    return { layer, volume: vol?.Driver === "local" ? vol.Mountpoint : undefined };
  }

  /**
   * Starts (or finds) the disk probe of an instance: an idle container that sees the engine's
   * data root read-only, so `du` there measures node data from the host side, where nothing done
   * inside a node can hide it. The bind is not recursive, so the probe holds no copies of other
   * containers' mounts (which would keep them busy when they are removed); local volumes and
   * overlay2 layers are plain directories and stay visible. Network-less, read-only, with only the
   * capability to read any file and 64 MiB of memory.
   */
  async ensureDiskProbe(instanceId: string, image: string, rootDir: string): Promise<string> {
    const name = `kubelab-disk-probe-${instanceId}`;
    const existing = await this.call(`inspect ${name}`, (abortSignal) =>
      this.#docker.getContainer(name).inspect({ abortSignal }),
    ).catch(() => undefined);
    if (existing?.State.Running) return existing.Id;
    if (existing) await this.removeDiskProbe(instanceId);
    // API 1.40+ knows BindOptions.NonRecursive; dockerode's types do not yet.
    const mount = {
      Type: "bind",
      Source: rootDir,
      Target: PROBE_ROOT,
      ReadOnly: true,
      BindOptions: { NonRecursive: true },
    };
    const probe: Docker.Container = await this.call(`create ${name}`, (abortSignal) =>
      this.#docker.createContainer({
        abortSignal,
        name,
        Image: image,
        Entrypoint: ["sleep", "infinity"],
        Cmd: [],
        Labels: { [LABEL_DISK_PROBE]: instanceId },
        HostConfig: {
          NetworkMode: "none",
          ReadonlyRootfs: true,
          CapDrop: ["ALL"],
          CapAdd: ["DAC_READ_SEARCH"],
          SecurityOpt: ["no-new-privileges"],
          Memory: 64 * 1024 * 1024,
          PidsLimit: 32,
          RestartPolicy: { Name: "no" },
          Mounts: [mount as unknown as Docker.MountSettings],
        },
      }),
    );
    await this.call(`start ${name}`, (abortSignal) => probe.start({ abortSignal }));
    return probe.id;
  }

  async removeDiskProbe(instanceId: string): Promise<void> {
    const name = `kubelab-disk-probe-${instanceId}`;
    await this.ignoreMissing(
      this.call(`remove ${name}`, (abortSignal) =>
        this.#docker.getContainer(name).remove({ force: true, abortSignal }),
      ),
    );
  }

  /**
   * Bytes allocated on disk under each host directory (all below the engine's data root), by `du`
   * in the disk probe. Allocated blocks, not file lengths: a sparse file counts what it really
   * uses, and space reserved with `fallocate --keep-size` counts too. Directories that vanished
   * meanwhile are missing from the result.
   */
  async allocatedBytes(
    probeId: string,
    rootDir: string,
    dirs: string[],
    timeoutMs: number,
  ): Promise<Map<string, number>> {
    const inProbe = (dir: string) => PROBE_ROOT + dir.slice(rootDir.length);
    const { output } = await this.exec(probeId, ["du", "-s", "-B1", "--", ...dirs.map(inProbe)], timeoutMs);
    const sizes = new Map<string, number>();
    for (const line of output.split("\n")) {
      const match = /^(\d+)\t(.+)$/.exec(line);
      if (match) sizes.set(rootDir + match[2]!.slice(PROBE_ROOT.length), Number(match[1]));
    }
    return sizes;
  }

  /**
   * Free and total bytes of the filesystem holding the engine's data root, as the disk probe sees
   * it (`df` on its read-only view of the data root).
   */
  async dataRootSpace(probeId: string): Promise<{ freeBytes: number; sizeBytes: number } | undefined> {
    const { exitCode, output } = await this.exec(probeId, ["df", "-P", "-B1", PROBE_ROOT]);
    const fields = output.trim().split("\n").at(-1)?.split(/\s+/) ?? [];
    const size = Number(fields[1]);
    const free = Number(fields[3]);
    if (exitCode !== 0 || !Number.isFinite(size) || !Number.isFinite(free)) return undefined;
    return { freeBytes: free, sizeBytes: size };
  }

  /**
   * One reading of a container's counters (`GET /containers/:id/stats?stream=false&one-shot=true`):
   * cumulative CPU time and the memory in use, without the engine's second wait for a CPU delta
   * (the caller computes it from two readings). Undefined when the container is gone or stopped.
   */
  async containerStats(container: string): Promise<ContainerStatsReading | undefined> {
    let stats: Docker.ContainerStats;
    try {
      // `one-shot` (API 1.41+): no second reading for precpu_stats; the caller keeps the previous one.
      stats = await this.call(`stats ${container}`, (abortSignal) => {
        const options = { stream: false as const, "one-shot": true, abortSignal };
        return this.#docker.getContainer(container).stats(options);
      });
    } catch (error) {
      if (statusCode(error) === 404 || statusCode(error) === 409) return undefined;
      throw error;
    }
    // A stopped container answers with zeroes.
    const memory = stats.memory_stats as Partial<Docker.MemoryStats> | undefined;
    if (!memory?.usage) return undefined;
    // As `docker stats` counts it: page cache that can be dropped at once is not "in use".
    const counters = memory.stats as Record<string, number | undefined> | undefined;
    const cache = counters?.inactive_file ?? counters?.total_inactive_file ?? 0;
    const pidsStats = stats.pids_stats;
    return {
      cpuNanos: stats.cpu_stats?.cpu_usage?.total_usage ?? 0,
      memoryBytes: Math.max(0, memory.usage - cache),
      memoryLimitBytes: memory.limit ?? 0,
      pids: typeof pidsStats?.current === "number" ? pidsStats.current : null,
      // The engine reports "max" (no limit) as 0 or a huge number; both read as no limit.
      pidsLimit: pidsStats?.limit && pidsStats.limit < Number.MAX_SAFE_INTEGER ? pidsStats.limit : null,
      at: Date.now(),
    };
  }

  /** A node's memory limit and CPUs as the engine applies them now; undefined when it is gone. */
  async nodeLimits(container: string): Promise<{ memoryBytes: number; cpus: number } | undefined> {
    try {
      const info = await this.call(`inspect ${container}`, (abortSignal) =>
        this.#docker.getContainer(container).inspect({ abortSignal }),
      );
      return { memoryBytes: info.HostConfig.Memory ?? 0, cpus: (info.HostConfig.NanoCpus ?? 0) / 1e9 };
    } catch (error) {
      if (statusCode(error) === 404) return undefined;
      throw error;
    }
  }

  /** Changes a running node's memory (no swap beyond it, as at creation) and CPUs. */
  async resizeNode(container: string, limits: { memoryBytes: number; cpus: number }): Promise<void> {
    await this.call(`update ${container}`, () =>
      this.#docker.getContainer(container).update({
        Memory: limits.memoryBytes,
        MemorySwap: limits.memoryBytes,
        NanoCpus: Math.round(limits.cpus * 1e9),
      }),
    );
  }

  /** The engine's version, data root, host memory and CPUs (`docker info`). */
  async engineHost(timeoutMs?: number): Promise<EngineHost> {
    const info = (await this.call("info", () => this.#docker.info(), { timeoutMs })) as {
      ServerVersion?: string;
      DockerRootDir?: string;
      MemTotal?: number;
      NCPU?: number;
    };
    return {
      version: info.ServerVersion ?? null,
      dataRoot: info.DockerRootDir ?? null,
      memoryBytes: info.MemTotal ?? null,
      cpus: info.NCPU ?? null,
    };
  }

  /** Whether the engine runs containers in a remapped user namespace (dockerd --userns-remap). */
  async remapsUsers(): Promise<boolean> {
    const info = (await this.call("info", () => this.#docker.info())) as { SecurityOptions?: string[] };
    return (info.SecurityOptions ?? []).some((option) => option.split(",").includes("name=userns"));
  }

  /**
   * Creates a session's bridge network on `subnet` (its block of NODE_SUBNETS), the bridge taking
   * the first address. Docker refusing the addresses (the block overlaps a network Docker or the
   * host already has) is thrown as a SubnetUnavailableError.
   */
  async createSessionNetwork(labels: NodeLabels, subnet: { subnet: string; gateway: string }): Promise<void> {
    const name = sessionNetworkName(labels.sessionId);
    try {
      await this.call(`create network ${name}`, (abortSignal) =>
        this.#docker.createNetwork({
          Name: name,
          Driver: "bridge",
          CheckDuplicate: true,
          Labels: labelsFor(labels),
          IPAM: { Driver: "default", Config: [{ Subnet: subnet.subnet, Gateway: subnet.gateway }] },
          // A recognisable interface name: the node firewall matches every session bridge by its prefix.
          Options: { "com.docker.network.bridge.name": sessionBridgeName(labels.instanceId, labels.sessionId) },
          abortSignal,
        }),
      );
    } catch (error) {
      if (ADDRESS_CONFLICT.test((error as Error).message)) {
        throw new SubnetUnavailableError(subnet.subnet, (error as Error).message.trim());
      }
      throw error;
    }
  }

  /** The IPv4 subnets of every network on the engine, Kubelab's or not. */
  async networkSubnets(): Promise<string[]> {
    const networks = await this.call("list networks", (abortSignal) => this.#docker.listNetworks({ abortSignal }));
    return networks.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? "")).filter((s) => s.includes("."));
  }

  /**
   * Joins the container Kubelab runs in (docker-compose) to a session network,
   * so the port proxy can reach the nodes. Best effort: without it only ports
   * stop working, so a failure is logged, not fatal.
   */
  async joinSessionNetwork(container: string | undefined, sessionId: string): Promise<void> {
    if (!container) return;
    try {
      const network = this.#docker.getNetwork(sessionNetworkName(sessionId));
      // dockerode's connect takes no abort signal: the call's time limit still stops the wait.
      await this.call(`connect ${container} to ${sessionNetworkName(sessionId)}`, () =>
        network.connect({ Container: container }),
      );
    } catch (error) {
      // Already connected (a restart of the same container) is the state we want.
      if (/already exists/i.test((error as Error).message)) return;
      this.logger.warn(
        `Could not connect container ${container} to ${sessionNetworkName(sessionId)}: ${(error as Error).message}`,
      );
    }
  }

  /**
   * Creates the node's volume and container on the session network, starts it, and returns its
   * address. With `followOutput` it attaches to the container before starting it, so not a line
   * of the node's output is missed (a log stream opened after the start could be, and depends on
   * the engine's log driver; an attach does not).
   */
  async startNode(spec: NodeSpec, options: { followOutput?: boolean } = {}): Promise<StartedNode> {
    const { sessionId, node } = spec.labels;
    const labels = labelsFor(spec.labels);
    const volume = nodeVolumeName(sessionId, node);
    await this.call(`create volume ${volume}`, (abortSignal) =>
      this.#docker.createVolume({ Name: volume, Labels: labels, abortSignal }),
    );
    const network = sessionNetworkName(sessionId);
    const name = nodeContainerName(sessionId, node);
    const container = await this.call(`create container ${name}`, (abortSignal) =>
      this.#docker.createContainer({
        abortSignal,
        name,
        Hostname: node,
        Image: spec.image,
        Labels: labels,
        Env: [
          `KUBELAB_NODE=${node}`,
          `KUBELAB_SESSION=${sessionId}`,
          ...(spec.registryMirror ? [`KUBELAB_REGISTRY_MIRROR=${spec.registryMirror}`] : []),
        ],
        HostConfig: {
          ...securityHostConfig(spec.profile),
          Memory: spec.memoryBytes,
          // No swap beyond the memory limit: a memory hog hits the limit instead of thrashing the host.
          MemorySwap: spec.memoryBytes,
          NanoCpus: Math.round(spec.cpus * 1e9),
          PidsLimit: spec.pidsLimit,
          ...(spec.layerQuotaBytes ? { StorageOpt: { size: String(spec.layerQuotaBytes) } } : {}),
          Mounts: [{ Type: "volume", Source: volume, Target: "/var/lib/docker" }],
          NetworkMode: network,
          RestartPolicy: { Name: "no" },
        },
        NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [node] } } },
      }),
    );
    const output = options.followOutput ? await this.attachOutput(container, name) : undefined;
    try {
      await this.call(`start container ${name}`, (abortSignal) => container.start({ abortSignal }));
      const info = await this.call(`inspect container ${name}`, (abortSignal) => container.inspect({ abortSignal }));
      const ip = info.NetworkSettings.Networks[network]?.IPAddress || null;
      return { containerId: info.Id, ip, output };
    } catch (error) {
      output?.destroy();
      throw error;
    }
  }

  /**
   * A container's stdout and stderr, demultiplexed into one stream, from an attach request. Only
   * Docker's answer is time-limited; the stream lasts until the container stops or the reader
   * destroys it (which ends the request; without stdin that does not touch the container).
   */
  private async attachOutput(container: Docker.Container, name: string): Promise<Readable> {
    const stream = await this.call<Readable>(
      `attach to ${name}`,
      (abortSignal) =>
        container.attach({
          stream: true,
          stdout: true,
          stderr: true,
          abortSignal,
        }) as Promise<unknown> as Promise<Readable>,
      { discardLate: (late) => late.destroy() },
    );
    const output = new PassThrough();
    this.#docker.modem.demuxStream(stream, output, output);
    const finish = (): void => void (output.destroyed || output.end());
    stream.once("end", finish);
    stream.once("close", finish);
    // A broken attach ends the output as a stop would (the reader then asks whether the node still
    // runs), and never surfaces as an 'error' event: nobody may be listening at that moment.
    stream.on("error", finish);
    output.once("close", () => stream.destroy());
    return output;
  }

  /**
   * Runs a command to completion and returns its exit code and output (its first 64 KiB). Each API
   * request is bounded by DOCKER_TIMEOUT, the command's whole run by `timeoutMs`. `signal` stops
   * waiting at once: ending a session that is still starting must not wait for a readiness check
   * in flight, which on a loaded host can take the rest of NODE_READY_TIMEOUT.
   */
  async exec(
    containerId: string,
    cmd: string[],
    timeoutMs = 10_000,
    signal?: AbortSignal,
  ): Promise<{ exitCode: number; output: string }> {
    let output = "";
    const exitCode = await this.runExec(containerId, cmd, {
      timeoutMs,
      signal,
      onOutput: (chunk) => {
        if (output.length < 64 * 1024) output += chunk.toString("utf8");
      },
    });
    return { exitCode, output };
  }

  /**
   * Runs a lesson's script with bash inside a node (never on the host): `timeout -s KILL` in the node
   * kills it and its process group at `timeoutSeconds`, and whatever the script left running in the
   * background is killed when it ends (it would hold the output open); the server stops waiting a few
   * seconds later whatever happens (a child that left the group). stdout and stderr go to `onOutput`
   * as they come.
   */
  async runScript(
    containerId: string,
    script: string,
    options: { timeoutSeconds: number; onOutput: (chunk: Buffer) => void },
  ): Promise<{ exitCode: number | null; timedOut: boolean }> {
    const cmd = ["bash", "-c", SCRIPT_RUNNER, "kubelab-script", String(options.timeoutSeconds), script];
    const started = Date.now();
    try {
      const exitCode = await this.runExec(containerId, cmd, {
        timeoutMs: options.timeoutSeconds * 1000 + SCRIPT_DEADLINE_GRACE_MS,
        onOutput: options.onOutput,
        env: ["LANG=C.UTF-8", "HOME=/root"],
        workingDir: "/root",
        describe: `script (${options.timeoutSeconds} s)`,
      });
      // 124: timeout's own code; 137: the KILL reached timeout's process group, timeout included.
      // A script that exits so itself before its time is not "timed out".
      const timedOut =
        (exitCode === 124 || exitCode === 137) && Date.now() - started >= options.timeoutSeconds * 1000 - 250;
      return { exitCode: exitCode === -1 ? null : exitCode, timedOut };
    } catch (error) {
      if (error instanceof ExecDeadlineError) return { exitCode: null, timedOut: true };
      // 409 "container is not running", 404 gone: the node stopped under the session.
      const status = statusCode(error);
      if (status === 404 || status === 409) throw new AppError("node_not_running", "The node is not running");
      throw error;
    }
  }

  private async runExec(
    containerId: string,
    cmd: string[],
    options: {
      timeoutMs: number;
      signal?: AbortSignal;
      onOutput: (chunk: Buffer) => void;
      env?: string[];
      workingDir?: string;
      /** How logs and errors name the command (lesson scripts are not for logs). */
      describe?: string;
    },
  ): Promise<number> {
    const { signal, timeoutMs } = options;
    signal?.throwIfAborted();
    const named = options.describe ?? `"${cmd.join(" ")}"`;
    const what = `exec ${options.describe ?? `"${cmd.join(" ").slice(0, 60)}"`} in ${containerId.slice(0, 12)}`;
    const exec = await this.call(what, (abortSignal) =>
      this.#docker.getContainer(containerId).exec({
        Cmd: cmd,
        AttachStdout: true,
        AttachStderr: true,
        ...(options.env ? { Env: options.env } : {}),
        ...(options.workingDir ? { WorkingDir: options.workingDir } : {}),
        abortSignal,
      }),
    );
    const stream = await this.call(
      `${what} (attach)`,
      (abortSignal) => exec.start({ hijack: true, stdin: false, abortSignal }),
      { discardLate: (late) => (late as unknown as Readable).destroy() },
    );
    const sink = new PassThrough();
    sink.on("data", options.onOutput);
    this.#docker.modem.demuxStream(stream, sink, sink);
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        clearTimeout(timer);
        stopExitWatch();
        signal?.removeEventListener("abort", aborted);
        if (error === undefined) resolve();
        else reject(error);
      };
      const aborted = () => {
        stream.destroy();
        const reason: unknown = signal?.reason;
        settle(reason instanceof Error ? reason : new Error(`${named} was cancelled`));
      };
      const timer = setTimeout(() => {
        stream.destroy();
        settle(new ExecDeadlineError(`${named} did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      const stopExitWatch = watchExecExit(
        () => this.call(`${what} (state)`, (abortSignal) => exec.inspect({ abortSignal })),
        () => {
          stream.destroy();
          settle();
        },
      );
      if (signal?.aborted) aborted();
      signal?.addEventListener("abort", aborted, { once: true });
      stream.on("end", () => settle());
      stream.on("error", (error) => settle(error));
    });
    const result = await this.call(`${what} (result)`, (abortSignal) => exec.inspect({ abortSignal }));
    return execExitCode(result) ?? -1;
  }

  /**
   * Starts an interactive process with a TTY and returns its attached stream. Creating and attaching
   * are time-limited; the stream itself lives as long as the process (terminals stay open for hours).
   */
  async openShell(
    containerId: string,
    options: { cmd: string[]; env: string[]; workingDir: string; tty?: boolean },
  ): Promise<ShellExec> {
    // Without a TTY (the terminal holder brings its own pty) the stream is Docker's multiplexed one.
    const tty = options.tty ?? true;
    const what = `exec shell in ${containerId.slice(0, 12)}`;
    const exec = await this.call(what, (abortSignal) =>
      this.#docker.getContainer(containerId).exec({
        Cmd: options.cmd,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: tty,
        Env: options.env,
        WorkingDir: options.workingDir,
        abortSignal,
      }),
    );
    const stream = await this.call<Duplex>(
      `${what} (attach)`,
      (abortSignal) => exec.start({ hijack: true, stdin: true, Tty: tty, abortSignal }),
      { discardLate: (late) => (late as unknown as Readable).destroy() },
    );
    return {
      stream,
      resize: async (cols, rows) => {
        await this.call(`resize ${what}`, (abortSignal) => exec.resize({ w: cols, h: rows, abortSignal }));
      },
      exitCode: async () =>
        execExitCode(await this.call(`inspect ${what}`, (abortSignal) => exec.inspect({ abortSignal }))),
    };
  }

  /**
   * Follows the deaths and OOM kills of this instance's node containers. Only the wait for Docker's
   * answer is time-limited; the watch then lasts until `close` or until the stream breaks (engine
   * restart), when the loop over `events` ends or throws and the caller decides how to resume.
   */
  async watchNodeEvents(instanceId: string): Promise<NodeEventWatch> {
    const filters = {
      type: ["container" as const],
      event: NODE_EVENT_ACTIONS,
      label: [`${LABEL_INSTANCE}=${instanceId}`],
    };
    const stream = await this.call<Readable>(
      "events",
      (abortSignal) => this.#docker.getEvents({ filters, abortSignal }) as Promise<unknown> as Promise<Readable>,
      { discardLate: (late) => late.destroy() },
    );
    let closed = false;
    async function* events(): AsyncGenerator<NodeEvent> {
      try {
        yield* nodeEventsFrom(stream);
      } catch (error) {
        if (!closed) throw error; // a stream destroyed by `close` ends quietly
      }
    }
    return {
      events: events(),
      close: () => {
        closed = true;
        stream.destroy();
      },
    };
  }

  /**
   * Streams `size` bytes from `source` into `dir/name` in the container as a
   * one-entry tar archive, never holding the whole file in memory. The entry
   * is written with its declared size; a short body fails the upload.
   *
   * Docker holds the container's lock for as long as this request is open:
   * inspect, exec and removal of that container all wait for it. So a body
   * that stops coming (client gone, or silent for DOCKER_TIMEOUT) must end
   * the request to Docker at once; merely closing the archive stream does not
   * (the request would stay open, waiting for the rest of the body, forever).
   */
  async putFile(containerId: string, dir: string, name: string, size: number, source: Readable): Promise<void> {
    const abort = new AbortController();
    const archive = tarStream.pack();
    const entry = archive.entry({ name, size, mode: 0o644, mtime: new Date() }, (error) => {
      if (error) fail(error);
      else archive.finalize();
    });
    const failed = new Promise<never>((_, reject) =>
      abort.signal.addEventListener("abort", () => reject(abort.signal.reason as Error), { once: true }),
    );
    failed.catch(() => undefined);
    const fail = (error: Error): void => {
      if (abort.signal.aborted) return;
      abort.abort(error);
      source.unpipe(entry);
      entry.destroy(error);
      archive.destroy(error);
    };
    const incomplete = (): void => {
      if (!source.readableEnded) fail(new UploadIncompleteError(`the upload ended before its ${size} bytes arrived`));
    };
    // No progress for DOCKER_TIMEOUT: either the client stopped sending or Docker stopped taking.
    let idle: NodeJS.Timeout | undefined;
    const armIdle = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        const seconds = this.callTimeoutMs / 1000;
        fail(
          source.readableEnded || entry.writableNeedDrain
            ? new DockerTimeoutError(`copy ${name} into ${containerId.slice(0, 12)}`, this.callTimeoutMs)
            : new UploadIncompleteError(`no data arrived for ${seconds} s; the upload was cancelled`),
        );
      }, this.callTimeoutMs);
    };
    armIdle();
    source.on("data", armIdle);
    source.on("end", armIdle);
    source.once("aborted", incomplete);
    source.once("close", incomplete);
    source.once("error", (error) => fail(source.readableEnded ? error : new UploadIncompleteError(error.message)));
    source.pipe(entry);
    try {
      await Promise.race([
        this.#docker.getContainer(containerId).putArchive(archive, { path: dir, abortSignal: abort.signal }),
        failed,
      ]);
    } catch (error) {
      throw abort.signal.aborted ? (abort.signal.reason as Error) : error;
    } finally {
      clearTimeout(idle);
      source.off("data", armIdle);
      source.off("end", armIdle);
      source.off("aborted", incomplete);
      source.off("close", incomplete);
    }
  }

  /**
   * Starts copying `path` out of a container as a tar archive (Docker's GET archive), with what
   * Docker says about the path (lstat: a symlink is reported as one, see `linkTarget`); undefined
   * when the path does not exist. Only the wait for Docker's answer is time-limited: the caller
   * reads `archive` to its end or destroys it, and must not let it stall, because Docker holds
   * the container's lock until the copy ends.
   */
  async readArchive(
    containerId: string,
    path: string,
  ): Promise<{ stat: ContainerPathStat; archive: Readable } | undefined> {
    let archive: IncomingMessage;
    try {
      archive = await this.call(
        `copy ${path.slice(0, 60)} out of ${containerId.slice(0, 12)}`,
        (abortSignal) =>
          this.#docker
            .getContainer(containerId)
            .getArchive({ path, abortSignal }) as Promise<unknown> as Promise<IncomingMessage>,
        { discardLate: (late) => late.destroy() },
      );
    } catch (error) {
      if (statusCode(error) === 404) return undefined;
      throw error;
    }
    const header = archive.headers["x-docker-container-path-stat"];
    const stat = typeof header === "string" ? parsePathStat(header) : undefined;
    if (!stat) {
      archive.destroy();
      throw new Error(`Docker sent no usable stat of ${path} in ${containerId.slice(0, 12)}`);
    }
    return { stat, archive };
  }

  async isRunning(containerId: string): Promise<boolean> {
    try {
      const info = await this.call(`inspect ${containerId.slice(0, 12)}`, (abortSignal) =>
        this.#docker.getContainer(containerId).inspect({ abortSignal }),
      );
      return info.State.Running;
    } catch (error) {
      if (statusCode(error) === 404) return false;
      throw error;
    }
  }

  /**
   * Removes every container, network and volume of a session. Safe to repeat; missing objects are
   * fine. Every request is time-limited, so this fails (leaving the rest to a later sweep) rather
   * than hanging on a container Docker keeps locked.
   */
  async removeSessionObjects(instanceId: string, sessionId: string): Promise<void> {
    const filters = { label: [`${LABEL_INSTANCE}=${instanceId}`, `${LABEL_SESSION}=${sessionId}`] };
    const containers = await this.call("list containers", (abortSignal) =>
      this.#docker.listContainers({ all: true, filters, abortSignal }),
    );
    await Promise.all(
      containers.map((c) =>
        this.ignoreMissing(
          this.call(`remove container ${c.Id.slice(0, 12)}`, (abortSignal) =>
            this.#docker.getContainer(c.Id).remove({ force: true, v: true, abortSignal }),
          ),
        ),
      ),
    );
    const networks = await this.call("list networks", (abortSignal) =>
      this.#docker.listNetworks({ filters, abortSignal }),
    );
    await Promise.all(networks.map((n) => this.ignoreMissing(this.removeNetwork(n.Id))));
    const { Volumes: volumes } = await this.call("list volumes", (abortSignal) =>
      this.#docker.listVolumes({ filters, abortSignal }),
    );
    await Promise.all(
      (volumes ?? []).map((v) =>
        this.ignoreMissing(
          this.call(`remove volume ${v.Name}`, (abortSignal) =>
            this.#docker.getVolume(v.Name).remove({ force: true, abortSignal }),
          ),
        ),
      ),
    );
  }

  /** Everything this Kubelab instance created, grouped by kind, for reconciliation. */
  async listInstanceObjects(instanceId: string): Promise<LabelledObjects> {
    const filters = { label: [`${LABEL_INSTANCE}=${instanceId}`] };
    const [containers, networks, volumes] = await Promise.all([
      this.call("list containers", (abortSignal) => this.#docker.listContainers({ all: true, filters, abortSignal })),
      this.call("list networks", (abortSignal) => this.#docker.listNetworks({ filters, abortSignal })),
      this.call("list volumes", (abortSignal) => this.#docker.listVolumes({ filters, abortSignal })),
    ]);
    return {
      containers: containers.map((c) => ({
        id: c.Id,
        sessionId: c.Labels[LABEL_SESSION] ?? "",
        node: c.Labels["kubelab.node"],
        running: c.State === "running",
      })),
      networks: networks.map((n) => ({ id: n.Id, sessionId: n.Labels?.[LABEL_SESSION] ?? "" })),
      volumes: (volumes.Volumes ?? []).map((v) => ({ name: v.Name, sessionId: v.Labels?.[LABEL_SESSION] ?? "" })),
    };
  }

  /**
   * Runs `sh -c script` in a throw-away container in the Docker host's network namespace (for the
   * host firewall) and returns its exit code and combined output. The container kills its own
   * script after `timeoutMs` and removes itself when it exits, so nothing is left behind even if
   * this process dies half-way.
   */
  async runHostNetworkTask(task: {
    image: string;
    script: string;
    labels: Record<string, string>;
    timeoutMs: number;
  }): Promise<{ exitCode: number; output: string }> {
    const seconds = String(Math.ceil(task.timeoutMs / 1000));
    const container = await this.call("create host network task", (abortSignal) =>
      this.#docker.createContainer({
        abortSignal,
        Image: task.image,
        // The exit code travels in the output: with AutoRemove the container may be gone before a wait() call.
        Entrypoint: ["timeout", "-s", "KILL", seconds, "sh", "-c", `(\n${task.script}\n)\necho "${EXIT_MARK}$?"`],
        Cmd: [],
        Labels: task.labels,
        HostConfig: { NetworkMode: "host", CapAdd: ["NET_ADMIN", "NET_RAW"], AutoRemove: true },
      }),
    );
    try {
      const stream = await this.call(
        "attach to host network task",
        (abortSignal) => container.attach({ stream: true, stdout: true, stderr: true, abortSignal }),
        { discardLate: (late) => (late as unknown as Readable).destroy() },
      );
      let output = "";
      const sink = new PassThrough();
      sink.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
      this.#docker.modem.demuxStream(stream, sink, sink);
      const ended = new Promise<void>((resolve, reject) => {
        stream.on("end", resolve);
        stream.on("close", resolve);
        stream.on("error", reject);
      });
      await this.call("start host network task", (abortSignal) => container.start({ abortSignal }));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`did not finish within ${task.timeoutMs} ms`)),
          task.timeoutMs + 5000,
        );
      });
      await Promise.race([ended, timeout]).finally(() => clearTimeout(timer));
      const exit = new RegExp(`${EXIT_MARK}(\\d+)\\s*$`).exec(output);
      return { exitCode: exit ? Number(exit[1]) : -1, output: exit ? output.slice(0, exit.index) : output };
    } catch (error) {
      await this.ignoreMissing(
        this.call("remove host network task", (abortSignal) => container.remove({ force: true, abortSignal })),
      );
      throw error;
    }
  }

  /** Removes containers carrying `label` (e.g. helpers left behind by a crash). */
  async removeContainersLabelled(label: string): Promise<void> {
    const containers = await this.call(`list containers ${label}`, (abortSignal) =>
      this.#docker.listContainers({ all: true, filters: { label: [label] }, abortSignal }),
    );
    await Promise.all(
      containers.map((c) =>
        this.ignoreMissing(
          this.call(`remove container ${c.Id.slice(0, 12)}`, (abortSignal) =>
            this.#docker.getContainer(c.Id).remove({ force: true, abortSignal }),
          ),
        ),
      ),
    );
  }

  // A network with endpoints cannot be removed; the only ones left after the nodes are gone are
  // containers that joined it (Kubelab's own, see joinSessionNetwork), so they are detached first.
  private async removeNetwork(id: string): Promise<void> {
    const network = this.#docker.getNetwork(id);
    const what = `network ${id.slice(0, 12)}`;
    const info = (await this.call(`inspect ${what}`, () => network.inspect())) as {
      Containers?: Record<string, unknown>;
    };
    for (const container of Object.keys(info.Containers ?? {})) {
      await this.ignoreMissing(
        this.call(`disconnect ${container.slice(0, 12)} from ${what}`, (abortSignal) =>
          network.disconnect({ Container: container, Force: true, abortSignal }),
        ),
      );
    }
    await this.call(`remove ${what}`, (abortSignal) => network.remove({ abortSignal }));
  }

  private async ignoreMissing(operation: Promise<unknown>): Promise<void> {
    try {
      await operation;
    } catch (error) {
      // 404: already gone; 409 on remove: removal already in progress.
      if (statusCode(error) !== 404 && statusCode(error) !== 409) throw error;
    }
  }
}

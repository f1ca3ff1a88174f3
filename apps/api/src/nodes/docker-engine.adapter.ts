import { Injectable, Logger } from "@nestjs/common";
import Docker from "dockerode";
import { PassThrough, type Readable } from "node:stream";
import tarStream from "tar-stream";
import {
  LABEL_INSTANCE,
  LABEL_SESSION,
  labelsFor,
  nodeContainerName,
  nodeVolumeName,
  sessionNetworkName,
  type NodeLabels,
} from "./docker-labels";
import { securityHostConfig, type NodeSecurityProfile } from "./node-security-profile";

export interface NodeSpec {
  labels: Required<NodeLabels>;
  image: string;
  profile: NodeSecurityProfile;
  memoryBytes: number;
  cpus: number;
  pidsLimit: number;
  /** Hard size of the container layer (overlay2 on xfs with project quotas only); undefined: none. */
  layerQuotaBytes?: number;
}

export interface StartedNode {
  containerId: string;
  ip: string | null;
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

// The disk probe is Kubelab's own helper, not part of any session: it carries no kubelab.instance
// label, so reconciliation and session clean-up never count or remove it.
const LABEL_DISK_PROBE = "kubelab.disk-probe";
const PROBE_ROOT = "/engine";

export interface LabelledObjects {
  containers: { id: string; sessionId: string; node: string | undefined; running: boolean }[];
  networks: { id: string; sessionId: string }[];
  volumes: { name: string; sessionId: string }[];
}

function statusCode(error: unknown): number | undefined {
  return (error as { statusCode?: number })?.statusCode;
}

/** All Docker I/O of Kubelab. Reads DOCKER_HOST / DOCKER_TLS_VERIFY / DOCKER_CERT_PATH like the docker CLI. */
@Injectable()
export class DockerEngine {
  private readonly logger = new Logger("DockerEngine");
  readonly docker = new Docker();

  async ping(): Promise<void> {
    await this.docker.ping();
  }

  async imageExists(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch (error) {
      if (statusCode(error) === 404) return false;
      throw error;
    }
  }

  /** Whether this engine lets containers run privileged (some hosts drop capabilities from the bounding set). */
  async canRunPrivileged(image: string): Promise<boolean> {
    const container = await this.docker.createContainer({
      Image: image,
      Entrypoint: ["true"],
      Cmd: [],
      Labels: { "kubelab.probe": "privileged" },
      HostConfig: { Privileged: true, AutoRemove: false },
    });
    try {
      await container.start();
      await container.wait();
      return true;
    } catch (error) {
      this.logger.warn(`Privileged containers are refused here: ${(error as Error).message.trim()}`);
      return false;
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
  }

  /**
   * Whether containers can get a hard size on their writable layer (`StorageOpt.size`): overlay2
   * on xfs mounted with project quotas. `docker info` only tells the backing filesystem, not the
   * mount option, so a container is created (not started) with a size to be sure.
   */
  async supportsLayerQuota(image: string): Promise<boolean> {
    const info = (await this.docker.info()) as { Driver?: string; DriverStatus?: [string, string][] };
    const backing = info.DriverStatus?.find(([key]) => key === "Backing Filesystem")?.[1];
    if (info.Driver !== "overlay2" || backing !== "xfs") return false;
    try {
      const probe = await this.docker.createContainer({
        Image: image,
        Entrypoint: ["true"],
        Cmd: [],
        Labels: { "kubelab.probe": "layer-quota" },
        HostConfig: { StorageOpt: { size: "1G" } },
      });
      await probe.remove({ force: true }).catch(() => undefined);
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
    const data = await new Promise<{
      Containers?: { Names?: string[]; SizeRw?: number }[] | null;
      Volumes?: { Name: string; UsageData?: { Size?: number } | null }[] | null;
    }>((resolve, reject) =>
      this.docker.modem.dial(
        {
          path: "/system/df?",
          method: "GET",
          options: { type: ["container", "volume"] },
          statusCodes: { 200: true, 500: "server error" },
        },
        (error, result) => (error ? reject(error) : resolve(result as never)),
      ),
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
    const info = (await this.docker.info()) as { Driver?: string; DockerRootDir?: string };
    return { driver: info.Driver ?? "", rootDir: info.DockerRootDir ?? "" };
  }

  /** Host paths of a node's writable layer (overlay2 only) and volume (local driver), if they exist. */
  async nodeDataDirs(container: string, volume: string): Promise<NodeDataDirs> {
    const [info, vol] = await Promise.all([
      this.docker
        .getContainer(container)
        .inspect()
        .catch(() => undefined),
      this.docker
        .getVolume(volume)
        .inspect()
        .catch(() => undefined),
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
    const existing = await this.docker
      .getContainer(name)
      .inspect()
      .catch(() => undefined);
    if (existing?.State.Running) return existing.Id;
    if (existing) await this.ignoreMissing(this.docker.getContainer(name).remove({ force: true }));
    // API 1.40+ knows BindOptions.NonRecursive; dockerode's types do not yet.
    const mount = {
      Type: "bind",
      Source: rootDir,
      Target: PROBE_ROOT,
      ReadOnly: true,
      BindOptions: { NonRecursive: true },
    };
    const probe: Docker.Container = await this.docker.createContainer({
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
    });
    await probe.start();
    return probe.id;
  }

  async removeDiskProbe(instanceId: string): Promise<void> {
    await this.ignoreMissing(this.docker.getContainer(`kubelab-disk-probe-${instanceId}`).remove({ force: true }));
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

  async createSessionNetwork(labels: NodeLabels): Promise<void> {
    await this.docker.createNetwork({
      Name: sessionNetworkName(labels.sessionId),
      Driver: "bridge",
      CheckDuplicate: true,
      Labels: labelsFor(labels),
    });
  }

  /**
   * Joins the container Kubelab runs in (docker-compose) to a session network,
   * so the port proxy can reach the nodes. Best effort: without it only ports
   * stop working, so a failure is logged, not fatal.
   */
  async joinSessionNetwork(container: string | undefined, sessionId: string): Promise<void> {
    if (!container) return;
    try {
      await this.docker.getNetwork(sessionNetworkName(sessionId)).connect({ Container: container });
    } catch (error) {
      // Already connected (a restart of the same container) is the state we want.
      if (/already exists/i.test((error as Error).message)) return;
      this.logger.warn(
        `Could not connect container ${container} to ${sessionNetworkName(sessionId)}: ${(error as Error).message}`,
      );
    }
  }

  /** Creates the node's volume and container on the session network, starts it, and returns its address. */
  async startNode(spec: NodeSpec): Promise<StartedNode> {
    const { sessionId, node } = spec.labels;
    const labels = labelsFor(spec.labels);
    const volume = nodeVolumeName(sessionId, node);
    await this.docker.createVolume({ Name: volume, Labels: labels });
    const network = sessionNetworkName(sessionId);
    const container = await this.docker.createContainer({
      name: nodeContainerName(sessionId, node),
      Hostname: node,
      Image: spec.image,
      Labels: labels,
      Env: [`KUBELAB_NODE=${node}`, `KUBELAB_SESSION=${sessionId}`],
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
    });
    await container.start();
    const info = await container.inspect();
    const ip = info.NetworkSettings.Networks[network]?.IPAddress || null;
    return { containerId: info.Id, ip };
  }

  /** Runs a command in a container and collects its exit code and (combined, truncated) output. */
  async exec(containerId: string, cmd: string[], timeoutMs = 10_000): Promise<{ exitCode: number; output: string }> {
    const exec = await this.docker.getContainer(containerId).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const sink = new PassThrough();
    let output = "";
    sink.on("data", (chunk: Buffer) => {
      if (output.length < 64 * 1024) output += chunk.toString("utf8");
    });
    this.docker.modem.demuxStream(stream, sink, sink);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        stream.destroy();
        reject(new Error(`"${cmd.join(" ")}" did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      stream.on("end", () => {
        clearTimeout(timer);
        resolve();
      });
      stream.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    const result = await exec.inspect();
    return { exitCode: result.ExitCode ?? -1, output };
  }

  /**
   * Streams `size` bytes from `source` into `dir/name` in the container as a
   * one-entry tar archive, never holding the whole file in memory. The entry
   * is written with its declared size; a short body fails the upload.
   */
  async putFile(containerId: string, dir: string, name: string, size: number, source: Readable): Promise<void> {
    const archive = tarStream.pack();
    const entry = archive.entry({ name, size, mode: 0o644, mtime: new Date() }, (error) => {
      if (error) archive.destroy(error);
      else archive.finalize();
    });
    source.on("error", (error) => entry.destroy(error));
    source.pipe(entry);
    await this.docker.getContainer(containerId).putArchive(archive, { path: dir });
  }

  async isRunning(containerId: string): Promise<boolean> {
    try {
      const info = await this.docker.getContainer(containerId).inspect();
      return info.State.Running;
    } catch (error) {
      if (statusCode(error) === 404) return false;
      throw error;
    }
  }

  /** Removes every container, network and volume of a session. Safe to repeat; missing objects are fine. */
  async removeSessionObjects(instanceId: string, sessionId: string): Promise<void> {
    const filters = { label: [`${LABEL_INSTANCE}=${instanceId}`, `${LABEL_SESSION}=${sessionId}`] };
    const containers = await this.docker.listContainers({ all: true, filters });
    await Promise.all(
      containers.map((c) => this.ignoreMissing(this.docker.getContainer(c.Id).remove({ force: true, v: true }))),
    );
    const networks = await this.docker.listNetworks({ filters });
    await Promise.all(networks.map((n) => this.ignoreMissing(this.removeNetwork(n.Id))));
    const { Volumes: volumes } = await this.docker.listVolumes({ filters });
    await Promise.all(
      (volumes ?? []).map((v) => this.ignoreMissing(this.docker.getVolume(v.Name).remove({ force: true }))),
    );
  }

  /** Everything this Kubelab instance created, grouped by kind, for reconciliation. */
  async listInstanceObjects(instanceId: string): Promise<LabelledObjects> {
    const filters = { label: [`${LABEL_INSTANCE}=${instanceId}`] };
    const [containers, networks, volumes] = await Promise.all([
      this.docker.listContainers({ all: true, filters }),
      this.docker.listNetworks({ filters }),
      this.docker.listVolumes({ filters }),
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

  // A network with endpoints cannot be removed; the only ones left after the nodes are gone are
  // containers that joined it (Kubelab's own, see joinSessionNetwork), so they are detached first.
  private async removeNetwork(id: string): Promise<void> {
    const network = this.docker.getNetwork(id);
    const info = (await network.inspect()) as { Containers?: Record<string, unknown> };
    for (const container of Object.keys(info.Containers ?? {})) {
      await this.ignoreMissing(network.disconnect({ Container: container, Force: true }));
    }
    await network.remove();
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

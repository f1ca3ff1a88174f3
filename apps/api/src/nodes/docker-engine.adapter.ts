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
}

export interface StartedNode {
  containerId: string;
  ip: string | null;
}

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

  /** Whether the engine runs containers in a remapped user namespace (dockerd --userns-remap). */
  async remapsUsers(): Promise<boolean> {
    const info = (await this.docker.info()) as { SecurityOptions?: string[] };
    return (info.SecurityOptions ?? []).some((option) => option.split(",").includes("name=userns"));
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

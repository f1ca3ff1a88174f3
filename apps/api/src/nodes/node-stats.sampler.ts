import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from "@nestjs/common";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import { SessionNotices } from "../sessions/session-notices.service";
import type { ContainerStatsReading, EngineHost } from "./docker-engine.adapter";
import { DockerEngines } from "./docker-engines.service";
import { nodeContainerName } from "./docker-labels";

/** Sessions whose nodes run (or are starting): the ones sampled. */
const SAMPLED_STATUSES = ["provisioning", "pooled", "ready"] as const;
// `docker info` hardly changes; asked again at most this often.
const ENGINE_INFO_TTL_MS = 60_000;

/** A node's latest CPU and memory sample. */
export interface NodeStatsSample {
  /** Percent of one CPU between the last two readings; null after the first reading. */
  cpuPercent: number | null;
  memoryBytes: number;
  memoryLimitBytes: number;
  pids: number | null;
  pidsLimit: number | null;
  at: Date;
}

/**
 * Whether a node is at its process limit: `fork` fails in it from there on. A fork loop holds the
 * count at the limit itself; 98 % leaves room for the sampling missing the last few.
 */
export function atPidsLimit(pids: number | null, limit: number | null): boolean {
  return pids !== null && limit !== null && limit > 0 && pids >= Math.floor(limit * 0.98);
}

// One pids_limit notice per node in this window: a loop that keeps hitting the limit is one story.
const PIDS_NOTICE_WINDOW_MS = 10 * 60_000;

/** CPU share (percent of one CPU) between two readings of the same container. */
export function cpuPercentBetween(previous: ContainerStatsReading | undefined, next: ContainerStatsReading) {
  if (!previous || next.at <= previous.at || next.cpuNanos < previous.cpuNanos) return null;
  const percent = ((next.cpuNanos - previous.cpuNanos) / ((next.at - previous.at) * 1e6)) * 100;
  return Math.round(percent * 10) / 10;
}

/**
 * Samples CPU and memory of every node of this instance's live sessions every NODE_STATS_INTERVAL,
 * one `stats` call per node through DockerEngine, and keeps the latest sample in memory for the
 * admin sessions page and the attendees' meters (no page request ever reaches the engine). With no
 * live session a tick is one database count and nothing else. Disk use is not measured here: the
 * disk monitor (NodeDiskMonitor) already measures it for NODE_DISK_LIMIT, and its numbers are used.
 *
 * It also tells the attendee when a node reaches NODE_PIDS_LIMIT (a `pids_limit` notice): the
 * engine sends no event for it, `fork` just fails inside the node while the node keeps running.
 */
@Injectable()
export class NodeStatsSampler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger("NodeStats");
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> | undefined;
  // By container name; only the containers of the last pass are kept.
  private readings = new Map<string, ContainerStatsReading>();
  private samples = new Map<string, NodeStatsSample>();
  private engineHost: { value: EngineHost; at: number } | undefined;
  private lastPassAt: Date | null = null;
  private warned = false;

  constructor(
    private readonly prisma: PrismaService,
    private readonly engines: DockerEngines,
    private readonly notices: SessionNotices,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sample(), this.config.nodes.statsIntervalSeconds * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sampling;
  }

  private async noticePidsLimit(sessionId: string, node: string): Promise<void> {
    const since = new Date(Date.now() - PIDS_NOTICE_WINDOW_MS);
    if (await this.notices.exists(sessionId, "pids_limit", node, since)) return;
    await this.notices.add(sessionId, { code: "pids_limit", node });
    this.logger.log(`Session ${sessionId}: ${node} reached its process limit`);
  }

  /** The latest sample of a node, if one was taken while its session was live. */
  latest(sessionId: string, node: string): NodeStatsSample | undefined {
    return this.samples.get(nodeContainerName(sessionId, node));
  }

  /** When the last pass that sampled anything finished. */
  sampledAt(): Date | null {
    return this.lastPassAt;
  }

  /** The engine's version, data root, memory and CPUs, re-read at most once a minute. */
  async host(): Promise<EngineHost | undefined> {
    if (this.engineHost && Date.now() - this.engineHost.at < ENGINE_INFO_TTL_MS) return this.engineHost.value;
    try {
      this.engineHost = { value: await this.engines.primary.engineHost(), at: Date.now() };
    } catch (error) {
      this.logger.warn(`Engine info unavailable: ${(error as Error).message}`);
    }
    return this.engineHost?.value;
  }

  /** One pass; a tick while the previous pass still runs (a slow engine) is skipped. */
  sample(): Promise<void> {
    this.sampling ??= this.run()
      .catch((error: unknown) => {
        if (!this.warned) this.logger.warn(`Node stats unavailable: ${(error as Error).message}`);
        this.warned = true;
      })
      .finally(() => (this.sampling = undefined));
    return this.sampling;
  }

  private async run(): Promise<void> {
    const sessions = await this.prisma.labSession.findMany({
      where: { instanceId: this.config.instanceId, status: { in: [...SAMPLED_STATUSES] } },
      select: { id: true, engine: true, nodes: { select: { name: true, containerId: true } } },
    });
    // Nodes on engines that do not answer are not asked (each ask would wait for DOCKER_TIMEOUT).
    const nodes = sessions
      .filter((s) => this.engines.isUp(s.engine))
      .flatMap((s) =>
        s.nodes
          .filter((n) => n.containerId !== null)
          .map((n) => ({
            sessionId: s.id,
            node: n.name,
            container: nodeContainerName(s.id, n.name),
            engine: s.engine,
          })),
      );
    const engineOf = new Map(nodes.map((n) => [n.container, this.engines.byName(n.engine)]));
    const containers = nodes.map((n) => n.container);
    if (containers.length === 0) {
      this.readings.clear();
      this.samples.clear();
      return;
    }
    const readings = new Map<string, ContainerStatsReading>();
    const samples = new Map<string, NodeStatsSample>();
    // A few at a time: a host with many sessions must not open a hundred requests at once.
    for (let i = 0; i < containers.length; i += 8) {
      await Promise.all(
        containers.slice(i, i + 8).map(async (name) => {
          const reading = await engineOf
            .get(name)!
            .containerStats(name)
            .catch(() => undefined);
          if (!reading) return;
          readings.set(name, reading);
          samples.set(name, {
            cpuPercent: cpuPercentBetween(this.readings.get(name), reading),
            memoryBytes: reading.memoryBytes,
            memoryLimitBytes: reading.memoryLimitBytes,
            pids: reading.pids,
            pidsLimit: reading.pidsLimit,
            at: new Date(reading.at),
          });
        }),
      );
    }
    const previous = this.samples;
    this.readings = readings;
    this.samples = samples;
    this.lastPassAt = new Date();
    for (const { sessionId, node, container } of nodes) {
      const sample = samples.get(container);
      if (!sample || !atPidsLimit(sample.pids, sample.pidsLimit)) continue;
      const before = previous.get(container);
      if (before && atPidsLimit(before.pids, before.pidsLimit)) continue; // still the same episode
      await this.noticePidsLimit(sessionId, node);
    }
    this.warned = false;
  }
}

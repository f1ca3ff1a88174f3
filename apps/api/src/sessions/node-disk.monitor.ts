import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from "@nestjs/common";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { LeaderJob } from "../cluster/leader-job";
import { Leadership } from "../cluster/leadership.service";
import { PrismaService } from "../database/prisma.service";
import { DockerEngine, type NodeDataDirs } from "../nodes/docker-engine.adapter";
import { nodeContainerName, nodeVolumeName } from "../nodes/docker-labels";
import { SessionNotices } from "./session-notices.service";
import { SessionLifecycle } from "./session-lifecycle.service";

// Share of NODE_DISK_LIMIT at which the attendee is warned (once per node).
const WARNING_SHARE = 0.9;
// Measuring walks every file of every node; past this, operators should hear of it.
const SLOW_CHECK_MS = 5_000;

export interface DiskCheckReport {
  nodes: number;
  /** Wall time of the measurement (`du` in the disk probe, or GET /system/df). */
  measureMs: number;
}

interface ReadySession {
  id: string;
  nodes: { name: string }[];
}

/** The last measure of each node (key `sessionId/node`), for the admin sessions page and the meters. */
export interface DiskMeasure {
  nodes: ReadonlyMap<string, number>;
  limitBytes: number;
  /** The engine's data root filesystem, as the disk probe saw it (overlay2 only). */
  dataRoot: { freeBytes: number; sizeBytes: number } | undefined;
  at: Date | undefined;
}

export const diskMeasureKey = (sessionId: string, node: string): string => `${sessionId}/${node}`;

/** Bytes a node uses (layer + /var/lib/docker volume). */
type NodeUsage = (sessionId: string, node: string) => number;

/**
 * Enforces NODE_DISK_LIMIT on ready sessions every NODE_DISK_CHECK_INTERVAL.
 * A node writes to its container layer and to its /var/lib/docker volume; both
 * are measured from the host side (nothing inside a node is asked), and their
 * sum is the node's use. At 90 % the attendee gets a disk_warning notice; at the
 * limit the session fails with reason "disk_limit", which also gives the space
 * back to the host.
 *
 * On overlay2 the measure is `du` (allocated blocks) in the disk probe, a helper
 * container that sees the engine's data root read-only. The engine's own sizes
 * (GET /system/df) are the fallback for other drivers: they count file lengths,
 * so space reserved with `fallocate --keep-size` escapes them.
 */
@Injectable()
export class NodeDiskMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger("NodeDisk");
  private readonly job: LeaderJob<DiskCheckReport | undefined>;
  private storage: Promise<{ driver: string; rootDir: string }> | undefined;
  private probeStarted = false;
  // Where each node's data lies on the host; fixed for a container's life.
  private readonly dirs = new Map<string, NodeDataDirs>();
  private lastMeasure: Omit<DiskMeasure, "limitBytes"> = { nodes: new Map(), dataRoot: undefined, at: undefined };

  constructor(
    private readonly prisma: PrismaService,
    private readonly engine: DockerEngine,
    private readonly notices: SessionNotices,
    private readonly lifecycle: SessionLifecycle,
    leadership: Leadership,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // A failed pass is a warning (the engine was slow or busy), not an error: caught here.
    const pass = () =>
      this.run().catch((error: unknown) => {
        this.logger.warn(`Disk check failed: ${(error as Error).message}`);
        return undefined;
      });
    this.job = new LeaderJob(leadership, this.logger, "Disk check", pass);
  }

  onApplicationBootstrap(): void {
    // The leader's job: one process measures and warns (its figures are the admin page's).
    this.job.every(this.config.nodes.diskCheckIntervalSeconds * 1000);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job.stop();
    if (this.probeStarted) await this.engine.removeDiskProbe(this.config.instanceId).catch(() => undefined);
  }

  /** What the last pass measured (nothing is measured on demand: passes run on their timer). */
  latest(): DiskMeasure {
    return { ...this.lastMeasure, limitBytes: this.config.nodes.diskLimitBytes };
  }

  /** One pass now, or the one going (a slow engine): overlapping ticks are skipped rather than stacked. */
  check(): Promise<DiskCheckReport | undefined> {
    return this.job.run();
  }

  private async run(): Promise<DiskCheckReport | undefined> {
    const sessions = await this.prisma.labSession.findMany({
      // The disk probe runs on the primary engine: NODE_DISK_LIMIT is enforced there only (docs/scale-out.md).
      where: { instanceId: this.config.instanceId, status: "ready", engine: this.engine.name },
      select: { id: true, nodes: { select: { name: true } } },
    });
    if (sessions.length === 0) {
      // Nothing to watch: the probe is not kept idle.
      if (this.probeStarted) await this.engine.removeDiskProbe(this.config.instanceId);
      this.probeStarted = false;
      this.dirs.clear();
      this.lastMeasure = { nodes: new Map(), dataRoot: this.lastMeasure.dataRoot, at: undefined };
      return undefined;
    }
    const started = performance.now();
    const usage = await this.measure(sessions);
    const measured = new Map<string, number>();
    for (const session of sessions) {
      for (const { name } of session.nodes) measured.set(diskMeasureKey(session.id, name), usage(session.id, name));
    }
    this.lastMeasure = { nodes: measured, dataRoot: this.lastMeasure.dataRoot, at: new Date() };
    const report = { nodes: 0, measureMs: Math.round(performance.now() - started) };
    for (const session of sessions) {
      report.nodes += session.nodes.length;
      await this.enforce(session.id, session.nodes, usage);
    }
    if (report.measureMs >= SLOW_CHECK_MS) {
      this.logger.warn(`Disk check of ${report.nodes} node(s) is slow: measuring took ${report.measureMs} ms`);
    }
    return report;
  }

  private async measure(sessions: ReadySession[]): Promise<NodeUsage> {
    this.storage ??= this.engine.storageInfo().catch((error: unknown) => {
      this.storage = undefined;
      throw error;
    });
    const { driver, rootDir } = await this.storage;
    if (driver === "overlay2" && rootDir) {
      try {
        return await this.measureWithProbe(sessions, rootDir);
      } catch (error) {
        this.logger.warn(`Disk probe unavailable, using the engine's sizes: ${(error as Error).message}`);
      }
    }
    const usage = await this.engine.diskUsage();
    return (sessionId, node) =>
      (usage.layers.get(nodeContainerName(sessionId, node)) ?? 0) +
      (usage.volumes.get(nodeVolumeName(sessionId, node)) ?? 0);
  }

  private async measureWithProbe(sessions: ReadySession[], rootDir: string): Promise<NodeUsage> {
    const probe = await this.engine.ensureDiskProbe(this.config.instanceId, this.config.nodes.image, rootDir);
    this.probeStarted = true;
    const current = new Map<string, NodeDataDirs>();
    for (const session of sessions) {
      for (const { name } of session.nodes) {
        const container = nodeContainerName(session.id, name);
        let dirs = this.dirs.get(container);
        if (!dirs?.layer || !dirs.volume) {
          dirs = await this.engine.nodeDataDirs(container, nodeVolumeName(session.id, name));
        }
        for (const dir of [dirs.layer, dirs.volume]) {
          if (dir && !dir.startsWith(`${rootDir}/`)) throw new Error(`${dir} is outside ${rootDir}`);
        }
        current.set(container, dirs);
      }
    }
    this.dirs.clear();
    for (const [container, dirs] of current) this.dirs.set(container, dirs);
    const all = [...current.values()].flatMap((d) => [d.layer, d.volume]).filter((d): d is string => !!d);
    const timeoutMs = Math.max(60_000, this.config.nodes.diskCheckIntervalSeconds * 1000);
    const sizes = await this.engine.allocatedBytes(probe, rootDir, all, timeoutMs);
    this.lastMeasure.dataRoot = await this.engine.dataRootSpace(probe).catch(() => this.lastMeasure.dataRoot);
    return (sessionId, node) => {
      const dirs = current.get(nodeContainerName(sessionId, node));
      return (sizes.get(dirs?.layer ?? "") ?? 0) + (sizes.get(dirs?.volume ?? "") ?? 0);
    };
  }

  private async enforce(sessionId: string, nodes: { name: string }[], usage: NodeUsage): Promise<void> {
    const limit = this.config.nodes.diskLimitBytes;
    for (const { name } of nodes) {
      const used = usage(sessionId, name);
      if (used >= limit) {
        this.logger.warn(`Session ${sessionId}: ${name} uses ${used} bytes, over NODE_DISK_LIMIT (${limit})`);
        await this.notices.add(sessionId, { code: "disk_limit", node: name, usedBytes: used, limitBytes: limit });
        await this.lifecycle.fail(sessionId, { code: "disk_limit", nodes: [name] });
        return;
      }
      if (used >= limit * WARNING_SHARE && !(await this.notices.exists(sessionId, "disk_warning", name))) {
        await this.notices.add(sessionId, { code: "disk_warning", node: name, usedBytes: used, limitBytes: limit });
      }
    }
  }
}

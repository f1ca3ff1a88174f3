import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from "@nestjs/common";
import { SESSION_REASON_CODES } from "@kubelab/shared";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import { DockerEngine, type DiskUsage } from "../nodes/docker-engine.adapter";
import { nodeContainerName, nodeVolumeName } from "../nodes/docker-labels";
import { SessionNotices } from "./session-notices.service";
import { SessionProvisioner } from "./session-provisioner.service";

// Share of NODE_DISK_LIMIT at which the attendee is warned (once per node).
const WARNING_SHARE = 0.9;
// The engine walks every layer and volume to size them; past this, operators should hear of it.
const SLOW_CHECK_MS = 5_000;

export interface DiskCheckReport {
  nodes: number;
  /** Wall time of the engine's measurement (GET /system/df). */
  measureMs: number;
}

/**
 * Enforces NODE_DISK_LIMIT on ready sessions every NODE_DISK_CHECK_INTERVAL.
 * A node writes to its container layer and to its /var/lib/docker volume; both
 * are sized by the Docker engine on the host (nothing inside a node is asked),
 * and their sum is the node's use. At 90 % the attendee gets a disk_warning
 * notice; at the limit the session fails with reason "disk_limit", which also
 * gives the space back to the host.
 */
@Injectable()
export class NodeDiskMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger("NodeDisk");
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<DiskCheckReport | undefined> | undefined;

  constructor(
    private readonly prisma: PrismaService,
    private readonly engine: DockerEngine,
    private readonly notices: SessionNotices,
    private readonly provisioner: SessionProvisioner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.check(), this.config.nodes.diskCheckIntervalSeconds * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
  }

  /** One pass; overlapping ticks (a slow engine) are skipped rather than stacked. */
  check(): Promise<DiskCheckReport | undefined> {
    this.checking ??= this.run()
      .catch((error: unknown) => {
        this.logger.warn(`Disk check failed: ${(error as Error).message}`);
        return undefined;
      })
      .finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async run(): Promise<DiskCheckReport | undefined> {
    const sessions = await this.prisma.labSession.findMany({
      where: { instanceId: this.config.instanceId, status: "ready" },
      select: { id: true, nodes: { select: { name: true } } },
    });
    if (sessions.length === 0) return undefined;
    const started = performance.now();
    const usage = await this.engine.diskUsage();
    const report = { nodes: 0, measureMs: Math.round(performance.now() - started) };
    for (const session of sessions) {
      report.nodes += session.nodes.length;
      await this.enforce(session.id, session.nodes, usage);
    }
    if (report.measureMs >= SLOW_CHECK_MS) {
      this.logger.warn(`Disk check of ${report.nodes} node(s) is slow: the engine took ${report.measureMs} ms`);
    }
    return report;
  }

  private async enforce(sessionId: string, nodes: { name: string }[], usage: DiskUsage): Promise<void> {
    const limit = this.config.nodes.diskLimitBytes;
    for (const { name } of nodes) {
      const used =
        (usage.layers.get(nodeContainerName(sessionId, name)) ?? 0) +
        (usage.volumes.get(nodeVolumeName(sessionId, name)) ?? 0);
      if (used >= limit) {
        this.logger.warn(`Session ${sessionId}: ${name} uses ${used} bytes, over NODE_DISK_LIMIT (${limit})`);
        await this.notices.add(sessionId, { code: "disk_limit", node: name, usedBytes: used, limitBytes: limit });
        await this.provisioner.fail(sessionId, SESSION_REASON_CODES.diskLimit);
        return;
      }
      if (used >= limit * WARNING_SHARE && !(await this.notices.exists(sessionId, "disk_warning", name))) {
        await this.notices.add(sessionId, { code: "disk_warning", node: name, usedBytes: used, limitBytes: limit });
      }
    }
  }
}

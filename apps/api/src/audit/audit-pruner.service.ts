import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from "@nestjs/common";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { LeaderJob } from "../cluster/leader-job";
import { Leadership } from "../cluster/leadership.service";
import { PrismaService } from "../database/prisma.service";
import { auditCutoff, DAY_SECONDS } from "./audit-retention";

/**
 * AUDIT_RETENTION: at start-up and then daily, removes audit entries older than the retention
 * (0 keeps them forever). The only delete the table allows: the trigger lets a DELETE through
 * only inside a transaction that set kubelab.audit_prune to a cutoff at least a day old, and only
 * for rows older than it (prisma/migrations/20261202190200_audit_retention).
 */
@Injectable()
export class AuditPruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger("AuditRetention");
  private readonly job: LeaderJob<number>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly leadership: Leadership,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.job = new LeaderJob(leadership, this.logger, "Audit log pruning", () => this.deleteOld(new Date()));
  }

  onApplicationBootstrap(): void {
    if (this.config.audit.retentionSeconds <= 0) return;
    // The leader's job: at once when a process becomes the leader, then daily while it is.
    this.leadership.onChange((leader) => {
      if (leader) void this.prune();
    });
    this.job.every(DAY_SECONDS * 1000);
  }

  onApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }

  /** One pass now (or the one going); how many entries went (0 on failure, logged and retried the next day). */
  async prune(): Promise<number> {
    return (await this.job.run()) ?? 0;
  }

  private async deleteOld(now: Date): Promise<number> {
    const cutoff = auditCutoff(now, this.config.audit.retentionSeconds);
    if (!cutoff) return 0;
    const removed = await this.prisma.$transaction(async (tx) => {
      // Transaction-local (the third argument): the permission ends with this transaction.
      await tx.$queryRaw`SELECT set_config('kubelab.audit_prune', ${cutoff.toISOString()}, true)`;
      return tx.$executeRaw`DELETE FROM audit_log WHERE created_at < ${cutoff}`;
    });
    if (removed > 0) this.logger.log(`Removed ${removed} audit entries older than ${cutoff.toISOString()}`);
    return removed;
  }
}

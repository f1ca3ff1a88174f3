import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from "@nestjs/common";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { OPEN_SESSION_STATUSES } from "@kubelab/shared";
import { LeaderJob } from "../cluster/leader-job";
import { Leadership } from "../cluster/leadership.service";
import { PrismaService } from "../database/prisma.service";
import { SessionLifecycle } from "./session-lifecycle.service";
import { SessionReconciler } from "./session-reconciler.service";

/**
 * Every REAPER_INTERVAL: ends sessions whose time is up or whose classroom event ended (so within
 * that interval of expiry), finishes sessions left `ending` (their cleanup failed or the process
 * ending them died), and removes Docker objects that ended sessions left behind when Docker was
 * slow or hung.
 */
@Injectable()
export class SessionReaper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger("SessionReaper");
  private readonly job: LeaderJob<void>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly lifecycle: SessionLifecycle,
    private readonly reconciler: SessionReconciler,
    leadership: Leadership,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.job = new LeaderJob(leadership, this.logger, "Expiry sweep", async () => {
      await this.expireDue();
      await this.finishEnding();
      await this.reconciler.removeLeftovers();
    });
  }

  onApplicationBootstrap(): void {
    // The leader's job (one process of the installation at a time).
    this.job.every(this.config.sessions.reaperIntervalSeconds * 1000);
  }

  onApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }

  /** One pass now (or the one already going); failures are logged. */
  async sweep(): Promise<void> {
    await this.job.run();
  }

  /** Sessions past their time end; an event's attendee sessions at the event's end say so (event_ended). */
  private async expireDue(): Promise<void> {
    const now = new Date();
    const due = await this.prisma.labSession.findMany({
      where: {
        instanceId: this.config.instanceId,
        status: { in: [...OPEN_SESSION_STATUSES] },
        OR: [{ expiresAt: { lte: now } }, { event: { endsAt: { lte: now } } }],
      },
      select: { id: true, event: { select: { endsAt: true } } },
    });
    await Promise.all(
      due.map((s) => this.lifecycle.end(s.id, { code: s.event && s.event.endsAt <= now ? "event_ended" : "expired" })),
    );
  }

  private async finishEnding(): Promise<void> {
    const stuck = await this.prisma.labSession.findMany({
      where: { instanceId: this.config.instanceId, status: "ending" },
      select: { id: true },
    });
    const orphaned = stuck.filter((s) => !this.lifecycle.isBusy(s.id));
    await Promise.all(orphaned.map((s) => this.lifecycle.finishEnding(s.id)));
  }
}

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from "@nestjs/common";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { OPEN_SESSION_STATUSES } from "@kubelab/shared";
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
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly prisma: PrismaService,
    private readonly lifecycle: SessionLifecycle,
    private readonly reconciler: SessionReconciler,
    private readonly leadership: Leadership,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // The leader's job (one process of the installation at a time).
    this.timer = setInterval(() => {
      if (this.leadership.isLeader) void this.sweep();
    }, this.config.sessions.reaperIntervalSeconds * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** One pass; overlapping ticks are skipped rather than stacked. */
  sweep(): Promise<void> {
    this.sweeping ??= this.expireDue()
      .then(() => this.finishEnding())
      .then(() => this.reconciler.removeLeftovers())
      .then(() => undefined)
      .catch((error: unknown) => this.logger.error("Expiry sweep failed", (error as Error).stack))
      .finally(() => (this.sweeping = undefined));
    return this.sweeping;
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

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from "@nestjs/common";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import { SessionsService } from "./sessions.service";

/** Ends sessions whose time is up, every REAPER_INTERVAL (so within that interval of expiry). */
@Injectable()
export class SessionReaper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger("SessionReaper");
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly prisma: PrismaService,
    private readonly sessions: SessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.sessions.reaperIntervalSeconds * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** One pass; overlapping ticks are skipped rather than stacked. */
  sweep(): Promise<void> {
    this.sweeping ??= this.expireDue()
      .catch((error: unknown) => this.logger.error("Expiry sweep failed", (error as Error).stack))
      .finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async expireDue(): Promise<void> {
    const due = await this.prisma.labSession.findMany({
      where: {
        instanceId: this.config.instanceId,
        status: { in: ["provisioning", "ready"] },
        expiresAt: { lte: new Date() },
      },
      select: { id: true },
    });
    await Promise.all(due.map((s) => this.sessions.end(s.id, "expired")));
  }
}

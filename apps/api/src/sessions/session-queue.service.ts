import { Inject, Injectable, Logger, type OnApplicationShutdown } from "@nestjs/common";
import { LIVE_SESSION_STATUSES, type TSessionQueueInfo } from "@kubelab/shared";
import { AppError } from "../common/app-error";
import { SettingsService } from "../settings/settings.service";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import type { LabSession } from "../generated/prisma/client";
import { CoalescedPasses } from "./coalesced-passes";
import { SessionEvents } from "./session-events";
import { SessionLifecycle } from "./session-lifecycle.service";
import { queueEstimateSeconds, queuePosition } from "./session-queue-estimate";
import { QUOTA_LOCKED_TRANSACTION, takeQuotaLock } from "./session-quota-lock";
import { SessionSubnets } from "./session-subnets.service";
import { SESSION_VIEW_INCLUDE } from "./session-view";
import { countLiveSessions, countQueuedSessions } from "./installation-occupancy";

/**
 * The waiting queue: when MAX_SESSIONS places are taken, POST /api/sessions inserts the session as
 * `queued` (nodes only, no subnet, no Docker objects) instead of answering no_capacity, up to
 * MAX_QUEUE of them. This service starts them first come, first served whenever a place may have
 * freed: a session failed or ended (SessionEvents), every REAPER_INTERVAL, after a create queued
 * one, and at start-up after the reconciliation (the queue lives in the database, so it survives a
 * restart). Each pass runs under the quota lock (a PostgreSQL advisory lock, so several processes
 * on one database promote each session once) and evicts pooled sessions for queued users (users
 * beat the pool; the pool builds nothing while anyone waits). A queued place whose owner has not
 * asked about it for QUEUE_HEARTBEAT is dropped (`queue_abandoned`).
 */
@Injectable()
export class SessionQueue implements OnApplicationShutdown {
  private readonly logger = new Logger("SessionQueue");
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly passes = new CoalescedPasses(
    () => this.pass(),
    (error) => this.logger.error("Queue promotion failed", (error as Error).stack),
    () => this.stopped,
  );
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly prisma: PrismaService,
    private readonly lifecycle: SessionLifecycle,
    private readonly subnets: SessionSubnets,
    private readonly events: SessionEvents,
    private readonly settings: SettingsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Called once the start-up reconciliation is done, before the pool starts (the queue goes first). */
  async start(): Promise<void> {
    this.stopped = false;
    // Nobody could poll while no server ran: every waiting owner gets a fresh QUEUE_HEARTBEAT.
    const { count } = await this.prisma.labSession.updateMany({
      where: { instanceId: this.config.instanceId, status: "queued" },
      data: { queueSeenAt: new Date() },
    });
    if (count > 0) this.logger.log(`${count} queued session(s) kept from before the restart`);
    this.unsubscribe = this.events.onPlaceFreed(() => void this.promote());
    this.timer = setInterval(() => void this.tick(), this.config.sessions.reaperIntervalSeconds * 1000);
    this.timer.unref();
    await this.promote();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.unsubscribe?.();
    await this.passes.idle();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** How many sessions of this installation wait (the pool leaves that many places to them). */
  waiting(): Promise<number> {
    return countQueuedSessions(this.prisma, this.config.instanceId);
  }

  /**
   * Where a queued session stands: its position and an estimate of the wait, computed now (see
   * queueEstimateSeconds). Null when it is not queued.
   */
  async describe(session: Pick<LabSession, "id" | "status" | "instanceId">): Promise<TSessionQueueInfo | null> {
    if (session.status !== "queued") return null;
    const [queue, live] = await Promise.all([
      this.prisma.labSession.findMany({
        where: { instanceId: session.instanceId, status: "queued" },
        select: { id: true, queuedAt: true, createdAt: true },
      }),
      this.prisma.labSession.findMany({
        where: { instanceId: session.instanceId, status: { in: [...LIVE_SESSION_STATUSES] } },
        select: { status: true, expiresAt: true },
      }),
    ]);
    const entries = queue.map((q) => ({ id: q.id, queuedAt: q.queuedAt ?? q.createdAt }));
    // Promoted or left between the two reads: it is at the head (or about to disappear).
    const position = queuePosition(entries, session.id) ?? 1;
    const now = new Date();
    const estimateSeconds = queueEstimateSeconds({
      position,
      places: this.settings.current().maxSessions,
      // An ending session frees its place in seconds; a pooled one is evicted for a queued user.
      freesAt: live.map((s) => (s.status === "ending" || s.status === "pooled" ? now : s.expiresAt)),
      now,
      durationSeconds: this.settings.current().durationSeconds,
    });
    return { position, estimateSeconds };
  }

  /** The owner asked about the session (GET): a queued one keeps its place for another QUEUE_HEARTBEAT. */
  async heartbeat(sessionId: string): Promise<void> {
    await this.prisma.labSession.updateMany({
      where: { id: sessionId, status: "queued" },
      data: { queueSeenAt: new Date() },
    });
  }

  /**
   * Starts queued sessions in order while places are free; never rejects. Calls during a pass make
   * one more pass after it (a place freed meanwhile is not missed).
   */
  promote(): Promise<void> {
    return this.passes.run();
  }

  private async tick(): Promise<void> {
    await this.dropAbandoned().catch((error: unknown) =>
      this.logger.warn(`Dropping abandoned queue places failed: ${(error as Error).message}`),
    );
    await this.promote();
  }

  private async dropAbandoned(): Promise<void> {
    const cutoff = new Date(Date.now() - this.config.sessions.queueHeartbeatSeconds * 1000);
    const abandoned = await this.prisma.labSession.findMany({
      where: { instanceId: this.config.instanceId, status: "queued", queueSeenAt: { lt: cutoff } },
      select: { id: true },
    });
    for (const { id } of abandoned) await this.lifecycle.end(id, { code: "queue_abandoned" });
  }

  private async pass(): Promise<void> {
    const { maxSessions: maxTotal, durationSeconds } = this.settings.current();
    const instanceId = this.config.instanceId;
    const { promoted, evicted } = await this.prisma.$transaction(async (tx) => {
      await takeQuotaLock(tx);
      const queue = await tx.labSession.findMany({
        where: { instanceId, status: "queued" },
        orderBy: [{ queuedAt: "asc" }, { id: "asc" }],
        select: { id: true },
        take: maxTotal,
      });
      const promoted: string[] = [];
      const evicted: string[] = [];
      if (queue.length === 0) return { promoted, evicted };
      const live = await countLiveSessions(tx, instanceId);
      let free = maxTotal - live;
      for (const { id } of queue) {
        if (free <= 0) {
          // Queued users beat the pool, like a user's create does.
          const victim = await this.lifecycle.evictPooled(tx, instanceId);
          if (!victim) break;
          evicted.push(victim);
          free++;
        }
        try {
          // Before the move, so a full NODE_SUBNETS leaves it queued (nothing written for it).
          await this.subnets.allocate(tx, id);
        } catch (error) {
          if (error instanceof AppError && error.code === "no_capacity") break;
          throw error;
        }
        const now = new Date();
        if (await this.lifecycle.promote(tx, id, now, new Date(now.getTime() + durationSeconds * 1000))) {
          promoted.push(id);
          free--;
        } else {
          await tx.sessionSubnet.deleteMany({ where: { sessionId: id } }); // it left the queue meanwhile
        }
      }
      return { promoted, evicted };
    }, QUOTA_LOCKED_TRANSACTION);
    for (const id of evicted) {
      this.logger.log(`Pooled session ${id} evicted to make room for a queued session`);
      void this.lifecycle
        .finishEnding(id)
        .catch((error: unknown) => this.logger.warn(`Evicted session ${id}: ${(error as Error).message}`));
    }
    for (const id of promoted) {
      const session = await this.prisma.labSession.findUniqueOrThrow({ where: { id }, include: SESSION_VIEW_INCLUDE });
      this.logger.log(`Session ${id} leaves the queue and starts`);
      this.lifecycle.provision(session);
    }
  }
}

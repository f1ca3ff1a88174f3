import { Inject, Injectable, Logger, type OnApplicationShutdown } from "@nestjs/common";
import { SettingsService } from "../settings/settings.service";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import { DockerEngine } from "../nodes/docker-engine.adapter";
import { CoalescedPasses } from "./coalesced-passes";
import { eventPools, type EventPool } from "../events/event-pools";
import { eventIdOfPool } from "../events/event-rules";
import { DEFAULT_NODES, SessionImagePicker, type SessionShape } from "./session-image-picker";
import { SessionLifecycle } from "./session-lifecycle.service";
import { PoolSettings } from "./session-pool-settings";
import { planPools, type PoolState } from "./session-pool-plan";
import { QUOTA_LOCKED_TRANSACTION, takeQuotaLock } from "./session-quota-lock";
import { countLiveSessions, countQueuedSessions } from "./installation-occupancy";
import { insertSession } from "./session-rows";

/**
 * The warm pool: keeps ready sessions with no owner per pool key (for the general pool the key is
 * the node image; a classroom event's is `event:<id>`, with its lesson's image and nodes, sized by
 * eventPools), so POST /api/sessions and POST /api/events/join can hand one out at once (claimed
 * through SessionLifecycle). Refills after each claim, after a
 * settings change and every REAPER_INTERVAL; builds at most POOL_CONCURRENCY at once and only in
 * places free under MAX_SESSIONS and not waited for by queued sessions, never holding up a user's
 * own session (those never wait for the pool, and evict a pooled session when the installation is
 * full, as SessionQueue does for queued ones). Pooled sessions are never touched
 * before a claim: nothing runs in them but the provisioner's readiness check.
 */
@Injectable()
export class SessionPool implements OnApplicationShutdown {
  private readonly logger = new Logger("SessionPool");
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly passes = new CoalescedPasses(
    () => this.pass(),
    (error) => this.logger.error("Pool refill failed", (error as Error).stack),
    () => this.stopped,
  );
  private readonly endings = new Set<Promise<unknown>>();
  // One warning per missing image and process, not one per pass.
  private readonly warnedMissing = new Set<string>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly prisma: PrismaService,
    private readonly lifecycle: SessionLifecycle,
    private readonly engine: DockerEngine,
    private readonly settings: PoolSettings,
    private readonly images: SessionImagePicker,
    private readonly console: SettingsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Called once the start-up reconciliation has adopted or failed the previous process's pool. */
  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => void this.refill(), this.config.sessions.reaperIntervalSeconds * 1000);
    this.timer.unref();
    this.unsubscribe = this.settings.onChange(() => void this.refill());
    void this.refill();
  }

  /** No new pool builds from now on; waits for the pass and pool endings in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.unsubscribe?.();
    await this.passes.idle();
    await Promise.all([...this.endings]);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Brings every pool to its size; never rejects. Calls during a pass make one more pass after it. */
  refill(): Promise<void> {
    return this.passes.run();
  }

  private async pass(): Promise<void> {
    const { sizes, concurrency, maxAgeSeconds } = this.settings.current();
    const instanceId = this.config.instanceId;
    const [members, live, queued] = await Promise.all([
      this.prisma.labSession.findMany({
        where: { instanceId, ownerId: null, poolKey: { not: null }, status: { in: ["provisioning", "pooled"] } },
        select: { id: true, status: true, poolKey: true, pooledAt: true },
      }),
      countLiveSessions(this.prisma, instanceId),
      countQueuedSessions(this.prisma, instanceId),
    ]);
    // What each pool should hold and build: the general pools (key = image), then the events'.
    const wanted = new Map<string, EventPool>(
      Object.entries(sizes).map(([key, target]) => [
        key,
        { target, shape: { image: key, nodes: DEFAULT_NODES, requestedImage: null } },
      ]),
    );
    for (const [key, pool] of await eventPools(this.prisma, (lessonId) => this.images.pick(lessonId), new Date())) {
      wanted.set(key, pool);
    }
    const keys = new Set([...wanted.keys(), ...members.map((m) => m.poolKey!)]);
    const pools: PoolState[] = [];
    for (const key of keys) {
      const target = wanted.get(key)?.target ?? 0;
      const shape = wanted.get(key)?.shape;
      // A pool whose image is missing is left as it is (one warning), not a loop of failed builds.
      if (target > 0 && !(shape && (await this.imageReady(shape.image)))) continue;
      const mine = members.filter((m) => m.poolKey === key);
      pools.push({
        key,
        target,
        pooled: mine
          .filter((m) => m.status === "pooled")
          .map((m) => ({ id: m.id, pooledAt: m.pooledAt ?? new Date(0) })),
        building: mine.filter((m) => m.status === "provisioning").length,
      });
    }
    const plans = planPools(pools, {
      now: new Date(),
      maxAgeSeconds,
      concurrency,
      // Queued users beat the pool: the places they wait for are not free for it.
      freeSlots: this.console.current().maxSessions - live - queued,
    });
    for (const plan of plans) {
      for (const id of plan.replace) this.endInBackground(id, "pool_replaced");
      for (const id of plan.shrink) this.endInBackground(id, "pool_shrunk");
      const shape = wanted.get(plan.key)?.shape;
      for (let i = 0; shape && i < plan.start && !this.stopped; i++) {
        if (!(await this.build(plan.key, shape))) break;
      }
    }
  }

  /** Inserts a pool session (under MAX_SESSIONS, like a user's) and starts building it. */
  private async build(poolKey: string, shape: SessionShape): Promise<boolean> {
    const { maxSessions: maxTotal, durationSeconds } = this.console.current();
    const instanceId = this.config.instanceId;
    const session = await this.prisma.$transaction(async (tx) => {
      await takeQuotaLock(tx);
      const total = await countLiveSessions(tx, instanceId);
      if (total >= maxTotal) return null;
      // Never a place someone waits for (SessionQueue gives free places to the queue first).
      if ((await countQueuedSessions(tx, instanceId)) > 0) return null;
      const now = Date.now();
      return insertSession(
        tx,
        {
          ownerId: null,
          instanceId,
          poolKey,
          // An event's pool session belongs to the event from the start (its capacity counts claims).
          eventId: eventIdOfPool(poolKey),
          image: shape.image,
          createdAt: new Date(now),
          // Replaced at the claim; until then only the pool's age limit applies.
          expiresAt: new Date(now + durationSeconds * 1000),
        },
        shape.nodes,
      );
    }, QUOTA_LOCKED_TRANSACTION);
    if (!session) return false;
    this.logger.log(`Session ${session.id} being built for the pool ${poolKey}`);
    this.lifecycle.provision(session, "pooled");
    return true;
  }

  private endInBackground(sessionId: string, code: "pool_replaced" | "pool_shrunk"): void {
    const ending = this.lifecycle
      .endPooled(sessionId, { code })
      .catch((error: unknown) => this.logger.warn(`Pool session ${sessionId} not ended: ${(error as Error).message}`))
      .finally(() => this.endings.delete(ending));
    this.endings.add(ending);
  }

  private async imageReady(image: string): Promise<boolean> {
    const present = await this.engine.imageExists(image).catch(() => false);
    if (present) {
      this.warnedMissing.delete(image);
    } else if (!this.warnedMissing.has(image)) {
      this.warnedMissing.add(image);
      this.logger.warn(`The pool of ${image} stays empty: the image is not on this Docker engine`);
    }
    return present;
  }
}

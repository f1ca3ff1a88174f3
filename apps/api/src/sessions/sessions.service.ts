import { Inject, Injectable, Logger } from "@nestjs/common";
import {
  isSessionStatusIn,
  OPEN_SESSION_STATUSES,
  QUEUE_REJOIN_SECONDS,
  QUEUED_QUOTA_STATUSES,
  type TSession,
  type TSessionUsage,
} from "@kubelab/shared";
import { SessionAccess } from "../access/session-access.service";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { AppError } from "../common/app-error";
import { PrismaService } from "../database/prisma.service";
import { Metrics } from "../metrics/metrics.service";
import type { Prisma, User } from "../generated/prisma/client";
import { SettingsService } from "../settings/settings.service";
import { SessionImagePicker } from "./session-image-picker";
import { SessionLifecycle } from "./session-lifecycle.service";
import { SessionPool } from "./session-pool.service";
import { SessionQueue } from "./session-queue.service";
import { QUOTA_LOCKED_TRANSACTION, takeQuotaLock } from "./session-quota-lock";
import { SessionSubnets } from "./session-subnets.service";
import { SESSION_VIEW_INCLUDE, toSessionView, type LabSessionForView } from "./session-view";
import { assertUserQuota, countLiveSessions, countQueuedSessions } from "./installation-occupancy";
import { insertSession } from "./session-rows";
import { NodeUsage, USAGE_WARN_SHARE } from "./node-usage";

@Injectable()
export class SessionsService {
  private readonly logger = new Logger("Sessions");

  constructor(
    private readonly prisma: PrismaService,
    private readonly lifecycle: SessionLifecycle,
    private readonly access: SessionAccess,
    private readonly images: SessionImagePicker,
    private readonly subnets: SessionSubnets,
    private readonly pool: SessionPool,
    private readonly queue: SessionQueue,
    private readonly settings: SettingsService,
    private readonly nodeUsage: NodeUsage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  /** `rejoinQueue`: see ZCreateSessionRequest (a reloaded lab page taking its queue place back). */
  async create(user: User, lessonId: string | undefined, rejoinQueue?: string): Promise<TSession> {
    const started = performance.now();
    // The console's values as they are now: a change applies from the next create.
    const {
      maxSessions: maxTotal,
      guestSessionsPerAddress: maxGuestPerAddress,
      durationSeconds,
    } = this.settings.current();
    const maxPerUser = this.settings.maxSessionsFor(user);
    const { maxQueue } = this.config.sessions;
    const { nodes, image, requestedImage } = await this.images.pick(lessonId);
    const instanceId = this.config.instanceId;
    const { session, outcome, evicted } = await this.prisma.$transaction(async (tx) => {
      await takeQuotaLock(tx);
      // A user holds at most one place in the queue: asking again for the same lesson (a second tab,
      // a reload whose leave did not arrive) gets that place back; another lesson is refused.
      const waiting = await tx.labSession.findFirst({
        where: { ownerId: user.id, status: "queued" },
        include: SESSION_VIEW_INCLUDE,
      });
      if (waiting) {
        if (waiting.lessonId === (lessonId ?? null)) return { session: waiting, outcome: "waiting", evicted: null };
        throw new AppError(
          "already_queued",
          `You are already waiting for a lab${waiting.lessonId ? ` for "${waiting.lessonId}"` : ""}; ` +
            "leave that queue first",
        );
      }
      await assertUserQuota(tx, user.id, maxPerUser);
      // Guests cost nothing to create, so the per-user quota alone would not stop one person.
      if (user.provider === "guest" && user.guestAddress !== null) {
        const fromAddress = await tx.labSession.count({
          where: {
            status: { in: [...QUEUED_QUOTA_STATUSES] },
            owner: { provider: "guest", guestAddress: user.guestAddress },
          },
        });
        if (fromAddress >= maxGuestPerAddress) {
          throw new AppError(
            "guest_address_quota",
            `Guests from your network may run ${maxGuestPerAddress} lab session${maxGuestPerAddress === 1 ? "" : "s"} ` +
              `at a time and ${fromAddress} ${fromAddress === 1 ? "is" : "are"} running; end one of them first, or try again later`,
          );
        }
      }
      const now = Date.now();
      const expiresAt = new Date(now + durationSeconds * 1000);
      // First come, first served: while anyone waits, a new session queues behind them, even for a
      // place that has just freed (the queue takes it) or a pooled session (evicted for the queue).
      const queued = await countQueuedSessions(tx, instanceId);
      if (queued === 0) {
        // A pooled session already counts toward MAX_SESSIONS: taking one needs no place.
        const claimedId = await this.lifecycle.claim(tx, {
          instanceId,
          poolKey: image,
          nodes,
          ownerId: user.id,
          lessonId: lessonId ?? null,
          requestedImage,
          now: new Date(now),
          expiresAt,
        });
        if (claimedId) {
          const taken = await tx.labSession.findUniqueOrThrow({
            where: { id: claimedId },
            include: SESSION_VIEW_INCLUDE,
          });
          return { session: taken, outcome: "claimed", evicted: null };
        }
      }
      const total = await countLiveSessions(tx, instanceId);
      // Users beat the pool: a pooled session (another image or node set, else it was claimed) gives up its place.
      const evicted = queued === 0 && total >= maxTotal ? await this.lifecycle.evictPooled(tx, instanceId) : null;
      const hasPlace = queued === 0 && (total < maxTotal || evicted !== null);
      if (!hasPlace && queued >= maxQueue) {
        throw new AppError(
          "no_capacity",
          maxQueue === 0
            ? "All lab slots are in use right now; try again in a few minutes"
            : `All lab slots are in use and ${queued} people are waiting already; try again in a few minutes`,
        );
      }
      const queuedAt = hasPlace ? null : await this.placeToRejoin(tx, user, lessonId, rejoinQueue, now);
      const created = await insertSession(
        tx,
        {
          ownerId: user.id,
          instanceId,
          lessonId: lessonId ?? null,
          image,
          requestedImage,
          // A queued session's time starts at its promotion (createdAt and expiresAt are reset then).
          status: hasPlace ? "provisioning" : "queued",
          queuedAt,
          queueSeenAt: hasPlace ? null : new Date(now),
          createdAt: new Date(now),
          expiresAt,
        },
        nodes,
      );
      // Its network's block of NODE_SUBNETS; none left is no_capacity, and nothing of this create
      // stays. A queued session gets its block when it is promoted.
      if (hasPlace) await this.subnets.allocate(tx, created.id);
      return { session: created, outcome: hasPlace ? "created" : "queued", evicted };
    }, QUOTA_LOCKED_TRANSACTION);
    this.metrics.sessionCreate(outcome);
    switch (outcome) {
      case "claimed":
        // A warm start: from the request to a ready session of the user's.
        this.metrics.provisioned("pool_claim", (performance.now() - started) / 1000);
        this.logger.log(`Session ${session.id} claimed from the pool by user ${user.id}`);
        this.lifecycle.claimed(session.id);
        void this.pool.refill();
        return this.view(session);
      case "waiting":
        await this.queue.heartbeat(session.id);
        return this.view(session);
      case "queued":
        this.logger.log(`Session ${session.id} queued for user ${user.id}`);
        // A place may have freed since the last pass (or only pooled sessions hold them).
        void this.queue.promote();
        return this.view(session);
    }
    this.logger.log(`Session ${session.id} created for user ${user.id}`);
    this.lifecycle.provision(session);
    if (evicted) {
      this.logger.log(`Pooled session ${evicted} evicted to make room for session ${session.id}`);
      void this.lifecycle
        .finishEnding(evicted)
        .catch((error: unknown) => this.logger.warn(`Evicted session ${evicted}: ${(error as Error).message}`));
    }
    return this.view(session);
  }

  async list(user: User): Promise<TSession[]> {
    const sessions = await this.prisma.labSession.findMany({
      where: { ownerId: user.id, status: { not: "ended" } },
      include: SESSION_VIEW_INCLUDE,
      orderBy: { createdAt: "desc" },
    });
    return Promise.all(sessions.map((s) => this.view(s)));
  }

  async get(user: User, sessionId: string): Promise<TSession> {
    const session = await this.access.session(user, sessionId);
    // The lab page's poll is the queue's heartbeat: a page that stopped asking has been closed.
    // (The list does not count: the catalog lists sessions without waiting for one.)
    if (session.status === "queued") await this.queue.heartbeat(session.id);
    return this.view(session);
  }

  /** The owner's meters: from the samplers' memory, never a Docker call per request. */
  async usage(user: User, sessionId: string): Promise<TSessionUsage> {
    const session = await this.access.session(user, sessionId);
    return { sessionId: session.id, nodes: this.nodeUsage.of(session.id, session.nodes), warnShare: USAGE_WARN_SHARE };
  }

  async extend(user: User, sessionId: string): Promise<TSession> {
    const session = await this.access.session(user, sessionId);
    if (!isSessionStatusIn(OPEN_SESSION_STATUSES, session.status)) {
      throw new AppError("session_not_active", `This session is ${session.status} and cannot be extended`);
    }
    const { extensionSeconds, maxDurationSeconds } = this.settings.current();
    // An event's session: the event's extensions, and never past the event's end.
    const { event } = session;
    const maxExtensions = this.maxExtensionsOf(session);
    if (session.extensions >= maxExtensions) {
      throw new AppError(
        "extension_limit",
        `This session was already extended ${session.extensions} times (limit ${maxExtensions})`,
      );
    }
    const latest = Math.min(
      session.createdAt.getTime() + maxDurationSeconds * 1000,
      event?.endsAt.getTime() ?? Number.POSITIVE_INFINITY,
    );
    const expiresAt = Math.min(session.expiresAt.getTime() + extensionSeconds * 1000, latest);
    if (expiresAt <= session.expiresAt.getTime()) {
      throw new AppError("extension_limit", "This session already runs for the maximum duration");
    }
    // Conditional on the values read above, so two concurrent extends cannot both count as one (nor
    // overwrite an instructor's extension given meanwhile: POST /api/events/:id/sessions/extend).
    const changed = await this.prisma.labSession.updateMany({
      where: {
        id: session.id,
        extensions: session.extensions,
        expiresAt: session.expiresAt,
        status: { in: [...OPEN_SESSION_STATUSES] },
      },
      data: { expiresAt: new Date(expiresAt), extensions: { increment: 1 } },
    });
    if (changed.count === 0) throw new AppError("conflict", "The session changed meanwhile; try again");
    return this.get(user, sessionId);
  }

  /**
   * Ends the session. With `onlyIfQueued` (a lab page leaving the queue as it goes away) only a
   * queued session is ended: one promoted a moment before is the user's lab now, and a page that
   * was closed at that moment must not end it (409 conflict instead).
   */
  async delete(user: User, sessionId: string, options: { onlyIfQueued?: boolean } = {}): Promise<void> {
    const session = await this.access.session(user, sessionId);
    if (session.status === "ended") return;
    if (options.onlyIfQueued) {
      if (!(await this.lifecycle.leaveQueue(session.id, { code: "left_queue" }))) {
        throw new AppError("conflict", "This session is no longer queued; end it with a plain DELETE");
      }
      return;
    }
    await this.lifecycle.end(session.id, { code: session.status === "queued" ? "left_queue" : "deleted" });
  }

  /**
   * Where a new queued session goes: the place of the caller's session named by `rejoinQueue` when
   * it left the queue (left_queue) at most QUEUE_REJOIN_SECONDS ago for the same lesson (a reload
   * of its lab page), else the end of the queue (now).
   */
  private async placeToRejoin(
    tx: Prisma.TransactionClient,
    user: User,
    lessonId: string | undefined,
    rejoinQueue: string | undefined,
    now: number,
  ): Promise<Date> {
    if (!rejoinQueue) return new Date(now);
    const left = await tx.labSession.findFirst({
      where: {
        id: rejoinQueue,
        ownerId: user.id,
        instanceId: this.config.instanceId,
        lessonId: lessonId ?? null,
        status: "ended",
        statusReason: "left_queue",
        endedAt: { gte: new Date(now - QUEUE_REJOIN_SECONDS * 1000) },
      },
      select: { queuedAt: true },
    });
    return left?.queuedAt ?? new Date(now);
  }

  /** The API's view of a session (EventJoinService answers with it too). */
  async view(session: LabSessionForView): Promise<TSession> {
    return toSessionView(session, this.maxExtensionsOf(session), await this.queue.describe(session));
  }

  /** The classroom event a session was joined through sets its limit instead of the installation. */
  private maxExtensionsOf(session: LabSessionForView): number {
    return session.event?.maxExtensions ?? this.settings.current().maxExtensions;
  }
}

import { Inject, Injectable, Logger } from "@nestjs/common";
import type { Request, Response } from "express";
import { OPEN_SESSION_STATUSES, type TEventJoinRequest, type TEventJoinResponse, type TSession } from "@kubelab/shared";
import { joinAs, sessionStart } from "../access/event-access-rules";
import { AuthService } from "../auth/auth.service";
import { loginCookieName, loginCookieOptions, readLoginToken } from "../auth/login-cookie";
import { LoginRateLimiter } from "../auth/login-rate-limiter";
import { AppError } from "../common/app-error";
import { clientAddress } from "../common/request-origin";
import { SettingsService } from "../settings/settings.service";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import { Metrics } from "../metrics/metrics.service";
import type { Event, User } from "../generated/prisma/client";
import { assertUserQuota, countLiveSessions } from "../sessions/installation-occupancy";
import { SessionImagePicker } from "../sessions/session-image-picker";
import { SessionLifecycle } from "../sessions/session-lifecycle.service";
import { SessionPool } from "../sessions/session-pool.service";
import { QUOTA_LOCKED_TRANSACTION, takeQuotaLock } from "../sessions/session-quota-lock";
import { SessionSubnets } from "../sessions/session-subnets.service";
import { SESSION_VIEW_INCLUDE, type LabSessionForView } from "../sessions/session-view";
import { SessionsService } from "../sessions/sessions.service";
import { countAttendees } from "./event-pools";
import { EventJoinLimiter } from "./event-join-limiter";
import { attendeeExpiry, eventPhase, eventPoolKey, normalizeAccessCode } from "./event-rules";
import { insertSession } from "../sessions/session-rows";

/**
 * POST /api/events/join: a code (and a name, for a guest) becomes the attendee's session in the
 * event: the same one again on a rejoin, else a reserved (pooled) one, else a cold one. Capacity,
 * MAX_SESSIONS and MAX_SESSIONS_PER_USER are checked under the quota lock, like every create.
 */
@Injectable()
export class EventJoinService {
  private readonly logger = new Logger("Events");

  constructor(
    private readonly prisma: PrismaService,
    private readonly auth: AuthService,
    private readonly limiter: EventJoinLimiter,
    private readonly logins: LoginRateLimiter,
    private readonly images: SessionImagePicker,
    private readonly lifecycle: SessionLifecycle,
    private readonly pool: SessionPool,
    private readonly subnets: SessionSubnets,
    private readonly sessions: SessionsService,
    private readonly settings: SettingsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  async join(req: Request, res: Response, body: TEventJoinRequest, viewer: User | null): Promise<TEventJoinResponse> {
    await this.limiter.check(req);
    const event = await this.prisma.event.findUnique({ where: { accessCode: normalizeAccessCode(body.code) } });
    if (!event) {
      await this.limiter.failed(req);
      // Wrong and unknown codes are the same thing: no event has it.
      throw new AppError("not_found", "No event has this code; check it and try again");
    }
    const phase = eventPhase(event, new Date());
    if (phase === "not_started") {
      throw new AppError("event_not_started", `This event starts at ${event.startsAt.toISOString()}`, [
        { path: "startsAt", message: event.startsAt.toISOString() },
      ]);
    }
    if (phase === "ended") throw new AppError("event_ended", "This event has ended");
    let user = viewer;
    if (joinAs(event, viewer) === "new_guest") {
      // Checked again under the lock; here so that a full event does not even log a guest in.
      if ((await countAttendees(this.prisma, event.id)) >= event.capacity) throw full(event);
      if (!body.name) {
        throw new AppError("bad_request", "Give your name to join as a guest", [
          { path: "name", message: "required to join as a guest" },
        ]);
      }
      // A guest login like POST /api/auth/guest, under the same LOGIN_RATE_LIMIT.
      await this.logins.hit(req);
      const guest = await this.auth.loginAsGuest(
        body.name,
        readLoginToken(req, this.config),
        clientAddress(req, this.config),
        event.id,
      );
      res.cookie(loginCookieName(this.config), guest.token, loginCookieOptions(this.config));
      user = guest.user;
    }
    const session = await this.attendeeSession(event, user!);
    return {
      event: {
        id: event.id,
        title: event.title,
        lessonId: event.lessonId,
        language: event.language,
        startsAt: event.startsAt.toISOString(),
        endsAt: event.endsAt.toISOString(),
      },
      session: await this.sessions.view(session),
    };
  }

  /**
   * POST /api/sessions by an event's guest (sessionStart rules it): for the event's lesson, the same
   * as a join (their session again, else a reserved or cold one); refused otherwise. Null for users
   * bound to no event, who start sessions as usual.
   */
  async startForEventGuest(user: User, lessonId: string | undefined): Promise<TSession | null> {
    const event = user.eventId ? await this.prisma.event.findUnique({ where: { id: user.eventId } }) : null;
    if (sessionStart(user, event, lessonId, new Date()) === "free") return null;
    return this.sessions.view(await this.attendeeSession(event!, user));
  }

  /**
   * The user's session in the event: theirs already, a reserved one, or a new cold one (also the
   * room's reset, after it ended the old one: EventRoomActions).
   */
  async attendeeSession(event: Event, user: User): Promise<LabSessionForView> {
    const started = performance.now();
    const maxTotal = this.settings.current().maxSessions;
    const maxPerUser = this.settings.maxSessionsFor(user);
    const instanceId = this.config.instanceId;
    const { nodes, image, requestedImage } = await this.images.pick(event.lessonId);
    const { session, outcome } = await this.prisma.$transaction(async (tx) => {
      await takeQuotaLock(tx);
      const mine = await tx.labSession.findFirst({
        where: { eventId: event.id, ownerId: user.id, status: { in: [...OPEN_SESSION_STATUSES] } },
        include: SESSION_VIEW_INCLUDE,
      });
      if (mine) return { session: mine, outcome: "rejoined" as const };
      const attendees = await countAttendees(tx, event.id);
      if (attendees >= event.capacity) throw full(event);
      await assertUserQuota(tx, user.id, maxPerUser);
      const now = new Date();
      const expiresAt = attendeeExpiry(now, event);
      const claimedId = await this.lifecycle.claim(tx, {
        instanceId,
        poolKey: eventPoolKey(event.id),
        nodes,
        ownerId: user.id,
        lessonId: event.lessonId,
        requestedImage,
        now,
        expiresAt,
      });
      if (claimedId) {
        const claimed = await tx.labSession.findUniqueOrThrow({
          where: { id: claimedId },
          include: SESSION_VIEW_INCLUDE,
        });
        return { session: claimed, outcome: "claimed" as const };
      }
      // Cold: a place under MAX_SESSIONS (events do not queue; the reserved sessions are the way in).
      if ((await countLiveSessions(tx, instanceId)) >= maxTotal) {
        throw new AppError(
          "no_capacity",
          "All lab slots of this installation are in use right now; try again in a few minutes",
        );
      }
      const created = await insertSession(
        tx,
        {
          ownerId: user.id,
          instanceId,
          eventId: event.id,
          lessonId: event.lessonId,
          image,
          requestedImage,
          createdAt: now,
          expiresAt,
        },
        nodes,
      );
      await this.subnets.allocate(tx, created.id);
      return { session: created, outcome: "created" as const };
    }, QUOTA_LOCKED_TRANSACTION);
    if (outcome !== "rejoined") this.metrics.sessionCreate(outcome);
    if (outcome === "created") {
      this.logger.log(`Session ${session.id} created cold for user ${user.id} in event ${event.id}`);
      this.lifecycle.provision(session);
    } else if (outcome === "claimed") {
      this.logger.log(`Session ${session.id} claimed from event ${event.id}'s reserve by user ${user.id}`);
      this.lifecycle.claimed(session.id);
      this.metrics.provisioned("pool_claim", (performance.now() - started) / 1000);
      void this.pool.refill();
    }
    return session;
  }
}

function full(event: Event): AppError {
  return new AppError("event_full", `This event is full (${event.capacity} attendees)`);
}

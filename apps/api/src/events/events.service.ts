import { Inject, Injectable, Logger } from "@nestjs/common";
import {
  ENDABLE_SESSION_STATUSES,
  type TEvent,
  type TEventCreate,
  type TEventList,
  type TEventUpdate,
} from "@kubelab/shared";
import { eventsScope, manageableEvent } from "../access/event-access-rules";
import type { Viewer } from "../access/session-access-rules";
import { AUDIT_ACTIONS } from "../audit/audit-actions";
import { AuditLog } from "../audit/audit-log.service";
import { AppError } from "../common/app-error";
import { SettingsService } from "../settings/settings.service";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import type { Event } from "../generated/prisma/client";
import { LessonCatalog } from "../lessons/lesson-catalog.service";
import { SessionLifecycle } from "../sessions/session-lifecycle.service";
import { SessionPool } from "../sessions/session-pool.service";
import type { SessionEndReason } from "../sessions/session-reason";
import { changedFields, eventAuditFields } from "./event-audit";
import { eventPhase, newAccessCode, resolveEventSettings, type EventInput, type EventSettings } from "./event-rules";

// Event ids are UUIDs; anything else cannot exist and is not worth a query.
export const EVENT_ID = /^[0-9a-f-]{36}$/;
// A clash among 31^8 codes is rare; a few fresh draws make it vanish.
const CODE_ATTEMPTS = 5;

/**
 * Classroom events: what instructors (their own) and admins (all) create, read, change and delete.
 * Every create, change, end and delete is audited with the actor's client `address`.
 */
@Injectable()
export class EventsService {
  private readonly logger = new Logger("Events");

  constructor(
    private readonly prisma: PrismaService,
    private readonly lessons: LessonCatalog,
    private readonly lifecycle: SessionLifecycle,
    private readonly pool: SessionPool,
    private readonly settings: SettingsService,
    private readonly audit: AuditLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(viewer: Viewer): Promise<TEventList> {
    const rows = await this.prisma.event.findMany({
      where: eventsScope(viewer),
      orderBy: [{ startsAt: "asc" }, { id: "asc" }],
    });
    return { events: rows.map(toEventView) };
  }

  async get(viewer: Viewer, id: string): Promise<TEvent> {
    return toEventView(await this.find(viewer, id));
  }

  async create(viewer: Viewer, body: TEventCreate, address: string): Promise<TEvent> {
    eventsScope(viewer);
    const settings = this.resolve({ ...body, startsAt: new Date(body.startsAt), endsAt: new Date(body.endsAt) });
    for (let attempt = 1; ; attempt++) {
      try {
        const event = await this.prisma.event.create({
          data: { ...settings, ownerId: viewer.id, accessCode: newAccessCode() },
        });
        this.logger.log(`Event ${event.id} created by ${viewer.id} for ${event.lessonId}`);
        // Recorded once it exists (its id is the target); before anyone can join it or its pool fills.
        await this.audit.record({
          actorId: viewer.id,
          action: AUDIT_ACTIONS.eventCreated,
          targetType: "event",
          targetId: event.id,
          detail: { ownerId: event.ownerId, before: null, after: eventAuditFields(toEventView(event)) },
          clientAddress: address,
        });
        // Its reserved sessions may be due already (a start within the prepare time).
        void this.pool.refill();
        return toEventView(event);
      } catch (error) {
        if (attempt >= CODE_ATTEMPTS || !isUniqueViolation(error)) throw error;
      }
    }
  }

  async update(viewer: Viewer, id: string, change: TEventUpdate, address: string): Promise<TEvent> {
    const event = await this.find(viewer, id);
    const settings = this.resolve(
      {
        title: change.title ?? event.title,
        lessonId: change.lessonId ?? event.lessonId,
        language: change.language ?? event.language,
        startsAt: change.startsAt ? new Date(change.startsAt) : event.startsAt,
        endsAt: change.endsAt ? new Date(change.endsAt) : event.endsAt,
        capacity: change.capacity ?? event.capacity,
        sessionSeconds: change.sessionSeconds ?? event.sessionSeconds,
        maxExtensions: change.maxExtensions ?? event.maxExtensions,
        // A smaller capacity takes the reserved sessions down with it unless they were given.
        reservedSessions:
          change.reservedSessions ?? Math.min(event.reservedSessions, change.capacity ?? event.capacity),
        prepareSeconds: change.prepareSeconds ?? event.prepareSeconds,
        joinPolicy: change.joinPolicy ?? event.joinPolicy,
        allowList: change.allowList ?? event.allowList,
      },
      event,
    );
    await this.audit.record({
      actorId: viewer.id,
      action: AUDIT_ACTIONS.eventChanged,
      targetType: "event",
      targetId: event.id,
      detail: {
        ownerId: event.ownerId,
        ...changedFields(
          eventAuditFields(toEventView(event)),
          eventAuditFields(toEventView({ ...event, ...settings })),
        ),
      },
      clientAddress: address,
    });
    const updated = await this.prisma.event.update({ where: { id: event.id }, data: settings });
    // The attendees' sessions follow a moved end (extended or brought forward) and a new length:
    // their own time with their extensions and the instructor's, never past the event's end.
    await this.prisma.$executeRaw`
      UPDATE lab_sessions
      SET expires_at = LEAST(
        created_at + make_interval(secs => ${settings.sessionSeconds}
          + (extensions + instructor_extensions) * ${this.settings.current().extensionSeconds}),
        ${settings.endsAt})
      WHERE event_id = ${event.id}::uuid AND owner_id IS NOT NULL
        AND status IN ('provisioning', 'ready')`;
    this.logger.log(`Event ${event.id} changed by ${viewer.id}: ${Object.keys(change).join(", ")}`);
    void this.pool.refill();
    return toEventView(updated);
  }

  /**
   * Ends the event now (the instructor's "end early"; a no-op on the schedule of an event already
   * over): its end becomes now, its attendees' sessions end (event_ended) and its reserved sessions go.
   */
  async end(viewer: Viewer, id: string, address: string): Promise<TEvent> {
    let event = await this.find(viewer, id);
    const now = new Date();
    const times =
      eventPhase(event, now) === "ended" ? undefined : { endsAt: now, startsAt: minDate(event.startsAt, now) };
    await this.audit.record({
      actorId: viewer.id,
      action: AUDIT_ACTIONS.eventEnded,
      targetType: "event",
      targetId: event.id,
      detail: {
        ownerId: event.ownerId,
        before: { startsAt: event.startsAt.toISOString(), endsAt: event.endsAt.toISOString() },
        after: {
          startsAt: (times?.startsAt ?? event.startsAt).toISOString(),
          endsAt: (times?.endsAt ?? event.endsAt).toISOString(),
        },
      },
      clientAddress: address,
    });
    if (times) event = await this.prisma.event.update({ where: { id: event.id }, data: times });
    await this.endAttendees(event.id);
    this.logger.log(`Event ${event.id} ended by ${viewer.id}`);
    await this.pool.refill();
    return toEventView(event);
  }

  /** Deletes the event; its attendees' sessions end first (event_ended) and its reserved sessions go. */
  async delete(viewer: Viewer, id: string, address: string): Promise<void> {
    const event = await this.find(viewer, id);
    await this.audit.record({
      actorId: viewer.id,
      action: AUDIT_ACTIONS.eventDeleted,
      targetType: "event",
      targetId: event.id,
      detail: { ownerId: event.ownerId, before: eventAuditFields(toEventView(event)), after: null },
      clientAddress: address,
    });
    await this.endAttendees(event.id);
    await this.prisma.event.delete({ where: { id: event.id } });
    this.logger.log(`Event ${event.id} deleted by ${viewer.id}`);
    void this.pool.refill();
  }

  /** Ends the event's attendee sessions that can still end, for `reason`; how many it ended. */
  async endAttendees(eventId: string, reason: SessionEndReason = { code: "event_ended" }): Promise<number> {
    const sessions = await this.prisma.labSession.findMany({
      where: { eventId, ownerId: { not: null }, status: { in: [...ENDABLE_SESSION_STATUSES] } },
      select: { id: true },
    });
    await Promise.all(sessions.map((s) => this.lifecycle.end(s.id, reason)));
    return sessions.length;
  }

  /** The event if the viewer may manage it (access/event-access-rules.ts), else not_found/forbidden. */
  async find(viewer: Viewer, id: string): Promise<Event> {
    const event = EVENT_ID.test(id) ? await this.prisma.event.findUnique({ where: { id } }) : null;
    return manageableEvent(viewer, event);
  }

  /**
   * `current`: the event being changed. Limits lowered in the console since it was created do not
   * make its untouched capacity and reservation invalid (a new value must respect them).
   */
  private resolve(input: EventInput, current?: Event): EventSettings {
    let lessonLanguages: string[];
    try {
      lessonLanguages = this.lessons.get(input.lessonId).languages;
    } catch {
      throw new AppError("bad_request", `No lesson "${input.lessonId}"`, [
        { path: "lessonId", message: "no such lesson" },
      ]);
    }
    const { durationSeconds, maxDurationSeconds, maxExtensions, eventMaxReserved, eventMaxCapacity } =
      this.settings.current();
    return resolveEventSettings(input, {
      durationSeconds,
      maxDurationSeconds,
      maxExtensions,
      maxReserved: Math.max(eventMaxReserved, current?.reservedSessions ?? 0),
      maxCapacity: Math.max(eventMaxCapacity, current?.capacity ?? 0),
      lessonLanguages,
    });
  }
}

function minDate(a: Date, b: Date): Date {
  return a < b ? a : b;
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "P2002";
}

export function toEventView(event: Event): TEvent {
  return {
    id: event.id,
    ownerId: event.ownerId,
    title: event.title,
    lessonId: event.lessonId,
    language: event.language,
    startsAt: event.startsAt.toISOString(),
    endsAt: event.endsAt.toISOString(),
    capacity: event.capacity,
    sessionSeconds: event.sessionSeconds,
    maxExtensions: event.maxExtensions,
    reservedSessions: event.reservedSessions,
    prepareSeconds: event.prepareSeconds,
    joinPolicy: event.joinPolicy,
    allowList: event.allowList,
    accessCode: event.accessCode,
    joinPath: `/join/${event.accessCode}`,
    createdAt: event.createdAt.toISOString(),
    updatedAt: event.updatedAt.toISOString(),
  };
}

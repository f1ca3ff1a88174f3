import { Inject, Injectable, Logger } from "@nestjs/common";
import { ENDABLE_SESSION_STATUSES, isSessionStatusIn, type TEventBulkResult, type TSession } from "@kubelab/shared";
import { attendeeSessionOf } from "../access/event-access-rules";
import type { Viewer } from "../access/session-access-rules";
import { AUDIT_ACTIONS } from "../audit/audit-actions";
import { AuditLog } from "../audit/audit-log.service";
import { AppError } from "../common/app-error";
import { SettingsService } from "../settings/settings.service";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import type { Event, LabSession } from "../generated/prisma/client";
import { SessionLifecycle } from "../sessions/session-lifecycle.service";
import { SessionsService } from "../sessions/sessions.service";
import { EventJoinService } from "./event-join.service";
import { eventPhase } from "./event-rules";
import { EventsService } from "./events.service";

/**
 * What an event's instructors (and admins) do to its attendees' sessions from the room: extend all,
 * end all or one, reset one (a fresh session, same lesson position). Status changes go through
 * SessionLifecycle; who may act on what is ruled in access/event-access-rules.ts.
 */
@Injectable()
export class EventRoomActions {
  private readonly logger = new Logger("EventRoom");

  constructor(
    private readonly prisma: PrismaService,
    private readonly events: EventsService,
    private readonly joins: EventJoinService,
    private readonly lifecycle: SessionLifecycle,
    private readonly sessions: SessionsService,
    private readonly audit: AuditLog,
    private readonly settings: SettingsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Every open attendee session (provisioning, ready) gets SESSION_EXTENSION more, never past the
   * event's end. It is the instructor's gift: counted in instructor_extensions, not in the
   * attendee's own extensions (they keep all of theirs), and kept when the event changes. Sessions
   * already running until the event's end are left alone (not counted).
   */
  async extendAll(viewer: Viewer, id: string, address: string): Promise<TEventBulkResult> {
    const event = await this.events.find(viewer, id);
    const seconds = this.settings.current().extensionSeconds;
    const count = await this.prisma.$executeRaw`
      UPDATE lab_sessions
      SET expires_at = LEAST(expires_at + make_interval(secs => ${seconds}), ${event.endsAt}),
          instructor_extensions = instructor_extensions + 1
      WHERE event_id = ${event.id}::uuid AND owner_id IS NOT NULL
        AND status IN ('provisioning', 'ready') AND expires_at < ${event.endsAt}`;
    this.logger.log(`Event ${event.id}: ${count} session(s) extended by ${viewer.id}`);
    await this.recordBulk(AUDIT_ACTIONS.eventSessionsExtended, viewer, event.id, count, address);
    return { count };
  }

  /** Ends every attendee session that can still end (ended_by_instructor); the event goes on. */
  async endAll(viewer: Viewer, id: string, address: string): Promise<TEventBulkResult> {
    const event = await this.events.find(viewer, id);
    const count = await this.events.endAttendees(event.id, { code: "ended_by_instructor" });
    this.logger.log(`Event ${event.id}: ${count} session(s) ended by ${viewer.id}`);
    await this.recordBulk(AUDIT_ACTIONS.eventSessionsEnded, viewer, event.id, count, address);
    return { count };
  }

  /** Ends one attendee session (ended_by_instructor); a no-op on one already ended. */
  async endOne(viewer: Viewer, id: string, sessionId: string, address: string): Promise<void> {
    const { event, session } = await this.attendeeSession(viewer, id, sessionId);
    if (!isSessionStatusIn(ENDABLE_SESSION_STATUSES, session.status)) return;
    await this.audit.record({
      actorId: viewer.id,
      action: AUDIT_ACTIONS.sessionEndedByInstructor,
      targetType: "session",
      targetId: session.id,
      detail: { eventId: event.id, ownerId: session.ownerId },
      clientAddress: address,
    });
    await this.lifecycle.end(session.id, { code: "ended_by_instructor" });
    this.logger.log(`Session ${session.id} of event ${event.id} ended by ${viewer.id}`);
  }

  /**
   * Ends the session (session_reset) and starts a fresh one for its owner in the event, as a join
   * does (EventJoinService: a reserved one if any, else a cold one, within the capacity and the
   * quotas; the old one's place is free by then). Progress is per user and lesson, so the attendee
   * stays on the same step. Two resets at once give the same new session. Only while the event runs,
   * and on a session that has not ended (an ended one's attendee joins again with the code).
   */
  async reset(viewer: Viewer, id: string, sessionId: string, address: string): Promise<TSession> {
    const { event, session } = await this.attendeeSession(viewer, id, sessionId);
    if (eventPhase(event, new Date()) === "ended") throw new AppError("event_ended", "This event has ended");
    if (!isSessionStatusIn(ENDABLE_SESSION_STATUSES, session.status))
      throw new AppError("session_not_active", `This session is ${session.status} and cannot be reset`);
    const owner = await this.prisma.user.findUniqueOrThrow({ where: { id: session.ownerId } });
    await this.audit.record({
      actorId: viewer.id,
      action: AUDIT_ACTIONS.sessionReset,
      targetType: "session",
      targetId: session.id,
      detail: { eventId: event.id, ownerId: owner.id },
      clientAddress: address,
    });
    await this.lifecycle.end(session.id, { code: "session_reset" });
    const fresh = await this.joins.attendeeSession(event, owner);
    this.logger.log(`Session ${session.id} of event ${event.id} reset by ${viewer.id}: now ${fresh.id}`);
    return this.sessions.view(fresh);
  }

  /** Bulk actions are recorded once done, with how many sessions they changed. */
  private async recordBulk(
    action: typeof AUDIT_ACTIONS.eventSessionsExtended | typeof AUDIT_ACTIONS.eventSessionsEnded,
    viewer: Viewer,
    eventId: string,
    count: number,
    address: string,
  ): Promise<void> {
    await this.audit.record({
      actorId: viewer.id,
      action,
      targetType: "event",
      targetId: eventId,
      detail: { count },
      clientAddress: address,
    });
  }

  private async attendeeSession(
    viewer: Viewer,
    id: string,
    sessionId: string,
  ): Promise<{ event: Event; session: LabSession & { ownerId: string } }> {
    const event = await this.events.find(viewer, id);
    // Session ids are plain text (hex): any string is a safe key, and a wrong one finds nothing.
    const session = await this.prisma.labSession.findUnique({ where: { id: sessionId } });
    return { event, session: attendeeSessionOf(event, session) };
  }
}

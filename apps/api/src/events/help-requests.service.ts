import { Injectable, Logger, type OnApplicationBootstrap } from "@nestjs/common";
import {
  OPEN_SESSION_STATUSES,
  type THelpRequestCreate,
  type TMyHelp,
  type TMyHelpRequest,
  type TRoomHelpRequest,
} from "@kubelab/shared";
import { SessionAccess } from "../access/session-access.service";
import type { Viewer } from "../access/session-access-rules";
import { AppError } from "../common/app-error";
import { PrismaService } from "../database/prisma.service";
import { SessionEvents } from "../sessions/session-events";
import { EVENT_ID, EventsService } from "./events.service";
import { RoomSignals } from "./room-signals";

const WITH_NAMES = { user: { select: { name: true } }, claimedBy: { select: { name: true } } } as const;

type HelpRow = {
  id: string;
  userId: string;
  sessionId: string;
  message: string | null;
  step: number | null;
  createdAt: Date;
  claimedAt: Date | null;
  user: { name: string };
  claimedBy: { name: string } | null;
};

/**
 * Raised hands (issue 16): an attendee of an event asks for help with their session (one open request
 * per session, enforced by the unique open_session_id); the event's instructors and admins claim
 * ("someone is looking") and resolve them; the attendee may withdraw. Closed when the session stops.
 */
@Injectable()
export class HelpRequests implements OnApplicationBootstrap {
  private readonly logger = new Logger("HelpRequests");

  constructor(
    private readonly prisma: PrismaService,
    private readonly access: SessionAccess,
    private readonly events: EventsService,
    private readonly sessionEvents: SessionEvents,
    private readonly signals: RoomSignals,
  ) {}

  onApplicationBootstrap(): void {
    this.sessionEvents.onStopped(({ sessionId }) => {
      this.close({ openSessionId: sessionId }, "session_stopped")
        .then((closed) => closed && this.signals.sessionChanged(sessionId))
        .catch((error: unknown) =>
          this.logger.warn(`Closing the help request of ${sessionId} failed: ${(error as Error).message}`),
        );
    });
  }

  async raise(viewer: Viewer, sessionId: string, body: THelpRequestCreate): Promise<TMyHelpRequest> {
    const session = await this.access.session(viewer, sessionId);
    if (!session.eventId) throw new AppError("conflict", "Help requests are for sessions of a classroom event");
    if (!(OPEN_SESSION_STATUSES as readonly string[]).includes(session.status))
      throw new AppError("session_not_active", "This session has ended");
    try {
      const row = await this.prisma.helpRequest.create({
        data: {
          eventId: session.eventId,
          sessionId: session.id,
          userId: viewer.id,
          openSessionId: session.id,
          message: body.message ?? null,
          step: body.step ?? null,
        },
        include: WITH_NAMES,
      });
      this.logger.log(`Help requested for ${session.id} in event ${session.eventId}`);
      this.signals.changed(session.eventId);
      return this.mine(row, session.eventId);
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code === "P2002")
        throw new AppError("conflict", "You have asked for help already; withdraw that request first");
      throw error;
    }
  }

  async get(viewer: Viewer, sessionId: string): Promise<TMyHelp> {
    const session = await this.access.session(viewer, sessionId);
    const row = await this.prisma.helpRequest.findUnique({ where: { openSessionId: session.id }, include: WITH_NAMES });
    return { request: row && session.eventId ? await this.mine(row, session.eventId) : null };
  }

  async withdraw(viewer: Viewer, sessionId: string): Promise<void> {
    const session = await this.access.session(viewer, sessionId);
    if (!(await this.close({ openSessionId: session.id }, "withdrawn")))
      throw new AppError("not_found", "This session has no open help request");
    if (session.eventId) this.signals.changed(session.eventId);
  }

  async claim(viewer: Viewer, eventId: string, requestId: string): Promise<TRoomHelpRequest> {
    const request = await this.openRequest(viewer, eventId, requestId);
    const row = await this.prisma.helpRequest.update({
      where: { id: request.id },
      data: { claimedAt: new Date(), claimedById: viewer.id },
      include: WITH_NAMES,
    });
    this.signals.changed(row.eventId);
    return toRoomHelp(row);
  }

  async resolve(viewer: Viewer, eventId: string, requestId: string): Promise<void> {
    const request = await this.openRequest(viewer, eventId, requestId);
    if (await this.close({ id: request.id, openSessionId: { not: null } }, "resolved"))
      this.signals.changed(request.eventId);
  }

  /** The event's open requests for the room. */
  async open(eventId: string): Promise<TRoomHelpRequest[]> {
    const rows = await this.prisma.helpRequest.findMany({
      where: { eventId, openSessionId: { not: null } },
      include: WITH_NAMES,
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
    return rows.map(toRoomHelp);
  }

  private async openRequest(
    viewer: Viewer,
    eventId: string,
    requestId: string,
  ): Promise<{ id: string; eventId: string }> {
    const event = await this.events.find(viewer, eventId);
    const request = EVENT_ID.test(requestId)
      ? await this.prisma.helpRequest.findFirst({
          where: { id: requestId, eventId: event.id, openSessionId: { not: null } },
          select: { id: true, eventId: true },
        })
      : null;
    if (!request) throw new AppError("not_found", "No such open help request in this event");
    return request;
  }

  private async close(
    where: { openSessionId: string } | { id: string; openSessionId: { not: null } },
    reason: "resolved" | "withdrawn" | "session_stopped",
  ): Promise<boolean> {
    const { count } = await this.prisma.helpRequest.updateMany({
      where,
      data: { openSessionId: null, closedAt: new Date(), closedReason: reason },
    });
    return count > 0;
  }

  private async mine(row: HelpRow, eventId: string): Promise<TMyHelpRequest> {
    const ahead = await this.prisma.helpRequest.count({
      where: { eventId, openSessionId: { not: null }, createdAt: { lt: row.createdAt } },
    });
    return {
      id: row.id,
      message: row.message,
      step: row.step,
      createdAt: row.createdAt.toISOString(),
      position: ahead + 1,
      claimed: row.claimedAt !== null,
      claimedBy: row.claimedBy?.name ?? null,
    };
  }
}

function toRoomHelp(row: HelpRow): TRoomHelpRequest {
  return {
    id: row.id,
    userId: row.userId,
    name: row.user.name,
    sessionId: row.sessionId,
    message: row.message,
    step: row.step,
    createdAt: row.createdAt.toISOString(),
    claimedAt: row.claimedAt?.toISOString() ?? null,
    claimedBy: row.claimedBy?.name ?? null,
  };
}

import { Injectable, Logger } from "@nestjs/common";
import type { TBroadcast, TBroadcastCreate, TBroadcastList, TSessionBroadcast } from "@kubelab/shared";
import { SessionAccess } from "../access/session-access.service";
import type { Viewer } from "../access/session-access-rules";
import { PrismaService } from "../database/prisma.service";
import { EventsService } from "./events.service";
import { RoomSignals } from "./room-signals";

const WITH_AUTHOR = { author: { select: { name: true } } } as const;
// The instructor's list shows the recent ones; attendees only ever see the latest.
const LIST_LIMIT = 50;

/** Broadcasts: an event's instructors and admins write to every attendee; attendees read the latest. */
@Injectable()
export class EventBroadcasts {
  private readonly logger = new Logger("EventBroadcasts");

  constructor(
    private readonly prisma: PrismaService,
    private readonly events: EventsService,
    private readonly access: SessionAccess,
    private readonly signals: RoomSignals,
  ) {}

  async send(viewer: Viewer, eventId: string, body: TBroadcastCreate): Promise<TBroadcast> {
    const event = await this.events.find(viewer, eventId);
    const row = await this.prisma.eventBroadcast.create({
      data: { eventId: event.id, authorId: viewer.id, message: body.message, step: body.step ?? null },
      include: WITH_AUTHOR,
    });
    this.logger.log(`Broadcast ${row.id} to event ${event.id} by ${viewer.id}`);
    this.signals.changed(event.id);
    return toBroadcast(row);
  }

  async list(viewer: Viewer, eventId: string): Promise<TBroadcastList> {
    const event = await this.events.find(viewer, eventId);
    const rows = await this.prisma.eventBroadcast.findMany({
      where: { eventId: event.id },
      include: WITH_AUTHOR,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: LIST_LIMIT,
    });
    return { broadcasts: rows.map(toBroadcast) };
  }

  /** The latest broadcast of the session's event, for the session's owner (null outside events). */
  async latestFor(viewer: Viewer, sessionId: string): Promise<TSessionBroadcast> {
    const session = await this.access.session(viewer, sessionId);
    const row = session.eventId
      ? await this.prisma.eventBroadcast.findFirst({
          where: { eventId: session.eventId },
          include: WITH_AUTHOR,
          orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        })
      : null;
    return { broadcast: row ? toBroadcast(row) : null };
  }
}

function toBroadcast(row: {
  id: string;
  message: string;
  step: number | null;
  createdAt: Date;
  author: { name: string } | null;
}): TBroadcast {
  return {
    id: row.id,
    message: row.message,
    step: row.step,
    createdAt: row.createdAt.toISOString(),
    author: row.author?.name ?? null,
  };
}

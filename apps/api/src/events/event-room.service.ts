import { Injectable } from "@nestjs/common";
import type { TEventRoom } from "@kubelab/shared";
import type { Viewer } from "../access/session-access-rules";
import { PrismaService } from "../database/prisma.service";
import type { Event } from "../generated/prisma/client";
import { LessonCatalog } from "../lessons/lesson-catalog.service";
import { TerminalActivity } from "../terminals/terminal-activity";
import { buildRoom } from "./event-room";
import { EventsService } from "./events.service";
import { HelpRequests } from "./help-requests.service";

/**
 * The instructor's live room: the event's attendees with their sessions, lesson progress and last
 * terminal input, and the progress board. Built from three queries and the in-memory activity map;
 * the stream (EventRoomController) rebuilds it every second and sends it only when it changed.
 */
@Injectable()
export class EventRoom {
  constructor(
    private readonly prisma: PrismaService,
    private readonly events: EventsService,
    private readonly lessons: LessonCatalog,
    private readonly activity: TerminalActivity,
    private readonly help: HelpRequests,
  ) {}

  /** The event, if the viewer may watch its room (its instructor, or an admin). */
  event(viewer: Viewer, id: string): Promise<Event> {
    return this.events.find(viewer, id);
  }

  async snapshot(event: Event): Promise<TEventRoom> {
    const sessions = await this.prisma.labSession.findMany({
      where: { eventId: event.id, ownerId: { not: null } },
      select: {
        id: true,
        ownerId: true,
        status: true,
        createdAt: true,
        expiresAt: true,
        owner: { select: { name: true } },
      },
    });
    const owners = [...new Set(sessions.map((s) => s.ownerId!))];
    const progress = owners.length
      ? await this.prisma.lessonProgress.findMany({
          where: { lessonId: event.lessonId, userId: { in: owners } },
          select: { userId: true, currentStep: true, doneSteps: true },
        })
      : [];
    return buildRoom({
      eventId: event.id,
      lessonId: event.lessonId,
      stepCount: this.stepCount(event),
      sessions: sessions.map((s) => ({
        id: s.id,
        ownerId: s.ownerId!,
        ownerName: s.owner?.name ?? "",
        status: s.status,
        createdAt: s.createdAt,
        expiresAt: s.expiresAt,
      })),
      progress: new Map(progress.map((p) => [p.userId, p])),
      help: await this.help.open(event.id),
      lastInput: (sessionId) => this.activity.last(sessionId),
    });
  }

  private stepCount(event: Event): number {
    try {
      return this.lessons.get(event.lessonId, event.language).steps.length;
    } catch {
      // The lesson left the catalog: the roster still works, without a board.
      return 0;
    }
  }
}

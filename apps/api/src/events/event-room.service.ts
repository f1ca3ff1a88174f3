import { Injectable } from "@nestjs/common";
import type { TEventRoom } from "@kubelab/shared";
import type { Viewer } from "../access/session-access-rules";
import { PrismaService } from "../database/prisma.service";
import type { Event } from "../generated/prisma/client";
import { LessonCatalog } from "../lessons/lesson-catalog.service";
import { TerminalActivity } from "../terminals/terminal-activity";
import { buildRoom, clampStep, latestPerOwner, validDoneSteps } from "./event-room";
import type { ReportAttendee } from "./event-report";
import { EventsService } from "./events.service";
import { HelpRequests } from "./help-requests.service";

/**
 * The instructor's live room: the event's attendees with their sessions, lesson progress and last
 * terminal input, and the progress board. Built from three queries and the in-memory activity map;
 * the stream (EventRoomController) rebuilds it on RoomSignals and every second, sending it only when it changed.
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
    const progress = await this.progress(event, sessions);
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
      progress,
      help: await this.help.open(event.id),
      lastInput: (sessionId) => this.activity.last(sessionId),
    });
  }

  /** Each attendee's latest session in the event, with what the export and the summary need. */
  async report(event: Event): Promise<{ attendees: ReportAttendee[]; stepCount: number }> {
    const sessions = await this.prisma.labSession.findMany({
      where: { eventId: event.id, ownerId: { not: null } },
      select: {
        ownerId: true,
        status: true,
        createdAt: true,
        readyAt: true,
        endedAt: true,
        owner: { select: { name: true, login: true } },
      },
    });
    const latest = latestPerOwner(sessions.map((s) => ({ ...s, ownerId: s.ownerId! })));
    const progress = await this.progress(event, latest);
    const help = await this.prisma.helpRequest.groupBy({
      by: ["userId"],
      where: { eventId: event.id },
      _count: { _all: true },
    });
    const helpCounts = new Map(help.map((h) => [h.userId, h._count._all]));
    const stepCount = this.stepCount(event);
    const attendees = latest.map((s) => {
      const mine = progress.get(s.ownerId);
      return {
        name: s.owner?.name ?? "",
        login: s.owner?.login ?? null,
        status: s.status,
        createdAt: s.createdAt,
        readyAt: s.readyAt,
        endedAt: s.endedAt,
        currentStep: clampStep(mine?.currentStep ?? 0, stepCount),
        doneSteps: validDoneSteps(mine?.doneSteps ?? [], stepCount).length,
        helpRequests: helpCounts.get(s.ownerId) ?? 0,
      };
    });
    return { attendees, stepCount };
  }

  /** Lesson progress in the event's lesson of the sessions' owners, by user id. */
  private async progress(
    event: Event,
    sessions: readonly { ownerId: string | null }[],
  ): Promise<
    Map<string, { currentStep: number; doneSteps: number[]; verifiedSteps: number[]; stepSince: Date | null }>
  > {
    const owners = [...new Set(sessions.map((s) => s.ownerId).filter((id): id is string => id !== null))];
    const rows = owners.length
      ? await this.prisma.lessonProgress.findMany({
          where: { lessonId: event.lessonId, userId: { in: owners } },
          select: { userId: true, currentStep: true, doneSteps: true, verifiedSteps: true, stepSince: true },
        })
      : [];
    return new Map(rows.map((p) => [p.userId, p]));
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

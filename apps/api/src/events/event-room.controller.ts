import { Controller, Get, Logger, Param, Res } from "@nestjs/common";
import type { TEventRoom, TEventSummary } from "@kubelab/shared";
import type { Response } from "express";
import { CurrentUser } from "../auth/current-user.decorator";
import { RequireRole } from "../auth/require-role.decorator";
import { openEventStream } from "../common/event-stream";
import type { User } from "../generated/prisma/client";
import { exportCsv, eventSummary } from "./event-report";
import { CoalescedPasses } from "../sessions/coalesced-passes";
import { EventRoom } from "./event-room.service";
import { concernsRoom, RoomSignals } from "./room-signals";

// How often a stream rebuilds the room (terminal input is not signalled); it sends only when the room changed.
export const ROOM_TICK_MS = 1000;

/**
 * The instructor's live room of an event, its CSV export and summary: its instructors and admins only
 * (access/event-access-rules.ts).
 */
@Controller("api/events/:id")
@RequireRole("instructor", "admin")
export class EventRoomController {
  private readonly logger = new Logger("EventRoom");

  constructor(
    private readonly room: EventRoom,
    private readonly signals: RoomSignals,
  ) {}

  @Get("room")
  async snapshot(@CurrentUser() user: User, @Param("id") id: string): Promise<TEventRoom> {
    return this.room.snapshot(await this.room.event(user, id));
  }

  /** One CSV line per attendee (see docs/api.md); cells are escaped and defused (event-report.ts). */
  @Get("export.csv")
  async exportCsv(@CurrentUser() user: User, @Param("id") id: string, @Res() res: Response): Promise<void> {
    const event = await this.room.event(user, id);
    const { attendees } = await this.room.report(event);
    res.setHeader("content-type", "text/csv; charset=utf-8");
    res.setHeader("cache-control", "no-store");
    res.setHeader("content-disposition", `attachment; filename="event-${event.id}.csv"`);
    res.send(exportCsv(attendees, new Date()));
  }

  @Get("summary")
  async summary(@CurrentUser() user: User, @Param("id") id: string): Promise<TEventSummary> {
    const event = await this.room.event(user, id);
    const { attendees, stepCount } = await this.room.report(event);
    return eventSummary(event.id, attendees, stepCount);
  }

  /**
   * Server-Sent Events: `room` (the whole room, as GET .../room) at once, then whenever it changed:
   * rebuilt at once on a RoomSignals signal about it (help requests, broadcasts, lesson progress,
   * session stops) and every second for terminal input and the rest, sent only when it differs;
   * `ended` when the event is deleted or the viewer lost access.
   */
  @Get("room/stream")
  async stream(@CurrentUser() user: User, @Param("id") id: string, @Res() res: Response): Promise<void> {
    const event = await this.room.event(user, id);
    const stream = openEventStream(res);
    let last: TEventRoom | undefined;
    let lastJson = "";
    let closed = false;
    // At most one rebuild in flight; a signal or tick meanwhile makes one more right after it.
    const rebuilds = new CoalescedPasses(
      async () => {
        try {
          // Re-read the event: a deleted event, or one given a new lesson, shows at the next rebuild.
          const room = await this.room.snapshot(await this.room.event(user, event.id));
          const json = JSON.stringify(room);
          if (json !== lastJson && !closed) {
            last = room;
            lastJson = json;
            stream.send("room", room);
          }
        } catch (error) {
          this.logger.debug(`Room stream of ${event.id} stopped: ${(error as Error).message}`);
          if (!closed) stream.send("ended", { reason: (error as Error).message });
          closed = true;
          stream.end();
        }
      },
      (error) => this.logger.warn(`Room stream of ${event.id}: ${(error as Error).message}`),
      () => closed,
    );
    const unsubscribe = this.signals.subscribe((signal) => {
      if (concernsRoom(last, event.id, signal)) void rebuilds.run();
    });
    const timer = setInterval(() => void rebuilds.run(), ROOM_TICK_MS);
    stream.onClose(() => {
      closed = true;
      clearInterval(timer);
      unsubscribe();
    });
    await rebuilds.run();
  }
}

import { Inject, Injectable, Logger } from "@nestjs/common";
import type { TEvent, TEventCreate, TEventList, TEventUpdate } from "@kubelab/shared";
import { eventsScope, manageableEvent } from "../access/event-access-rules";
import type { Viewer } from "../access/session-access-rules";
import { AppError } from "../common/app-error";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import type { Event } from "../generated/prisma/client";
import { LessonCatalog } from "../lessons/lesson-catalog.service";
import { newAccessCode, resolveEventSettings, type EventInput, type EventSettings } from "./event-rules";

// Event ids are UUIDs; anything else cannot exist and is not worth a query.
const EVENT_ID = /^[0-9a-f-]{36}$/;
// A clash among 31^8 codes is rare; a few fresh draws make it vanish.
const CODE_ATTEMPTS = 5;

/** Classroom events: what instructors (their own) and admins (all) create, read, change and delete. */
@Injectable()
export class EventsService {
  private readonly logger = new Logger("Events");

  constructor(
    private readonly prisma: PrismaService,
    private readonly lessons: LessonCatalog,
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

  async create(viewer: Viewer, body: TEventCreate): Promise<TEvent> {
    eventsScope(viewer);
    const settings = this.resolve({ ...body, startsAt: new Date(body.startsAt), endsAt: new Date(body.endsAt) });
    for (let attempt = 1; ; attempt++) {
      try {
        const event = await this.prisma.event.create({
          data: { ...settings, ownerId: viewer.id, accessCode: newAccessCode() },
        });
        this.logger.log(`Event ${event.id} created by ${viewer.id} for ${event.lessonId}`);
        return toEventView(event);
      } catch (error) {
        if (attempt >= CODE_ATTEMPTS || !isUniqueViolation(error)) throw error;
      }
    }
  }

  async update(viewer: Viewer, id: string, change: TEventUpdate): Promise<TEvent> {
    const event = await this.find(viewer, id);
    const settings = this.resolve({
      title: change.title ?? event.title,
      lessonId: change.lessonId ?? event.lessonId,
      language: change.language ?? event.language,
      startsAt: change.startsAt ? new Date(change.startsAt) : event.startsAt,
      endsAt: change.endsAt ? new Date(change.endsAt) : event.endsAt,
      capacity: change.capacity ?? event.capacity,
      sessionSeconds: change.sessionSeconds ?? event.sessionSeconds,
      maxExtensions: change.maxExtensions ?? event.maxExtensions,
      // A smaller capacity takes the reserved sessions down with it unless they were given.
      reservedSessions: change.reservedSessions ?? Math.min(event.reservedSessions, change.capacity ?? event.capacity),
      prepareSeconds: change.prepareSeconds ?? event.prepareSeconds,
      joinPolicy: change.joinPolicy ?? event.joinPolicy,
      allowList: change.allowList ?? event.allowList,
    });
    const updated = await this.prisma.event.update({ where: { id: event.id }, data: settings });
    this.logger.log(`Event ${event.id} changed by ${viewer.id}: ${Object.keys(change).join(", ")}`);
    return toEventView(updated);
  }

  async delete(viewer: Viewer, id: string): Promise<void> {
    const event = await this.find(viewer, id);
    await this.prisma.event.delete({ where: { id: event.id } });
    this.logger.log(`Event ${event.id} deleted by ${viewer.id}`);
  }

  private async find(viewer: Viewer, id: string): Promise<Event> {
    const event = EVENT_ID.test(id) ? await this.prisma.event.findUnique({ where: { id } }) : null;
    return manageableEvent(viewer, event);
  }

  private resolve(input: EventInput): EventSettings {
    let lessonLanguages: string[];
    try {
      lessonLanguages = this.lessons.get(input.lessonId).languages;
    } catch {
      throw new AppError("bad_request", `No lesson "${input.lessonId}"`, [
        { path: "lessonId", message: "no such lesson" },
      ]);
    }
    const { durationSeconds, maxDurationSeconds, maxExtensions } = this.config.sessions;
    return resolveEventSettings(input, {
      durationSeconds,
      maxDurationSeconds,
      maxExtensions,
      maxReserved: this.config.events.maxReserved,
      lessonLanguages,
    });
  }
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

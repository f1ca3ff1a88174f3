import { randomInt } from "node:crypto";
import { EVENT_CODE_ALPHABET, EVENT_CODE_LENGTH, type TEventJoinPolicy } from "@kubelab/shared";
import { AppError } from "../common/app-error";

/** A new access code: EVENT_CODE_LENGTH characters drawn uniformly (crypto) from EVENT_CODE_ALPHABET. */
export function newAccessCode(pick: (max: number) => number = randomInt): string {
  let code = "";
  for (let i = 0; i < EVENT_CODE_LENGTH; i++) code += EVENT_CODE_ALPHABET[pick(EVENT_CODE_ALPHABET.length)];
  return code;
}

/** An event's settings as stored, after defaults. */
export interface EventSettings {
  title: string;
  lessonId: string;
  language: string;
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  sessionSeconds: number;
  maxExtensions: number;
  reservedSessions: number;
  prepareSeconds: number;
  joinPolicy: TEventJoinPolicy;
  allowList: string[];
}

/** What the request gave: a create's fields, or an update's on top of the stored event. */
export type EventInput = Omit<
  EventSettings,
  "startsAt" | "endsAt" | "sessionSeconds" | "maxExtensions" | "reservedSessions"
> & {
  startsAt: Date;
  endsAt: Date;
  sessionSeconds?: number;
  maxExtensions?: number;
  reservedSessions?: number;
};

/** The admin's limits an event lives within. */
export interface EventLimits {
  /** SESSION_DURATION: an attendee session's default length. */
  durationSeconds: number;
  /** SESSION_MAX_DURATION. */
  maxDurationSeconds: number;
  /** SESSION_MAX_EXTENSIONS. */
  maxExtensions: number;
  /** EVENT_MAX_RESERVED. */
  maxReserved: number;
  /** EVENT_MAX_CAPACITY: the most attendees an event may ask for. */
  maxCapacity: number;
  /** The languages the event's lesson has. */
  lessonLanguages: readonly string[];
}

/**
 * Fills the defaults (session length and extensions: the installation's; reserved sessions: the
 * capacity, capped by EVENT_MAX_RESERVED) and checks every limit; a bad_request naming each field
 * that breaks one. A session longer than the event is fine: it ends with the event anyway.
 */
export function resolveEventSettings(input: EventInput, limits: EventLimits): EventSettings {
  const problems: { path: string; message: string }[] = [];
  if (input.endsAt.getTime() <= input.startsAt.getTime())
    problems.push({ path: "endsAt", message: "must be after startsAt" });
  if (!limits.lessonLanguages.includes(input.language))
    problems.push({
      path: "language",
      message: `the lesson has ${limits.lessonLanguages.join(", ") || "no languages"}`,
    });
  const sessionSeconds = input.sessionSeconds ?? Math.min(limits.durationSeconds, limits.maxDurationSeconds);
  if (sessionSeconds > limits.maxDurationSeconds)
    problems.push({ path: "sessionSeconds", message: `at most ${limits.maxDurationSeconds} (SESSION_MAX_DURATION)` });
  const maxExtensions = input.maxExtensions ?? limits.maxExtensions;
  if (maxExtensions > limits.maxExtensions)
    problems.push({ path: "maxExtensions", message: `at most ${limits.maxExtensions} (SESSION_MAX_EXTENSIONS)` });
  if (input.capacity > limits.maxCapacity)
    problems.push({ path: "capacity", message: `at most ${limits.maxCapacity} (EVENT_MAX_CAPACITY)` });
  const reservedSessions = input.reservedSessions ?? Math.min(input.capacity, limits.maxReserved);
  if (reservedSessions > input.capacity)
    problems.push({ path: "reservedSessions", message: `at most the capacity (${input.capacity})` });
  else if (reservedSessions > limits.maxReserved)
    problems.push({ path: "reservedSessions", message: `at most ${limits.maxReserved} (EVENT_MAX_RESERVED)` });
  if (input.joinPolicy === "allow_list" && input.allowList.length === 0)
    problems.push({ path: "allowList", message: "the allow_list policy needs at least one login or email" });
  if (problems.length > 0) {
    throw new AppError(
      "bad_request",
      `Invalid event: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`,
      problems,
    );
  }
  return { ...input, sessionSeconds, maxExtensions, reservedSessions };
}

/** What a typed code becomes before the lookup: capitals, without spaces or dashes ("k7m3-qx9p"). */
export function normalizeAccessCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, "");
}

/** When an event is, seen from `now`: before its start, running, or over. */
export function eventPhase(event: { startsAt: Date; endsAt: Date }, now: Date): "not_started" | "running" | "ended" {
  if (now.getTime() < event.startsAt.getTime()) return "not_started";
  return now.getTime() < event.endsAt.getTime() ? "running" : "ended";
}

/** The warm pool of an event: its key in SessionPool, and back. */
export const EVENT_POOL_PREFIX = "event:";
export function eventPoolKey(eventId: string): string {
  return `${EVENT_POOL_PREFIX}${eventId}`;
}
export function eventIdOfPool(poolKey: string): string | null {
  return poolKey.startsWith(EVENT_POOL_PREFIX) ? poolKey.slice(EVENT_POOL_PREFIX.length) : null;
}

/**
 * How many pooled sessions an event's pool keeps now: its reserved sessions from `prepareSeconds`
 * before the start until the end, never more than the places its attendees have not taken yet
 * (a joined attendee took one, or holds a cold one); 0 outside that window, so the pool empties.
 */
export function eventPoolTarget(
  event: { startsAt: Date; endsAt: Date; prepareSeconds: number; capacity: number; reservedSessions: number },
  now: Date,
  attendees: number,
): number {
  const from = event.startsAt.getTime() - event.prepareSeconds * 1000;
  if (now.getTime() < from || now.getTime() >= event.endsAt.getTime()) return 0;
  return Math.max(0, Math.min(event.reservedSessions, event.capacity - attendees));
}

/** When an attendee session joined at `now` expires: after the event's session length, never past its end. */
export function attendeeExpiry(now: Date, event: { sessionSeconds: number; endsAt: Date }): Date {
  return new Date(Math.min(now.getTime() + event.sessionSeconds * 1000, event.endsAt.getTime()));
}

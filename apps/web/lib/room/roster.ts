import type { TRoomAttendee, TRoomHelpRequest } from "@kubelab/shared";

export const ROSTER_SORTS = ["name", "step", "idle"] as const;
export type RosterSort = (typeof ROSTER_SORTS)[number];
export const ROSTER_FILTERS = ["all", "stuck", "help", "not_started"] as const;
export type RosterFilter = (typeof ROSTER_FILTERS)[number];

/** "Stuck" by default: idle, or on the same step, for 10 minutes or more. */
export const DEFAULT_STUCK_MINUTES = 10;
export const MIN_STUCK_MINUTES = 1;
export const MAX_STUCK_MINUTES = 240;

/** Whole minutes from an ISO time to `now` (ms), never negative; null without a time. */
export function minutesSince(iso: string | null, now: number): number | null {
  if (iso === null) return null;
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.floor((now - at) / 60_000));
}

/** Minutes since the attendee's last terminal input; null when none is known. */
export function idleMinutes(attendee: TRoomAttendee, now: number): number | null {
  return minutesSince(attendee.lastActivityAt, now);
}

/** Minutes on the current step; null before any lesson progress. */
export function stepMinutes(attendee: TRoomAttendee, now: number): number | null {
  return minutesSince(attendee.stepSince, now);
}

/**
 * Stuck: a ready session whose attendee has been idle (no terminal input), or on the same step, for
 * `minutes` or more. An attendee with neither time known (never typed, no progress yet) is not.
 */
export function isStuck(attendee: TRoomAttendee, now: number, minutes: number): boolean {
  if (attendee.status !== "ready") return false;
  const idle = idleMinutes(attendee, now);
  const onStep = stepMinutes(attendee, now);
  return (idle !== null && idle >= minutes) || (onStep !== null && onStep >= minutes);
}

/** Not started: no terminal input, no step done and still on the first step. */
export function notStarted(attendee: TRoomAttendee): boolean {
  return attendee.lastActivityAt === null && attendee.doneSteps.length === 0 && attendee.currentStep === 0;
}

/** The "stuck minutes" field's value, kept within bounds; the default for anything else. */
export function parseStuckMinutes(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || value.trim() === "") return DEFAULT_STUCK_MINUTES;
  return Math.min(MAX_STUCK_MINUTES, Math.max(MIN_STUCK_MINUTES, n));
}

export function filterRoster(
  attendees: readonly TRoomAttendee[],
  filter: RosterFilter,
  now: number,
  stuckMinutes: number,
): TRoomAttendee[] {
  switch (filter) {
    case "all":
      return [...attendees];
    case "stuck":
      return attendees.filter((a) => isStuck(a, now, stuckMinutes));
    case "help":
      return attendees.filter((a) => a.helpRequestId !== null);
    case "not_started":
      return attendees.filter(notStarted);
  }
}

const byName = (a: TRoomAttendee, b: TRoomAttendee): number =>
  a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId);

/**
 * name: alphabetical; step: the furthest behind first (current step, then steps done), to find
 * who needs a hand; idle: the longest idle first, those with no input known last. Ties by name.
 */
export function sortRoster(attendees: readonly TRoomAttendee[], sort: RosterSort, now: number): TRoomAttendee[] {
  const sorted = [...attendees];
  switch (sort) {
    case "name":
      return sorted.sort(byName);
    case "step":
      return sorted.sort(
        (a, b) => a.currentStep - b.currentStep || a.doneSteps.length - b.doneSteps.length || byName(a, b),
      );
    case "idle":
      return sorted.sort((a, b) => {
        const ia = idleMinutes(a, now);
        const ib = idleMinutes(b, now);
        if (ia === null || ib === null) return (ia === null ? 1 : 0) - (ib === null ? 1 : 0) || byName(a, b);
        // By the exact time: minutes tie too often.
        return Date.parse(a.lastActivityAt!) - Date.parse(b.lastActivityAt!) || byName(a, b);
      });
  }
}

/** Ids of the help requests not seen before (to highlight and beep for); none on the first look. */
export function newHelpIds(seen: ReadonlySet<string> | null, help: readonly TRoomHelpRequest[]): string[] {
  if (seen === null) return [];
  return help.filter((h) => !seen.has(h.id)).map((h) => h.id);
}

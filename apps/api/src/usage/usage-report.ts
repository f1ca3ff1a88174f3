import type { TAdminUsage } from "@kubelab/shared";
import { csvLines } from "../events/event-report";

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;
/** The longest range a report covers (a year and a day, for leap years). */
export const MAX_RANGE_DAYS = 366;
export const DEFAULT_RANGE_DAYS = 30;

/** A session that was live (it became ready for its owner), with what the report needs. */
export interface UsageSession {
  id: string;
  userId: string;
  userName: string;
  userLogin: string | null;
  eventId: string | null;
  eventTitle: string | null;
  lessonId: string | null;
  image: string;
  nodes: number;
  /** When it became live (ready; for a claimed pool session, the claim). */
  liveFrom: Date;
  /** When it ended; null while it runs. */
  endedAt: Date | null;
}

/** Whole UTC days, `from` and `to` included; `end` is the instant after `to`. */
export interface UsageRange {
  from: string;
  to: string;
  start: Date;
  end: Date;
}

function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function parseDay(day: string, field: string): Date {
  const date = new Date(`${day}T00:00:00.000Z`);
  if (Number.isNaN(date.getTime()) || dayOf(date) !== day) throw new RangeError(`${field}: not a date`);
  return date;
}

/**
 * The range asked for: by default the last 30 days up to today (UTC). Throws a RangeError naming
 * the field for an impossible date, `to` before `from`, or more than MAX_RANGE_DAYS days.
 */
export function usageRange(query: { from?: string; to?: string }, now: Date): UsageRange {
  const to = query.to ?? dayOf(now);
  const toDate = parseDay(to, "to");
  const from = query.from ?? dayOf(new Date(toDate.getTime() - (DEFAULT_RANGE_DAYS - 1) * DAY_MS));
  const start = parseDay(from, "from");
  const end = new Date(toDate.getTime() + DAY_MS);
  if (start >= end) throw new RangeError("to: must not be before from");
  if ((end.getTime() - start.getTime()) / DAY_MS > MAX_RANGE_DAYS) {
    throw new RangeError(`to: at most ${MAX_RANGE_DAYS} days after from`);
  }
  return { from, to, start, end };
}

/** Milliseconds the session was live within [start, end), counting a running session up to `now`. */
function liveMsWithin(session: UsageSession, start: Date, end: Date, now: Date): number {
  const until = Math.min((session.endedAt ?? now).getTime(), now.getTime(), end.getTime());
  return Math.max(0, until - Math.max(session.liveFrom.getTime(), start.getTime()));
}

function wasLiveWithin(session: UsageSession, start: Date, end: Date, now: Date): boolean {
  const until = Math.min((session.endedAt ?? now).getTime(), now.getTime());
  // A session ended in the very millisecond it began still counts once, where it began.
  return session.liveFrom < end && (until > start.getTime() || session.liveFrom >= start);
}

/** Node-hours of the session within [start, end), unrounded. */
export function nodeHoursWithin(session: UsageSession, start: Date, end: Date, now: Date): number {
  return (session.nodes * liveMsWithin(session, start, end, now)) / HOUR_MS;
}

/** Two decimals: enough for a report, and sums that read well. */
function round(hours: number): number {
  return Math.round(hours * 100) / 100;
}

interface Tally {
  sessions: number;
  nodeHours: number;
}

function add(tallies: Map<string, Tally>, key: string, hours: number): void {
  const tally = tallies.get(key) ?? { sessions: 0, nodeHours: 0 };
  tally.sessions += 1;
  tally.nodeHours += hours;
  tallies.set(key, tally);
}

function byHoursThenKey<T extends { nodeHours: number }>(entries: T[], key: (entry: T) => string): T[] {
  return entries.sort((a, b) => b.nodeHours - a.nodeHours || key(a).localeCompare(key(b)));
}

/**
 * The usage report: a session counts in a period (the range, a day) when it was live at some point
 * of it, and gives it its nodes × the hours it was live within it (up to `now` while it runs).
 * Days are UTC; `started` counts sessions that became live that day.
 */
export function usageReport(sessions: readonly UsageSession[], range: UsageRange, now: Date): TAdminUsage {
  const inRange = sessions.filter((s) => wasLiveWithin(s, range.start, range.end, now));
  const days: TAdminUsage["days"] = [];
  for (let t = range.start.getTime(); t < range.end.getTime(); t += DAY_MS) {
    const dayStart = new Date(t);
    const dayEnd = new Date(t + DAY_MS);
    const live = inRange.filter((s) => wasLiveWithin(s, dayStart, dayEnd, now));
    days.push({
      day: dayOf(dayStart),
      sessions: live.length,
      started: live.filter((s) => s.liveFrom >= dayStart).length,
      nodeHours: round(live.reduce((sum, s) => sum + nodeHoursWithin(s, dayStart, dayEnd, now), 0)),
    });
  }
  const events = new Map<string, Tally>();
  const users = new Map<string, Tally>();
  const titles = new Map<string, string>();
  const names = new Map<string, { name: string; login: string | null }>();
  let total = 0;
  for (const session of inRange) {
    const hours = nodeHoursWithin(session, range.start, range.end, now);
    total += hours;
    add(users, session.userId, hours);
    names.set(session.userId, { name: session.userName, login: session.userLogin });
    if (session.eventId) {
      add(events, session.eventId, hours);
      titles.set(session.eventId, session.eventTitle ?? "");
    }
  }
  return {
    from: range.from,
    to: range.to,
    totals: { sessions: inRange.length, nodeHours: round(total) },
    days,
    events: byHoursThenKey(
      [...events].map(([eventId, t]) => ({
        eventId,
        title: titles.get(eventId)!,
        sessions: t.sessions,
        nodeHours: round(t.nodeHours),
      })),
      (e) => e.title,
    ),
    users: byHoursThenKey(
      [...users].map(([userId, t]) => ({
        userId,
        ...names.get(userId)!,
        sessions: t.sessions,
        nodeHours: round(t.nodeHours),
      })),
      (u) => u.name,
    ),
  };
}

export const USAGE_CSV_HEADER = [
  "session_id",
  "user",
  "login",
  "event",
  "lesson",
  "image",
  "nodes",
  "live_from",
  "ended_at",
  "node_hours",
] as const;

/**
 * The CSV export: one line per session live in the range, oldest first, with its node-hours within
 * the range (RFC 4180, CRLF line ends, formula-like text defused: event-report.ts).
 */
export function usageCsv(sessions: readonly UsageSession[], range: UsageRange, now: Date): string {
  const lines = sessions
    .filter((s) => wasLiveWithin(s, range.start, range.end, now))
    .sort((a, b) => a.liveFrom.getTime() - b.liveFrom.getTime() || a.id.localeCompare(b.id))
    .map((s) => [
      s.id,
      s.userName,
      s.userLogin ?? "",
      s.eventTitle ?? "",
      s.lessonId ?? "",
      s.image,
      s.nodes,
      s.liveFrom.toISOString(),
      s.endedAt?.toISOString() ?? "",
      round(nodeHoursWithin(s, range.start, range.end, now)),
    ]);
  return csvLines([USAGE_CSV_HEADER, ...lines]);
}

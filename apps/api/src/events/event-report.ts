import type { TEventSummary, TSessionStatus } from "@kubelab/shared";

/** An attendee's latest session in the event with what the report needs. */
export interface ReportAttendee {
  name: string;
  login: string | null;
  status: TSessionStatus;
  createdAt: Date;
  readyAt: Date | null;
  endedAt: Date | null;
  currentStep: number;
  doneSteps: number;
  helpRequests: number;
}

export const EXPORT_HEADER = [
  "name",
  "login",
  "status",
  "steps_done",
  "current_step",
  "time_spent_seconds",
  "help_requests",
] as const;

/** Seconds from the join to the end of the session (or `now` while it runs). */
export function timeSpentSeconds(attendee: ReportAttendee, now: Date): number {
  const end = attendee.endedAt ?? now;
  return Math.max(0, Math.round((end.getTime() - attendee.createdAt.getTime()) / 1000));
}

/** The CSV export: a header, then one line per attendee by name (RFC 4180, CRLF line ends). */
export function exportCsv(attendees: readonly ReportAttendee[], now: Date): string {
  const lines = [...attendees]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((a) => [
      a.name,
      a.login ?? "",
      a.status,
      a.doneSteps,
      a.currentStep,
      timeSpentSeconds(a, now),
      a.helpRequests,
    ]);
  return csvLines([EXPORT_HEADER, ...lines]);
}

/** A CSV document of `lines` (the header first): cells through csvCell, CRLF line ends (RFC 4180). */
export function csvLines(lines: readonly (readonly (string | number)[])[]): string {
  return lines.map((line) => line.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

/**
 * One CSV cell. Text that a spreadsheet would run as a formula (starting with = + - @, or a tab or
 * carriage return that some strip first) gets a leading apostrophe; cells with a comma, quote or line
 * break are quoted, quotes doubled. Numbers are written as they are.
 */
export function csvCell(value: string | number): string {
  if (typeof value === "number") return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The end-of-event figures; `stepCount` is the lesson's number of steps (finished = all done). */
export function eventSummary(eventId: string, attendees: readonly ReportAttendee[], stepCount: number): TEventSummary {
  const started = attendees.filter((a) => a.readyAt !== null);
  return {
    eventId,
    joined: attendees.length,
    started: started.length,
    finished: attendees.filter((a) => stepCount > 0 && a.doneSteps >= stepCount).length,
    medianStepsDone: median(attendees.map((a) => a.doneSteps)),
    medianSecondsToReady: median(
      started.map((a) => Math.max(0, (a.readyAt!.getTime() - a.createdAt.getTime()) / 1000)),
    ),
  };
}

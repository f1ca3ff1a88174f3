/**
 * What the audit log records (audit_log.action). Stable codes: entries are never rewritten, so a
 * code, once used, keeps its meaning.
 */
export const AUDIT_ACTIONS = {
  /** An instructor or admin opened an attendee's terminal read-only. */
  terminalWatch: "terminal.watch",
  /** A watcher was granted typing in an attendee's terminal. */
  terminalTakeover: "terminal.takeover",
  /** An event's instructor or an admin ended one attendee's session from the room (before it ends). */
  sessionEndedByInstructor: "session.ended_by_instructor",
  /** An instructor or admin reset an attendee's session from the room (before it is reset). */
  sessionReset: "session.reset",
  /** Extend all from the room; written after it, with the number of sessions extended. */
  eventSessionsExtended: "event.sessions_extended",
  /** End all from the room; written after it, with the number of sessions ended. */
  eventSessionsEnded: "event.sessions_ended",
  /** An admin ended a session from /admin/sessions (before it ends); detail has before/after. */
  sessionEndedByAdmin: "session.ended_by_admin",
  /** An admin extended a session from /admin/sessions (before the change); detail has before/after. */
  sessionExtendedByAdmin: "session.extended_by_admin",
} as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[keyof typeof AUDIT_ACTIONS];

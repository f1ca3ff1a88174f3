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
  /** An admin changed console settings (admin_settings); detail: before/after of each key given. */
  settingsChanged: "settings.changed",
  /** An admin set or removed a user's own sessions-per-user quota; detail: before/after. */
  userMaxSessionsChanged: "user.max_sessions_changed",
  /** An admin changed a user's role; detail.before/after hold { role }. */
  userRoleChanged: "user.role_changed",
  /** An admin banned a user (before their logins and sessions end); before/after hold { bannedAt }. */
  userBanned: "user.banned",
  /** An admin lifted a user's ban; before/after hold { bannedAt }. */
  userUnbanned: "user.unbanned",
  /** An instructor or admin created an event; after holds its settings. */
  eventCreated: "event.created",
  /** An event's settings changed; before/after hold the fields that changed. */
  eventChanged: "event.changed",
  /** An event was ended early (before its attendees' sessions end); before/after hold its times. */
  eventEnded: "event.ended",
  /** An event was deleted (before its attendees' sessions end); before holds its settings. */
  eventDeleted: "event.deleted",
  /** A session's port was made public (reachable without login); target "port" sessionId/node/port. */
  portMadePublic: "port.made_public",
  /** A public port was made private again. */
  portMadePrivate: "port.made_private",
  /** An admin ended a session from /admin/sessions (before it ends); detail has before/after. */
  sessionEndedByAdmin: "session.ended_by_admin",
  /** An admin extended a session from /admin/sessions (before the change); detail has before/after. */
  sessionExtendedByAdmin: "session.extended_by_admin",
  /** An admin drained a Docker engine (no new sessions); target "engine" and its name. */
  engineDrained: "engine.drained",
  /** An admin lifted an engine's drain. */
  engineUndrained: "engine.undrained",
} as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[keyof typeof AUDIT_ACTIONS];

/**
 * What the audit log records (audit_log.action). Stable codes: entries are never rewritten, so a
 * code, once used, keeps its meaning.
 */
export const AUDIT_ACTIONS = {
  /** An instructor or admin opened an attendee's terminal read-only. */
  terminalWatch: "terminal.watch",
  /** A watcher was granted typing in an attendee's terminal. */
  terminalTakeover: "terminal.takeover",
} as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[keyof typeof AUDIT_ACTIONS];

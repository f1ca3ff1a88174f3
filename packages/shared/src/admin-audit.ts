import { z } from "zod";

/** One audit log entry as admins read it (GET /api/admin/audit). */
export const ZAuditEntry = z.object({
  /** A decimal string (the table's bigint id). */
  id: z.string(),
  createdAt: z.iso.datetime(),
  /** A stable dotted code such as "user.role_changed" (apps/api/src/audit/audit-actions.ts). */
  action: z.string(),
  /** Null when the server itself acted. */
  actor: z
    .object({
      id: z.string(),
      /** Null when the user no longer exists (entries outlive users). */
      name: z.string().nullable(),
      login: z.string().nullable(),
      provider: z.string().nullable(),
    })
    .nullable(),
  targetType: z.string(),
  targetId: z.string(),
  /** The specifics; changes carry `before` and `after`. */
  detail: z.record(z.string(), z.unknown()),
  clientAddress: z.string().nullable(),
});
export type TAuditEntry = z.infer<typeof ZAuditEntry>;

export const ZAuditList = z.object({
  /** Newest first. */
  entries: z.array(ZAuditEntry),
  /** Pass as ?cursor= for the next (older) page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type TAuditList = z.infer<typeof ZAuditList>;

const AUDIT_ID = z.string().regex(/^[1-9][0-9]{0,18}$/, "expected an entry id");

export const ZAuditQuery = z.object({
  /** An exact action code, or a prefix ending in "." ("event." for every event action). */
  action: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_.]{0,63}$/, "expected an action code like user.banned or a prefix like user.")
    .optional(),
  /** The actor's user id, or the actor's name/login (case-insensitive substring). */
  actor: z.string().trim().min(1).max(100).optional(),
  /** "type" or "type:id", e.g. "event" or "user:<id>". */
  target: z.string().trim().min(1).max(200).optional(),
  /** Entries at or after this instant. */
  from: z.iso.datetime({ offset: true }).optional(),
  /** Entries before this instant. */
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: AUDIT_ID.optional(),
});
export type TAuditQuery = z.infer<typeof ZAuditQuery>;

export { AUDIT_ID as ZAuditEntryId };

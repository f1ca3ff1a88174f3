// How an audit entry's detail reads on /admin/audit: before → after per field, then the rest.

export interface AuditChange {
  field: string;
  /** undefined: the field did not exist on that side (created or deleted things). */
  before: string | undefined;
  after: string | undefined;
}

export interface AuditValueLabels {
  none: string;
  yes: string;
  no: string;
  /** How an instant (an ISO 8601 UTC string such as an event's start) reads; as is when absent. */
  instant?: (date: Date) => string;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

type Json = unknown;

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** One value in plain words: lists joined, null as "none", booleans as yes/no, objects as JSON. */
export function formatAuditValue(value: Json, labels: AuditValueLabels): string {
  if (value === null || value === undefined) return labels.none;
  if (typeof value === "boolean") return value ? labels.yes : labels.no;
  if (typeof value === "string" && labels.instant && ISO_INSTANT.test(value)) return labels.instant(new Date(value));
  if (typeof value === "string" || typeof value === "number") return String(value);
  if (Array.isArray(value))
    return value.length === 0 ? labels.none : value.map((v) => formatAuditValue(v, labels)).join(", ");
  return JSON.stringify(value);
}

/**
 * The fields in before/after, each with both sides (a null side, as for a creation or deletion,
 * leaves that side undefined), in the order they first appear.
 */
export function auditChanges(detail: Record<string, Json>, labels: AuditValueLabels): AuditChange[] {
  const before = isRecord(detail.before) ? detail.before : undefined;
  const after = isRecord(detail.after) ? detail.after : undefined;
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  return fields.map((field) => ({
    field,
    before: before && field in before ? formatAuditValue(before[field], labels) : undefined,
    after: after && field in after ? formatAuditValue(after[field], labels) : undefined,
  }));
}

/** The detail's other fields (event, node, count…), as field/value pairs. */
export function auditContext(detail: Record<string, Json>, labels: AuditValueLabels): [string, string][] {
  return Object.entries(detail)
    .filter(([key]) => key !== "before" && key !== "after")
    .map(([key, value]) => [key, formatAuditValue(value, labels)]);
}

import type { TEvent } from "@kubelab/shared";

/** What the audit log keeps of an event: its settings, never its access code (or join path). */
const AUDITED_FIELDS = [
  "title",
  "lessonId",
  "language",
  "startsAt",
  "endsAt",
  "capacity",
  "sessionSeconds",
  "maxExtensions",
  "reservedSessions",
  "prepareSeconds",
  "joinPolicy",
  "allowList",
] as const satisfies readonly (keyof TEvent)[];

export type EventAuditFields = Pick<TEvent, (typeof AUDITED_FIELDS)[number]>;

/** An event's settings as the audit log keeps them, from its API view (times as ISO strings). */
export function eventAuditFields(event: TEvent): EventAuditFields {
  return Object.fromEntries(AUDITED_FIELDS.map((field) => [field, event[field]])) as EventAuditFields;
}

/** The fields whose values differ, as { before, after } holding only those fields. */
export function changedFields(
  before: EventAuditFields,
  after: EventAuditFields,
): { before: Partial<EventAuditFields>; after: Partial<EventAuditFields> } {
  const was: Record<string, unknown> = {};
  const now: Record<string, unknown> = {};
  for (const field of AUDITED_FIELDS) {
    if (JSON.stringify(before[field]) === JSON.stringify(after[field])) continue;
    was[field] = before[field];
    now[field] = after[field];
  }
  return { before: was, after: now };
}

import type { TEvent, TEventCreate, TEventJoinPolicy } from "@kubelab/shared";

/** The event form's fields as the inputs hold them (strings); times in the viewer's zone. */
export interface EventFormValues {
  title: string;
  lessonId: string;
  language: string;
  /** `<input type="datetime-local">` values: YYYY-MM-DDTHH:mm in the browser's time zone. */
  startsAt: string;
  endsAt: string;
  capacity: string;
  /** Blank: the installation's default. */
  sessionMinutes: string;
  maxExtensions: string;
  reservedSessions: string;
  prepareMinutes: string;
  joinPolicy: TEventJoinPolicy;
  /** One login or email per line (commas work too). */
  allowList: string;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** An instant as a datetime-local value in this runtime's time zone (to the minute). */
export function toDatetimeLocal(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value (this runtime's time zone) as an ISO instant; null when not a time. */
export function fromDatetimeLocal(value: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!match) return null;
  const [, y, mo, d, h, mi] = match.map(Number) as [number, number, number, number, number, number];
  const date = new Date(y, mo - 1, d, h, mi);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Logins or emails from a textarea: one per line or comma-separated, blanks dropped. */
export function parseAllowList(text: string): string[] {
  return text
    .split(/[\n,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A new event's form: starts at the next full hour, lasts two hours, 30 attendees. */
export function emptyEventForm(nowMs: number, lessonId = "", language = ""): EventFormValues {
  const start = new Date(nowMs);
  start.setMinutes(0, 0, 0);
  start.setHours(start.getHours() + 1);
  const end = new Date(start.getTime() + 2 * 3600_000);
  return {
    title: "",
    lessonId,
    language,
    startsAt: toDatetimeLocal(start.toISOString()),
    endsAt: toDatetimeLocal(end.toISOString()),
    capacity: "30",
    sessionMinutes: "",
    maxExtensions: "",
    reservedSessions: "",
    prepareMinutes: "10",
    joinPolicy: "guests",
    allowList: "",
  };
}

/** An existing event in the form, every field filled with its current value. */
export function eventToForm(event: TEvent): EventFormValues {
  return {
    title: event.title,
    lessonId: event.lessonId,
    language: event.language,
    startsAt: toDatetimeLocal(event.startsAt),
    endsAt: toDatetimeLocal(event.endsAt),
    capacity: String(event.capacity),
    sessionMinutes: String(Math.round(event.sessionSeconds / 60)),
    maxExtensions: String(event.maxExtensions),
    reservedSessions: String(event.reservedSessions),
    prepareMinutes: String(Math.round(event.prepareSeconds / 60)),
    joinPolicy: event.joinPolicy,
    allowList: event.allowList.join("\n"),
  };
}

/** Which field names the browser can already tell are wrong (empty or not a number). */
export type EventFormField = keyof EventFormValues;

/**
 * The request body for POST /api/events (PATCH takes the same fields), or the fields that are not
 * even well-formed. Blank optional numbers are left out: the server fills in its defaults.
 */
export function formToBody(values: EventFormValues): { body: TEventCreate } | { invalid: EventFormField[] } {
  const invalid: EventFormField[] = [];
  const whole = (field: EventFormField, optional: boolean): number | undefined => {
    const raw = values[field].trim();
    if (raw === "" && optional) return undefined;
    if (!/^\d+$/.test(raw)) {
      invalid.push(field);
      return undefined;
    }
    return Number(raw);
  };
  if (!values.title.trim()) invalid.push("title");
  if (!values.lessonId) invalid.push("lessonId");
  if (!values.language) invalid.push("language");
  const startsAt = fromDatetimeLocal(values.startsAt);
  if (!startsAt) invalid.push("startsAt");
  const endsAt = fromDatetimeLocal(values.endsAt);
  if (!endsAt) invalid.push("endsAt");
  const capacity = whole("capacity", false);
  const sessionMinutes = whole("sessionMinutes", true);
  const maxExtensions = whole("maxExtensions", true);
  const reservedSessions = whole("reservedSessions", true);
  const prepareMinutes = whole("prepareMinutes", true);
  if (invalid.length || !startsAt || !endsAt || capacity === undefined) return { invalid };
  return {
    body: {
      title: values.title.trim(),
      lessonId: values.lessonId,
      language: values.language,
      startsAt,
      endsAt,
      capacity,
      ...(sessionMinutes === undefined ? {} : { sessionSeconds: sessionMinutes * 60 }),
      ...(maxExtensions === undefined ? {} : { maxExtensions }),
      ...(reservedSessions === undefined ? {} : { reservedSessions }),
      prepareSeconds: (prepareMinutes ?? 10) * 60,
      joinPolicy: values.joinPolicy,
      allowList: values.joinPolicy === "allow_list" ? parseAllowList(values.allowList) : [],
    },
  };
}

/**
 * The PATCH body for an edited event: only the fields whose value in the form differs from the
 * event's own (empty when nothing did). Sending the rest back would not be a no-op: the times would
 * lose their seconds (datetime-local shows minutes), and a lowered capacity would be refused
 * against the unchanged reserve instead of taking it down as the API does when it is left out.
 */
export function changedBody(
  values: EventFormValues,
  event: TEvent,
): { body: Partial<TEventCreate> } | { invalid: EventFormField[] } {
  const result = formToBody(values);
  const original = formToBody(eventToForm(event));
  if ("invalid" in result || "invalid" in original) return result;
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(result.body)) {
    if (JSON.stringify(value) !== JSON.stringify(original.body[key as keyof TEventCreate])) body[key] = value;
  }
  return { body };
}

/** The form field an API error detail names (`sessionSeconds` is edited in minutes). */
export function detailField(path: string): EventFormField | null {
  const map: Record<string, EventFormField> = {
    title: "title",
    lessonId: "lessonId",
    language: "language",
    startsAt: "startsAt",
    endsAt: "endsAt",
    capacity: "capacity",
    sessionSeconds: "sessionMinutes",
    maxExtensions: "maxExtensions",
    reservedSessions: "reservedSessions",
    prepareSeconds: "prepareMinutes",
    joinPolicy: "joinPolicy",
    allowList: "allowList",
  };
  return map[path.split(".")[0] ?? ""] ?? null;
}

/** An SVG path drawing the dark modules of a QR code (one 1×1 square each), in module units. */
export function qrModulesPath(size: number, dark: (row: number, col: number) => boolean): string {
  let path = "";
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (dark(row, col)) path += `M${col} ${row}h1v1h-1z`;
    }
  }
  return path;
}

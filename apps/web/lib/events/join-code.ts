import { EVENT_CODE_ALPHABET, EVENT_CODE_LENGTH } from "@kubelab/shared";

/** A typed or spoken code as the server compares it: upper case, without spaces or dashes. */
export function normalizeJoinCode(raw: string): string {
  return raw.replace(/[\s-]+/g, "").toUpperCase();
}

/** True when `raw` could be an event code at all (the server still decides whether it is one). */
export function isPlausibleJoinCode(raw: string): boolean {
  const code = normalizeJoinCode(raw);
  return code.length === EVENT_CODE_LENGTH && [...code].every((c) => EVENT_CODE_ALPHABET.includes(c));
}

/** K7M3-QX9P: two groups of four are easier to read aloud and copy from a projector. */
export function formatJoinCode(raw: string): string {
  const code = normalizeJoinCode(raw);
  return code.length === 8 ? `${code.slice(0, 4)}-${code.slice(4)}` : code;
}

/**
 * An event's time in the viewer's language and time zone, with the zone named ("Thursday,
 * December 3, 2026 at 10:00 AM GMT+1"), so nobody in a remote class reads someone else's local time.
 * `timeZone` is for tests; browsers pass nothing and get their own.
 */
export function formatEventTime(iso: string, locale: string, timeZone?: string): string {
  // dateStyle/timeStyle cannot be combined with timeZoneName, hence the separate fields.
  return new Intl.DateTimeFormat(locale, {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZoneName: "short",
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(iso));
}

/** Seconds from a Retry-After header (seconds or an HTTP date), at least 1; null without a usable one. */
export function parseRetryAfter(header: string | null, nowMs: number): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Math.max(1, Number(trimmed));
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(1, Math.ceil((at - nowMs) / 1000));
}

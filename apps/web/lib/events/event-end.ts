/** Which warning an attendee's lab page shows before its event ends. */
export type EventEndWarning = "ten_minutes" | "one_minute";

const TEN_MINUTES_MS = 10 * 60_000;
const ONE_MINUTE_MS = 60_000;

/**
 * The banner for an event ending at `endsAtMs`, seen at `nowMs` (server clock): from 10 minutes
 * before the end, then from 1 minute before; none before that or once it is over.
 */
export function eventEndWarning(endsAtMs: number, nowMs: number): EventEndWarning | null {
  const left = endsAtMs - nowMs;
  if (left <= 0) return null;
  if (left <= ONE_MINUTE_MS) return "one_minute";
  return left <= TEN_MINUTES_MS ? "ten_minutes" : null;
}

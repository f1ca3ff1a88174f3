/**
 * Pure queue arithmetic for SessionQueue: where a queued session stands and about how long it will
 * wait. Nothing here is stored; the view computes both whenever it is asked.
 */

export interface QueueEntry {
  id: string;
  queuedAt: Date;
}

/**
 * 1-based place of `id` in the queue: first come, first served (queuedAt, then id so two sessions
 * queued in the same millisecond still have a fixed order). Null when it is not in the queue.
 */
export function queuePosition(queue: readonly QueueEntry[], id: string): number | null {
  const ordered = [...queue].sort((a, b) => a.queuedAt.getTime() - b.queuedAt.getTime() || compare(a.id, b.id));
  const index = ordered.findIndex((entry) => entry.id === id);
  return index === -1 ? null : index + 1;
}

export interface QueueEstimateInput {
  /** 1-based place in the queue. */
  position: number;
  /** MAX_SESSIONS. */
  places: number;
  /**
   * For each session holding a place now, when it gives it up: its expiry for a provisioning or
   * ready session; `now` for one already ending or a pooled one (a queued user evicts it).
   */
  freesAt: readonly Date[];
  now: Date;
  /** SESSION_DURATION: how long each session started from the queue holds its place. */
  durationSeconds: number;
}

/**
 * Seconds until the session at `position` can start if every session runs until it expires: the
 * places free up in order of expiry (free places now, first), each session started from the queue
 * holding its place for a whole SESSION_DURATION in turn. Attendees usually end earlier, so it is an
 * upper bound in practice, and it shrinks as the queue moves. 0 when a place is free now.
 */
export function queueEstimateSeconds(input: QueueEstimateInput): number {
  const { position, places, now, durationSeconds } = input;
  if (places <= 0 || position <= 0) return 0;
  const frees = input.freesAt.map((at) => Math.max(at.getTime(), now.getTime())).sort((a, b) => a - b);
  // More sessions than places (MAX_SESSIONS was lowered): the first ones to end free nothing.
  const excess = Math.max(0, frees.length - places);
  const slots = [...frees.slice(excess), ...Array<number>(Math.max(0, places - frees.length)).fill(now.getTime())];
  const startAfterExcess = excess > 0 ? frees[excess - 1]! : now.getTime();
  let free = slots.map((at) => Math.max(at, startAfterExcess)).sort((a, b) => a - b);
  let startsAt = now.getTime();
  for (let i = 0; i < position; i++) {
    startsAt = free[0]!;
    // The session started here holds this place for a whole duration; keep the list sorted.
    free = insertSorted(free.slice(1), startsAt + durationSeconds * 1000);
  }
  return Math.max(0, Math.round((startsAt - now.getTime()) / 1000));
}

function insertSorted(list: number[], value: number): number[] {
  const index = list.findIndex((v) => v > value);
  return index === -1 ? [...list, value] : [...list.slice(0, index), value, ...list.slice(index)];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;

/**
 * Exponential backoff with ±20 % jitter: 0.5 s, 1 s, 2 s, 4 s, 8 s, 8 s, ...
 * The jitter keeps a classroom of browsers from reconnecting in lockstep after
 * a server restart.
 */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.8 + random() * 0.4));
}

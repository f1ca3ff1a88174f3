/**
 * Counts per client address in fixed windows, kept in this process (several server processes each
 * count on their own; see docs/operations.md). The counting behind every per-address rate limit
 * (logins, event codes); memory stays bounded under a flood of distinct addresses.
 */
export class AddressWindows {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(private readonly windowMs: number) {}

  /** Counts one more for `address`; its count in the current window and the seconds left of it. */
  add(address: string, now = Date.now()): { count: number; retryAfterSeconds: number } {
    const window = this.current(address, now) ?? { startedAt: now, count: 0 };
    window.count += 1;
    this.windows.set(address, window);
    return { count: window.count, retryAfterSeconds: this.secondsLeft(window, now) };
  }

  /** The count of `address` in the current window (0 when none), without counting. */
  peek(address: string, now = Date.now()): { count: number; retryAfterSeconds: number } {
    const window = this.current(address, now);
    return window
      ? { count: window.count, retryAfterSeconds: this.secondsLeft(window, now) }
      : { count: 0, retryAfterSeconds: 0 };
  }

  private current(address: string, now: number): { startedAt: number; count: number } | undefined {
    if (this.windows.size > 10_000) this.sweep(now);
    const window = this.windows.get(address);
    return window && now - window.startedAt < this.windowMs ? window : undefined;
  }

  private secondsLeft(window: { startedAt: number }, now: number): number {
    return (window.startedAt + this.windowMs - now) / 1000;
  }

  private sweep(now: number): void {
    for (const [address, window] of this.windows) {
      if (now - window.startedAt >= this.windowMs) this.windows.delete(address);
    }
  }
}

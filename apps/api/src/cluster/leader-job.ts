import type { Logger } from "@nestjs/common";

/** What a LeaderJob needs to know of the leadership (Leadership, or a stand-in in tests). */
export interface LeaderState {
  readonly isLeader: boolean;
}

/**
 * A periodic job that only the leader runs (the reaper's sweep, the engine-loss pass, audit
 * pruning): a tick on a follower does nothing, a tick while the previous run is still going is
 * skipped rather than stacked, a failed run is logged and the next tick tries again, and stop()
 * waits for a run in progress. One home for what those services each wrote out before; the
 * engine-loss pass had no catch, so a database error in it was an unhandled rejection that ended
 * the process.
 */
export class LeaderJob<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<T | undefined> | undefined;

  constructor(
    private readonly leadership: LeaderState,
    private readonly logger: Logger,
    private readonly what: string,
    private readonly job: () => Promise<T>,
  ) {}

  /** Ticks every `intervalMs` from now on; the timer does not keep the process alive. */
  every(intervalMs: number): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      if (this.leadership.isLeader) void this.run();
    }, intervalMs);
    this.timer.unref();
  }

  /** One run now, or the one already going; undefined when it failed (the error is logged). */
  run(): Promise<T | undefined> {
    this.running ??= this.job()
      .catch((error: unknown) => {
        this.logger.error(`${this.what} failed`, (error as Error).stack);
        return undefined;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** No more ticks; resolves when a run in progress has finished. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

/**
 * Runs a background pass one at a time: a call while a pass runs makes one more pass after it (so
 * a change that came in meanwhile is not missed) and shares its promise, however many callers
 * asked. Never rejects: a failing pass goes to `onError`. Used by the warm pool's refill and the
 * waiting queue's promotion.
 */
export class CoalescedPasses {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
    /** Checked before each pass: true once the owner stops (no new pass then). */
    private readonly stopped: () => boolean,
  ) {}

  run(): Promise<void> {
    if (this.stopped()) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.pass().catch(this.onError);
      } while (this.again && !this.stopped());
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Resolves once the pass in progress (if any) is over. */
  async idle(): Promise<void> {
    await this.running;
  }
}

/**
 * When a step's automatic checks (check.auto) run after one of its run blocks: a few quiet tries
 * spread over about half a minute (a pod takes a while to become Ready), ms after the block ran.
 */
export const AUTO_CHECK_DELAYS_MS = [3_000, 8_000, 15_000, 30_000];

/**
 * Runs automatic checks after run blocks. Each trigger replaces the previous schedule (the latest
 * command is what the checks should see); tries run one after another, never overlapping, and
 * stop once every check passed. `run` gets the checks still pending and answers those that did not
 * pass (a refusal, e.g. another check running, counts as not passed).
 */
export class AutoCheckScheduler {
  private generation = 0;

  constructor(
    private readonly run: (checkIds: string[]) => Promise<string[]>,
    private readonly wait: (ms: number) => Promise<void>,
    private readonly delaysMs: readonly number[] = AUTO_CHECK_DELAYS_MS,
  ) {}

  trigger(checkIds: readonly string[]): void {
    const generation = ++this.generation;
    if (checkIds.length === 0) return;
    void this.schedule(generation, [...checkIds]);
  }

  cancel(): void {
    this.generation += 1;
  }

  private async schedule(generation: number, pending: string[]): Promise<void> {
    let elapsed = 0;
    for (const delay of this.delaysMs) {
      await this.wait(Math.max(0, delay - elapsed));
      elapsed = delay;
      if (generation !== this.generation) return;
      try {
        pending = await this.run(pending);
      } catch {
        // A quiet try: the next one may work.
      }
      if (pending.length === 0 || generation !== this.generation) return;
    }
  }
}

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CoalescedPasses } from "./coalesced-passes";

/** A pass that waits until released, counting how many started. */
function gatedPasses(stopped: () => boolean = () => false) {
  const started: number[] = [];
  const releases: (() => void)[] = [];
  const errors: unknown[] = [];
  const passes = new CoalescedPasses(
    () => {
      started.push(started.length + 1);
      return new Promise<void>((resolve) => releases.push(resolve));
    },
    (error) => errors.push(error),
    stopped,
  );
  const release = async (): Promise<void> => {
    releases.shift()?.();
    // Let the loop notice and start the next pass, if any.
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { passes, started, release, errors };
}

describe("coalesced passes (the room stream's rebuilds, the pool's refill, the queue's promotion)", () => {
  it("runs one pass at a time and one more after it however many asked meanwhile", async () => {
    const { passes, started, release } = gatedPasses();
    const first = passes.run();
    assert.equal(started.length, 1);
    // Ten signals while the first rebuild runs: one more rebuild, right after it, not ten.
    const during = Array.from({ length: 10 }, () => passes.run());
    assert.equal(started.length, 1, "never two in flight");
    for (const p of during) assert.equal(p, first, "callers share the promise");
    await release();
    assert.equal(started.length, 2, "the change that came in meanwhile is not missed");
    await release();
    await first;
    assert.equal(started.length, 2, "nothing more without a new signal");
    await passes.idle();
  });

  it("starts at once when idle, again for a signal after the last pass", async () => {
    const { passes, started, release } = gatedPasses();
    const one = passes.run();
    await release();
    await one;
    const two = passes.run();
    assert.equal(started.length, 2, "a signal when idle starts a pass at once (no waiting for a tick)");
    await release();
    await two;
    assert.equal(started.length, 2);
  });

  it("stops once its owner stops, and hands a failing pass to onError without rejecting", async () => {
    let stopped = false;
    const { passes, started, release } = gatedPasses(() => stopped);
    const run = passes.run();
    void passes.run();
    stopped = true;
    await release();
    await run;
    assert.equal(started.length, 1, "no pass after the stream closed");
    await passes.run();
    assert.equal(started.length, 1);

    const errors: unknown[] = [];
    const failing = new CoalescedPasses(
      () => Promise.reject(new Error("database down")),
      (error) => errors.push(error),
      () => false,
    );
    await failing.run();
    assert.equal((errors[0] as Error).message, "database down");
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AutoCheckScheduler } from "./auto-check";

/** A wait that resolves when the test says so, recording what was asked. */
function manualClock() {
  const waits: { ms: number; resolve: () => void }[] = [];
  return {
    waits,
    wait: (ms: number) => new Promise<void>((resolve) => waits.push({ ms, resolve })),
    async tick(): Promise<void> {
      waits.shift()?.resolve();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
  };
}

describe("automatic checks", () => {
  it("try at the scheduled delays until every check passed", async () => {
    const clock = manualClock();
    const runs: string[][] = [];
    const failing = [["a", "b"], ["b"], []];
    const scheduler = new AutoCheckScheduler(
      (ids) => (runs.push(ids), Promise.resolve(failing.shift() ?? [])),
      clock.wait,
      [1000, 3000, 6000, 10000],
    );
    scheduler.trigger(["a", "b"]);
    assert.deepEqual(
      clock.waits.map((w) => w.ms),
      [1000],
    );
    await clock.tick();
    await clock.tick();
    await clock.tick();
    assert.deepEqual(runs, [["a", "b"], ["a", "b"], ["b"]]);
    assert.equal(clock.waits.length, 0, "no more tries once all passed");
  });

  it("give up after the last delay, and a new run block restarts the schedule", async () => {
    const clock = manualClock();
    let runs = 0;
    const scheduler = new AutoCheckScheduler(() => (runs++, Promise.resolve(["a"])), clock.wait, [1000, 2000]);
    scheduler.trigger(["a"]);
    await clock.tick();
    scheduler.trigger(["a"]); // a second run block: the first schedule stops
    assert.deepEqual(
      clock.waits.map((w) => w.ms),
      [1000, 1000],
    );
    await clock.tick(); // the old schedule's second wait: cancelled, no run
    assert.equal(runs, 1);
    await clock.tick();
    await clock.tick();
    assert.equal(runs, 3);
    assert.equal(clock.waits.length, 0);
  });

  it("keep trying after a failed request, and do nothing without checks or once cancelled", async () => {
    const clock = manualClock();
    let runs = 0;
    const scheduler = new AutoCheckScheduler(
      () => (runs++ === 0 ? Promise.reject(new Error("429")) : Promise.resolve([])),
      clock.wait,
      [1, 2, 3],
    );
    scheduler.trigger([]);
    assert.equal(clock.waits.length, 0);
    scheduler.trigger(["a"]);
    await clock.tick();
    await clock.tick();
    assert.equal(runs, 2);
    scheduler.trigger(["a"]);
    scheduler.cancel();
    await clock.tick();
    assert.equal(runs, 2);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Logger } from "@nestjs/common";
import { LeaderJob } from "./leader-job";

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A logger that keeps its error lines. */
function recordingLogger(): { logger: Logger; errors: string[] } {
  const errors: string[] = [];
  return { logger: { error: (message: string) => errors.push(message) } as unknown as Logger, errors };
}

describe("LeaderJob", () => {
  it("runs on the leader's ticks only", async () => {
    const state = { isLeader: false };
    let runs = 0;
    const job = new LeaderJob(state, recordingLogger().logger, "job", () => Promise.resolve(void runs++));
    job.every(5);
    await wait(30);
    assert.equal(runs, 0, "a follower's ticks do nothing");
    state.isLeader = true;
    await wait(30);
    await job.stop();
    assert.ok(runs >= 2, `ran ${runs} times`);
    const after = runs;
    await wait(20);
    assert.equal(runs, after, "no ticks after stop()");
  });

  it("skips ticks while a run is going, and stop() waits for that run", async () => {
    let started = 0;
    let finished = 0;
    const job = new LeaderJob({ isLeader: true }, recordingLogger().logger, "job", async () => {
      started++;
      await wait(40);
      finished++;
    });
    job.every(5);
    await wait(25);
    await job.stop();
    assert.equal(started, 1, "overlapping ticks are skipped, not stacked");
    assert.equal(finished, 1, "stop() waited for the run in progress");
  });

  it("shares one run between callers and returns its result", async () => {
    let runs = 0;
    const job = new LeaderJob({ isLeader: true }, recordingLogger().logger, "job", async () => {
      runs++;
      await wait(10);
      return 42;
    });
    assert.deepEqual(await Promise.all([job.run(), job.run()]), [42, 42]);
    assert.equal(runs, 1);
  });

  it("logs a failed run instead of rejecting, and the next tick tries again", async () => {
    const { logger, errors } = recordingLogger();
    let runs = 0;
    const job = new LeaderJob({ isLeader: true }, logger, "Engine-loss pass", () => {
      runs++;
      return Promise.reject(new Error("database hiccup"));
    });
    assert.equal(await job.run(), undefined);
    job.every(5);
    await wait(30);
    await job.stop();
    assert.ok(runs >= 2, `tried ${runs} times`);
    assert.equal(errors[0], "Engine-loss pass failed");
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { execExitCode, watchExecExit } from "./docker-exec";

describe("exit code of an exec", () => {
  it("is the process's code once it ended, 0 included", () => {
    assert.equal(execExitCode({ Running: false, ExitCode: 0 }), 0);
    assert.equal(execExitCode({ Running: false, ExitCode: 130 }), 130);
  });

  it("is unknown while the process runs, whatever ExitCode says", () => {
    assert.equal(execExitCode({ Running: true, ExitCode: null }), null);
    assert.equal(execExitCode({ Running: true, ExitCode: 0 }), null);
  });

  it("is unknown when Docker gives none", () => {
    assert.equal(execExitCode({ Running: false, ExitCode: null }), null);
    assert.equal(execExitCode({}), null);
  });
});

describe("watching for an exec's end", () => {
  /** Docker's answers in turn: true while running, false once ended, an Error for a failed call. */
  function engine(answers: (boolean | Error)[]) {
    const calls = { inspect: 0, exits: 0, lastInspectAt: 0, exitAt: 0 };
    const inspect = () => {
      calls.lastInspectAt = performance.now();
      const answer = answers[Math.min(calls.inspect++, answers.length - 1)]!;
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve({ Running: answer });
    };
    const onExit = () => {
      calls.exits++;
      calls.exitAt = performance.now();
    };
    return { calls, inspect, onExit };
  }

  async function until(condition: () => boolean): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!condition() && Date.now() < deadline) await sleep(2);
  }

  it("reports the end once Docker says the process stopped, after the settle time, once", async () => {
    const docker = engine([true, true, false]);
    watchExecExit(docker.inspect, docker.onExit, 5, 40);
    await until(() => docker.calls.exits > 0);
    assert.equal(docker.calls.exits, 1);
    assert.equal(docker.calls.inspect, 3, "asked until the process stopped, then no more");
    assert.ok(docker.calls.exitAt - docker.calls.lastInspectAt >= 38, "left time for the last output");
    await sleep(50);
    assert.equal(docker.calls.exits, 1, "once");
    assert.equal(docker.calls.inspect, 3);
  });

  it("asks again after a failed inspect", async () => {
    const docker = engine([new Error("engine busy"), false]);
    watchExecExit(docker.inspect, docker.onExit, 5, 1);
    await until(() => docker.calls.exits > 0);
    assert.equal(docker.calls.exits, 1);
    assert.equal(docker.calls.inspect, 2);
  });

  it("does nothing more once stopped (the stream ended first)", async () => {
    const running = engine([true]);
    const stopRunning = watchExecExit(running.inspect, running.onExit, 5, 1);
    await until(() => running.calls.inspect >= 2);
    stopRunning();
    const asked = running.calls.inspect;
    await sleep(30);
    assert.equal(running.calls.inspect, asked);

    const ended = engine([false]);
    const stopEnded = watchExecExit(ended.inspect, ended.onExit, 5, 1_000);
    await until(() => ended.calls.inspect >= 1);
    stopEnded();
    await sleep(30);
    assert.equal(ended.calls.exits, 0, "stopped during the settle time");
  });
});

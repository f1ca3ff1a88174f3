import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import type { DockerEngine } from "./docker-engine.adapter";
import { NODE_READY_MARKER } from "./node-ready-marker";
import { NodeNotReady, waitForNodeReady } from "./node-readiness";

/** The two engine calls readiness makes, answered as a test says, counting the execs. */
function fakeEngine(answers: { running: boolean; execExit?: number }): DockerEngine & { execs: number } {
  const engine = {
    execs: 0,
    isRunning: () => Promise.resolve(answers.running),
    exec: () => {
      engine.execs++;
      return Promise.resolve({ exitCode: answers.execExit ?? 0, output: "" });
    },
  };
  return engine as unknown as DockerEngine & { execs: number };
}

const never = new AbortController().signal;
const soon = (ms: number): number => Date.now() + ms;

describe("waiting for a node that announces readiness", () => {
  it("is ready on the marker line, without a single exec", async () => {
    const engine = fakeEngine({ running: true });
    const output = new PassThrough();
    const waiting = waitForNodeReady(engine, { containerId: "c", name: "node1", output }, soon(5_000), never);
    output.write("[kubelab-node] starting dockerd\n");
    setTimeout(() => output.write(`${NODE_READY_MARKER} dockerd 42\n`), 20);
    assert.equal(await waiting, "marker");
    assert.equal(engine.execs, 0);
    assert.equal(output.destroyed, true, "the attach is let go");
  });

  it("fails at once as stopped, with the last lines, when the output ends and the node is gone", async () => {
    const output = new PassThrough();
    const waiting = waitForNodeReady(
      fakeEngine({ running: false }),
      { containerId: "c", name: "node2", output },
      soon(60_000),
      never,
    );
    output.end("mount failed\nexiting\n");
    await assert.rejects(waiting, (error: unknown) => {
      assert.ok(error instanceof NodeNotReady);
      assert.equal(error.kind, "stopped");
      assert.equal(error.message, "node2 stopped while starting: mount failed | exiting");
      return true;
    });
  });

  it("polls with exec when the output ends but the node still runs (a broken attach)", async () => {
    const engine = fakeEngine({ running: true });
    const output = new PassThrough();
    const waiting = waitForNodeReady(engine, { containerId: "c", name: "node1", output }, soon(5_000), never);
    output.end();
    assert.equal(await waiting, "exec");
    assert.equal(engine.execs, 1);
  });

  it("times out at the deadline with the node's last output when no marker comes", async () => {
    const engine = fakeEngine({ running: true, execExit: 1 });
    const output = new PassThrough();
    const waiting = waitForNodeReady(engine, { containerId: "c", name: "node1", output }, soon(100), never);
    output.write("dockerd exited (1), restarting in 1s\n");
    await assert.rejects(waiting, (error: unknown) => {
      assert.ok(error instanceof NodeNotReady);
      assert.equal(error.kind, "timeout");
      assert.match(error.message, /did not start in time \(last output: dockerd exited \(1\), restarting in 1s\)/);
      return true;
    });
  });

  it("stops with the signal's reason when a sibling node failed", async () => {
    const output = new PassThrough();
    const abort = new AbortController();
    const waiting = waitForNodeReady(
      fakeEngine({ running: true }),
      { containerId: "c", name: "node1", output },
      soon(5_000),
      abort.signal,
    );
    abort.abort(new Error("node2 failed"));
    await assert.rejects(waiting, /node2 failed/);
    assert.equal(output.destroyed, true);
  });

  it("polls with exec from the start for images without the marker", async () => {
    const engine = fakeEngine({ running: true });
    assert.equal(await waitForNodeReady(engine, { containerId: "c", name: "node1" }, soon(5_000), never), "exec");
    assert.equal(engine.execs, 1);
  });
});

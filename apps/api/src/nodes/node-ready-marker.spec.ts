import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NODE_READY_MARKER, ReadyMarkerScanner, announcesReady } from "./node-ready-marker";

describe("ready marker in a node's output", () => {
  it("is seen on a line of its own or followed by details", () => {
    assert.equal(new ReadyMarkerScanner().push(`${NODE_READY_MARKER}\n`), true);
    assert.equal(new ReadyMarkerScanner().push(`log\n${NODE_READY_MARKER} dockerd 42\r\nmore`), true);
  });

  it("is seen when chunks split it anywhere, a UTF-8 character included", () => {
    const text = Buffer.from(`[kubelab-node] storage driver: überlay\n${NODE_READY_MARKER} dockerd 7\n`);
    for (let at = 1; at < text.length; at++) {
      const scanner = new ReadyMarkerScanner();
      assert.equal(scanner.push(text.subarray(0, at)), false, `split at ${at}`);
      assert.equal(scanner.push(text.subarray(at)), true, `split at ${at}`);
    }
  });

  it("needs the end of the line, so a half-written marker does not count", () => {
    const scanner = new ReadyMarkerScanner();
    assert.equal(scanner.push(NODE_READY_MARKER), false);
    assert.equal(scanner.push("\n"), true);
    assert.equal(scanner.seen, true);
    assert.equal(scanner.push("anything\n"), true, "stays seen");
  });

  it("is not seen inside a line or as a longer word", () => {
    const scanner = new ReadyMarkerScanner();
    assert.equal(scanner.push(`echo ${NODE_READY_MARKER}\n${NODE_READY_MARKER}s\n`), false);
  });

  it("ignores an endless line without holding all of it", () => {
    const scanner = new ReadyMarkerScanner();
    for (let i = 0; i < 100; i++) assert.equal(scanner.push("x".repeat(10_000)), false);
    assert.ok(scanner.tail().length <= 300);
    assert.equal(scanner.push(`\n${NODE_READY_MARKER}\n`), true);
  });

  it("keeps the last lines, to say what a stopped node printed", () => {
    const scanner = new ReadyMarkerScanner();
    scanner.push("one\ntwo\n\nthree\nfour\nunfinished");
    assert.equal(scanner.tail(), "three | four | unfinished");
    assert.equal(new ReadyMarkerScanner().tail(), "");
  });
});

describe("images that announce readiness", () => {
  it("carry the marker label with the version Kubelab knows", () => {
    assert.equal(announcesReady({ "kubelab.ready-marker": "1" }), true);
    assert.equal(announcesReady({ "kubelab.ready-marker": "2" }), false);
    assert.equal(announcesReady({ "kubelab.image": "node-offline" }), false);
    assert.equal(announcesReady(undefined), false);
  });
});

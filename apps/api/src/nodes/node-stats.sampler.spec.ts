import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { atPidsLimit, cpuPercentBetween } from "./node-stats.sampler";

const reading = (cpuNanos: number, at: number) => ({
  cpuNanos,
  memoryBytes: 0,
  memoryLimitBytes: 0,
  pids: null,
  pidsLimit: null,
  at,
});

describe("cpuPercentBetween", () => {
  it("is the share of one CPU between two readings", () => {
    // 0.5 s of CPU in 1 s of wall time: 50 %; 3 s in 1.5 s: two CPUs busy.
    assert.equal(cpuPercentBetween(reading(1e9, 1000), reading(1.5e9, 2000)), 50);
    assert.equal(cpuPercentBetween(reading(0, 0), reading(3e9, 1500)), 200);
  });

  it("is null without a usable previous reading (first sample, restarted container, same instant)", () => {
    assert.equal(cpuPercentBetween(undefined, reading(1e9, 1000)), null);
    assert.equal(cpuPercentBetween(reading(5e9, 1000), reading(1e9, 2000)), null);
    assert.equal(cpuPercentBetween(reading(1e9, 1000), reading(2e9, 1000)), null);
  });
});

describe("atPidsLimit", () => {
  it("is true from 98 % of the limit (a fork loop holds the count at the limit)", () => {
    assert.equal(atPidsLimit(4096, 4096), true);
    assert.equal(atPidsLimit(4014, 4096), true);
    assert.equal(atPidsLimit(4013, 4096), false);
    assert.equal(atPidsLimit(300, 300), true);
    assert.equal(atPidsLimit(250, 300), false);
  });

  it("is false when the count or the limit is unknown (no limit: nothing to reach)", () => {
    assert.equal(atPidsLimit(null, 4096), false);
    assert.equal(atPidsLimit(5000, null), false);
    assert.equal(atPidsLimit(10, 0), false);
  });
});

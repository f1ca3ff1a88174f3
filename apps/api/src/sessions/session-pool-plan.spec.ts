import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planPools, type PoolState } from "./session-pool-plan";

const NOW = new Date("2026-12-02T10:00:00Z");
const HOUR = 3600;
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);
const limits = { now: NOW, maxAgeSeconds: 4 * HOUR, concurrency: 1, freeSlots: 100 };

function pool(key: string, target: number, pooledAges: number[] = [], building = 0): PoolState {
  return { key, target, pooled: pooledAges.map((age, i) => ({ id: `${key}-${i}`, pooledAt: ago(age) })), building };
}

describe("pool refill plan", () => {
  it("builds what is missing, at most POOL_CONCURRENCY at once (builds in progress included)", () => {
    assert.deepEqual(planPools([pool("a", 5)], limits), [{ key: "a", start: 1, replace: [], shrink: [] }]);
    assert.deepEqual(planPools([pool("a", 5)], { ...limits, concurrency: 3 })[0]!.start, 3);
    assert.deepEqual(planPools([pool("a", 5, [], 2)], { ...limits, concurrency: 3 })[0]!.start, 1);
    assert.deepEqual(planPools([pool("a", 5, [], 3)], { ...limits, concurrency: 3 })[0]!.start, 0);
    assert.deepEqual(planPools([pool("a", 2, [10, 20])], { ...limits, concurrency: 3 })[0]!.start, 0);
  });

  it("never takes more than the places free under MAX_SESSIONS", () => {
    assert.equal(planPools([pool("a", 5)], { ...limits, concurrency: 5, freeSlots: 2 })[0]!.start, 2);
    assert.equal(planPools([pool("a", 5)], { ...limits, concurrency: 5, freeSlots: 0 })[0]!.start, 0);
    assert.equal(planPools([pool("a", 5)], { ...limits, concurrency: 5, freeSlots: -3 })[0]!.start, 0);
  });

  it("replaces pooled sessions older than POOL_MAX_AGE, oldest first, and builds their successors", () => {
    const [plan] = planPools([pool("a", 2, [5 * HOUR, 10, 4 * HOUR])], { ...limits, concurrency: 2 });
    assert.deepEqual(plan!.replace, ["a-0", "a-2"]);
    assert.deepEqual(plan!.shrink, []);
    assert.equal(plan!.start, 1);
  });

  it("shrinks a pool whose size dropped, oldest first; size 0 empties it", () => {
    assert.deepEqual(planPools([pool("a", 1, [10, 30, 20])], limits)[0]!.shrink, ["a-1", "a-2"]);
    const off = planPools([pool("a", 0, [10, 30], 1)], limits)[0]!;
    assert.deepEqual([off.shrink.sort(), off.start], [["a-0", "a-1"], 0]);
  });

  it("counts builds in progress as members: a pool full with them shrinks its pooled ones", () => {
    assert.deepEqual(planPools([pool("a", 2, [10], 2)], limits)[0]!.shrink, ["a-0"]);
  });

  it("shares the builds between pools in turn", () => {
    const plans = planPools([pool("a", 5), pool("b", 5), pool("c", 0)], { ...limits, concurrency: 3 });
    assert.deepEqual(
      plans.map((p) => [p.key, p.start]),
      [
        ["a", 2],
        ["b", 1],
        ["c", 0],
      ],
    );
  });
});

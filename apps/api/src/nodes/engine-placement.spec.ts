import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pickEngine, type EngineLoad } from "./engine-placement";

const GIB = 1024 ** 3;
const load = (name: string, over: Partial<EngineLoad> = {}): EngineLoad => ({
  name,
  sessions: 0,
  memoryBytes: 0,
  maxSessions: null,
  maxMemoryBytes: null,
  hostMemoryBytes: null,
  ...over,
});

describe("engine placement", () => {
  it("takes the engine with the larger free share, so sessions spread over equal engines in turn", () => {
    const a = load("a", { sessions: 2, maxSessions: 3 });
    const b = load("b", { sessions: 1, maxSessions: 3 });
    assert.equal(pickEngine([a, b], GIB), "b");
    assert.equal(pickEngine([a, { ...b, sessions: 2 }], GIB), "a", "a tie goes to the first listed");
  });

  it("weighs memory as well as sessions: the scarcer of the two decides", () => {
    const big = load("big", { sessions: 10, maxSessions: 100, memoryBytes: 60 * GIB, maxMemoryBytes: 64 * GIB });
    const small = load("small", { sessions: 5, maxSessions: 10, memoryBytes: 4 * GIB, maxMemoryBytes: 16 * GIB });
    assert.equal(pickEngine([big, small], 2 * GIB), "small");
  });

  it("skips engines that are full or would be over their memory, and gives none when all are", () => {
    const full = load("full", { sessions: 3, maxSessions: 3 });
    const tight = load("tight", { memoryBytes: 15 * GIB, maxMemoryBytes: 16 * GIB });
    assert.equal(pickEngine([full, tight], 2 * GIB), undefined);
    assert.equal(pickEngine([full, tight, load("free")], 2 * GIB), "free");
    assert.equal(pickEngine([], GIB), undefined);
  });

  it("weighs engines without memory= by the memory they report, but never refuses on it", () => {
    const small = load("small", { sessions: 2, memoryBytes: 8 * GIB, hostMemoryBytes: 16 * GIB });
    const big = load("big", { sessions: 4, memoryBytes: 16 * GIB, hostMemoryBytes: 64 * GIB });
    assert.equal(pickEngine([small, big], 2 * GIB), "big");
    // Limits over the host's memory (idle nodes use little of theirs) still place.
    const overcommitted = load("over", { sessions: 60, memoryBytes: 60 * GIB, hostMemoryBytes: 24 * GIB });
    assert.equal(pickEngine([overcommitted], GIB), "over");
  });

  it("prefers fewer sessions among engines without known limits", () => {
    assert.equal(pickEngine([load("a", { sessions: 4 }), load("b", { sessions: 1 })], GIB), "b");
  });
});

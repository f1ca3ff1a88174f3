import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { queueEstimateSeconds, queuePosition } from "./session-queue-estimate";

const now = new Date("2026-12-02T12:00:00.000Z");
const inSeconds = (s: number) => new Date(now.getTime() + s * 1000);

describe("queuePosition", () => {
  it("is 1-based and first come, first served", () => {
    const queue = [
      { id: "c", queuedAt: inSeconds(20) },
      { id: "a", queuedAt: inSeconds(0) },
      { id: "b", queuedAt: inSeconds(10) },
    ];
    assert.equal(queuePosition(queue, "a"), 1);
    assert.equal(queuePosition(queue, "b"), 2);
    assert.equal(queuePosition(queue, "c"), 3);
  });

  it("orders sessions queued in the same millisecond by id, and is null for a session not queued", () => {
    const queue = [
      { id: "y", queuedAt: now },
      { id: "x", queuedAt: now },
    ];
    assert.equal(queuePosition(queue, "x"), 1);
    assert.equal(queuePosition(queue, "y"), 2);
    assert.equal(queuePosition(queue, "z"), null);
  });

  it("moves everyone behind up when someone leaves", () => {
    const queue = [
      { id: "a", queuedAt: inSeconds(0) },
      { id: "b", queuedAt: inSeconds(1) },
      { id: "c", queuedAt: inSeconds(2) },
    ];
    assert.equal(queuePosition(queue.slice(1), "c"), 2);
  });
});

describe("queueEstimateSeconds", () => {
  const base = { places: 2, now, durationSeconds: 3600 };

  it("is the time until the position-th place frees, in order of expiry", () => {
    const freesAt = [inSeconds(300), inSeconds(120)];
    assert.equal(queueEstimateSeconds({ ...base, freesAt, position: 1 }), 120);
    assert.equal(queueEstimateSeconds({ ...base, freesAt, position: 2 }), 300);
  });

  it("counts a whole duration for each session started from the queue once the queue wraps", () => {
    const freesAt = [inSeconds(300), inSeconds(120)];
    // The third in line waits for the first one started from the queue (at 120 s) to expire.
    assert.equal(queueEstimateSeconds({ ...base, freesAt, position: 3 }), 120 + 3600);
    assert.equal(queueEstimateSeconds({ ...base, freesAt, position: 4 }), 300 + 3600);
  });

  it("is 0 for a free place, an ending session's place or one already past its expiry", () => {
    assert.equal(queueEstimateSeconds({ ...base, freesAt: [inSeconds(600)], position: 1 }), 0);
    assert.equal(queueEstimateSeconds({ ...base, freesAt: [now, inSeconds(600)], position: 1 }), 0);
    assert.equal(queueEstimateSeconds({ ...base, freesAt: [inSeconds(-30), inSeconds(600)], position: 1 }), 0);
  });

  it("lets the extra sessions end first when more run than MAX_SESSIONS allows", () => {
    const freesAt = [inSeconds(100), inSeconds(200), inSeconds(400)];
    // 3 sessions on 2 places: the first end (100 s) frees nothing, the second (200 s) frees one.
    assert.equal(queueEstimateSeconds({ ...base, freesAt, position: 1 }), 200);
    assert.equal(queueEstimateSeconds({ ...base, freesAt, position: 2 }), 400);
  });

  it("gives the issue's example: number 3 with places freeing at 30 s, 60 s, 120 s is about 2 minutes", () => {
    const freesAt = [inSeconds(60), inSeconds(30), inSeconds(120)];
    assert.equal(queueEstimateSeconds({ ...base, places: 3, freesAt, position: 3 }), 120);
  });
});

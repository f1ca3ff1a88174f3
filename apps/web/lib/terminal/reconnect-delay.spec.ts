import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { reconnectDelay } from "./reconnect-delay";

describe("reconnectDelay", () => {
  it("doubles from half a second and stops growing at 8 s", () => {
    const middle = () => 0.5;
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 10, 50].map((attempt) => reconnectDelay(attempt, middle)),
      [500, 1000, 2000, 4000, 8000, 8000, 8000, 8000],
    );
    // A huge attempt count must not overflow into Infinity or NaN.
    assert.equal(reconnectDelay(10_000, middle), 8000);
    assert.equal(reconnectDelay(-3, middle), 500);
  });

  it("spreads each delay by ±20 % so a room of browsers does not reconnect in lockstep", () => {
    assert.equal(
      reconnectDelay(2, () => 0),
      1600,
    );
    assert.equal(
      reconnectDelay(2, () => 0.999999),
      2400,
    );
    assert.equal(
      reconnectDelay(9, () => 0.999999),
      9600,
    );
    for (let i = 0; i < 200; i++) {
      const delay = reconnectDelay(3);
      assert.ok(delay >= 3200 && delay <= 4800, String(delay));
    }
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { leaderLockKey } from "./leadership.service";

describe("the leader lock's key", () => {
  it("is a signed 32-bit number, the same for the same INSTANCE_ID in every process", () => {
    for (const id of ["default", "t0123456789", "ü-installation", ""]) {
      const key = leaderLockKey(id);
      assert.equal(key, leaderLockKey(id));
      assert.ok(Number.isInteger(key) && key >= -(2 ** 31) && key < 2 ** 31, `${id}: ${key}`);
    }
  });

  it("differs between installations sharing a database", () => {
    const keys = new Set(["default", "room-a", "room-b", "t1", "t2"].map(leaderLockKey));
    assert.equal(keys.size, 5);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AddressWindows } from "./address-windows";

describe("per-address windows", () => {
  it("count per address within a window and start again after it", () => {
    const windows = new AddressWindows(60_000);
    assert.deepEqual(windows.peek("a", 0), { count: 0, retryAfterSeconds: 0 });
    assert.equal(windows.add("a", 0).count, 1);
    assert.deepEqual(windows.add("a", 15_000), { count: 2, retryAfterSeconds: 45 });
    assert.equal(windows.add("b", 15_000).count, 1);
    assert.deepEqual(windows.peek("a", 30_000), { count: 2, retryAfterSeconds: 30 });
    assert.equal(windows.peek("a", 60_000).count, 0);
    assert.equal(windows.add("a", 60_000).count, 1);
  });
});

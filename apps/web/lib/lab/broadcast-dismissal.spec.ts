import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dismissBroadcast, isBroadcastDismissed } from "./broadcast-dismissal";

function memoryStorage(): Pick<Storage, "getItem" | "setItem"> {
  const items = new Map<string, string>();
  return { getItem: (key) => items.get(key) ?? null, setItem: (key, value) => void items.set(key, value) };
}

describe("dismissed broadcasts", () => {
  it("stay dismissed, newest kept, a bounded list", () => {
    const storage = memoryStorage();
    assert.equal(isBroadcastDismissed(storage, "b1"), false);
    dismissBroadcast(storage, "b1");
    dismissBroadcast(storage, "b1");
    assert.equal(isBroadcastDismissed(storage, "b1"), true);
    assert.equal(isBroadcastDismissed(storage, "b2"), false, "a newer one shows");
    for (let i = 0; i < 30; i++) dismissBroadcast(storage, `x${i}`);
    assert.equal(isBroadcastDismissed(storage, "x29"), true);
    assert.equal(isBroadcastDismissed(storage, "b1"), false, "the oldest are forgotten");
  });

  it("survive garbage in the store", () => {
    const storage = memoryStorage();
    storage.setItem("kubelab.dismissedBroadcasts", "{not json");
    assert.equal(isBroadcastDismissed(storage, "b1"), false);
    dismissBroadcast(storage, "b1");
    assert.equal(isBroadcastDismissed(storage, "b1"), true);
  });
});

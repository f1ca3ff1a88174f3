import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { rememberLeftQueue, takeRejoinable } from "./queue-rejoin";

function memoryStorage(): Pick<Storage, "getItem" | "setItem" | "removeItem"> {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

describe("queue rejoin after a reload", () => {
  const id = "0123456789abcdef0123456789abcdef";

  it("gives back the place left moments ago for the same lesson, once", () => {
    const storage = memoryStorage();
    rememberLeftQueue(storage, { sessionId: id, lesson: "k8s", at: 1_000 });
    assert.equal(takeRejoinable(storage, "k8s", 5_000), id);
    assert.equal(takeRejoinable(storage, "k8s", 5_000), undefined, "taken once");
  });

  it("gives nothing for another lesson, after QUEUE_REJOIN_SECONDS, or from garbage", () => {
    const storage = memoryStorage();
    rememberLeftQueue(storage, { sessionId: id, lesson: "k8s", at: 1_000 });
    assert.equal(takeRejoinable(storage, "other", 2_000), undefined);
    rememberLeftQueue(storage, { sessionId: id, lesson: "k8s", at: 1_000 });
    assert.equal(takeRejoinable(storage, "k8s", 1_000 + 31_000), undefined);
    storage.setItem("kubelab.leftQueue", "{not json");
    assert.equal(takeRejoinable(storage, "k8s", 2_000), undefined);
  });
});

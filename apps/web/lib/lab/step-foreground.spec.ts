import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { claimStepForeground } from "./step-foreground";

function memoryStorage(): Pick<Storage, "getItem" | "setItem"> {
  const items = new Map<string, string>();
  return { getItem: (key) => items.get(key) ?? null, setItem: (key, value) => void items.set(key, value) };
}

describe("step foreground commands", () => {
  it("are typed once per step and session", () => {
    const store = memoryStorage();
    assert.equal(claimStepForeground(store, "s1", 0), true);
    assert.equal(claimStepForeground(store, "s1", 0), false);
    assert.equal(claimStepForeground(store, "s1", 2), true);
    assert.equal(claimStepForeground(store, "s2", 0), true, "a new session types them again");
  });

  it("survive broken storage", () => {
    const store = {
      getItem: () => "{oops",
      setItem: () => {
        throw new Error("full");
      },
    };
    assert.equal(claimStepForeground(store, "s1", 0), true);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SessionWatchersStore } from "./session-watchers";

describe("session watchers store", () => {
  it("keeps the latest list per session and tells subscribers only about changes", () => {
    const store = new SessionWatchersStore();
    let calls = 0;
    const unsubscribe = store.subscribe(() => (calls += 1));
    assert.deepEqual(store.get("s1"), []);
    const empty = store.get("s1");
    store.publish("s1", []);
    assert.equal(calls, 0, "nothing changed");
    store.publish("s1", [{ name: "Teacher", typing: false }]);
    const first = store.get("s1");
    store.publish("s1", [{ name: "Teacher", typing: false }]);
    assert.equal(store.get("s1"), first, "the same list: the same array");
    store.publish("s1", [{ name: "Teacher", typing: true }]);
    assert.deepEqual(store.get("s1"), [{ name: "Teacher", typing: true }]);
    assert.deepEqual(store.get("s2"), [], "per session");
    store.publish("s1", []);
    assert.equal(store.get("s1"), empty);
    assert.equal(calls, 3);
    unsubscribe();
    store.publish("s1", [{ name: "Admin", typing: false }]);
    assert.equal(calls, 3);
  });
});

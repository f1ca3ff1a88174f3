import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { underGrant, watchersMessage } from "./watcher-state";

describe("watcher state", () => {
  it("stops typing when the permission goes, and never starts it by itself", () => {
    assert.deepEqual(underGrant({ typing: true, mayTakeOver: "help" }, "no"), {
      typing: false,
      mayTakeOver: "no",
      changed: true,
      stoppedTyping: true,
    });
    assert.deepEqual(underGrant({ typing: false, mayTakeOver: "no" }, "allowed"), {
      typing: false,
      mayTakeOver: "allowed",
      changed: true,
      stoppedTyping: false,
    });
    // Help resolved while take-over is allowed: the reason changes, typing goes on.
    assert.deepEqual(underGrant({ typing: true, mayTakeOver: "help" }, "allowed"), {
      typing: true,
      mayTakeOver: "allowed",
      changed: true,
      stoppedTyping: false,
    });
  });

  it("says nothing changed when nothing did", () => {
    assert.equal(underGrant({ typing: true, mayTakeOver: "allowed" }, "allowed").changed, false);
    assert.equal(underGrant({ typing: false, mayTakeOver: "no" }, "no").changed, false);
  });

  it("lists each watching user once, by name, typing if typing anywhere", () => {
    assert.deepEqual(
      watchersMessage([
        { userId: "t", name: "Teacher", typing: false },
        { userId: "a", name: "Admin", typing: false },
        { userId: "t", name: "Teacher", typing: true },
      ]),
      {
        type: "watchers",
        watchers: [
          { name: "Admin", typing: false },
          { name: "Teacher", typing: true },
        ],
      },
    );
    assert.deepEqual(watchersMessage([]), { type: "watchers", watchers: [] });
  });
});

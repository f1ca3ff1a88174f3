import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { broadcastStep, helpActionPath, roomActionRequest, watchPath } from "./room-actions";

describe("room actions", () => {
  it("call the bulk and per-session routes, asking first before ending or resetting", () => {
    assert.deepEqual(roomActionRequest("ev1", { kind: "extend_all" }), {
      method: "POST",
      path: "/api/events/ev1/sessions/extend",
      answer: "bulk",
      confirm: false,
    });
    assert.deepEqual(roomActionRequest("ev1", { kind: "end_all" }), {
      method: "POST",
      path: "/api/events/ev1/sessions/end",
      answer: "bulk",
      confirm: true,
    });
    assert.deepEqual(roomActionRequest("ev1", { kind: "end", sessionId: "s1" }), {
      method: "DELETE",
      path: "/api/events/ev1/sessions/s1",
      answer: "none",
      confirm: true,
    });
    assert.deepEqual(roomActionRequest("ev1", { kind: "reset", sessionId: "s/1" }), {
      method: "POST",
      path: "/api/events/ev1/sessions/s%2F1/reset",
      answer: "session",
      confirm: true,
    });
  });

  it("link the watch page, with the help request from the queue", () => {
    assert.equal(watchPath("ev1", "s1"), "/events/ev1/watch/s1");
    assert.equal(watchPath("ev1", "s1", "h 1"), "/events/ev1/watch/s1?help=h%201");
    assert.equal(helpActionPath("ev1", "h1", "claim"), "/api/events/ev1/help/h1/claim");
    assert.equal(helpActionPath("ev1", "h1", "resolve"), "/api/events/ev1/help/h1/resolve");
  });

  it("read the broadcast's optional step as shown (from 1) into the API's (from 0)", () => {
    assert.equal(broadcastStep("", 5), null);
    assert.equal(broadcastStep(" 3 ", 5), 2);
    assert.equal(broadcastStep("1", 5), 0);
    assert.equal(broadcastStep("6", 5), "invalid");
    assert.equal(broadcastStep("0", 5), "invalid");
    assert.equal(broadcastStep("2.5", 5), "invalid");
    assert.equal(broadcastStep("9", 0), 8, "no known steps: any");
  });
});

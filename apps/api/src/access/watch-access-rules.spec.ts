import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppError } from "../common/app-error";
import { takeoverGrant, watchableSession } from "./watch-access-rules";

const EVENT = { id: "e1" };

const notFound = (error: unknown) => error instanceof AppError && error.code === "not_found";

describe("watch access rules", () => {
  it("let an event's attendee sessions be watched", () => {
    const session = { id: "s1", eventId: "e1", ownerId: "ana" };
    assert.equal(watchableSession(EVENT, session), session);
  });

  it("hide sessions of other events, pooled ones and missing ones alike", () => {
    for (const session of [
      { eventId: "e2", ownerId: "ana" },
      { eventId: null, ownerId: "ana" },
      { eventId: "e1", ownerId: null },
      null,
    ]) {
      assert.throws(() => watchableSession(EVENT, session), notFound, JSON.stringify(session));
    }
  });

  it("grant take-over while the attendee allows it or asks for help, allowed first", () => {
    assert.equal(takeoverGrant({ takeoverAllowed: false, openHelpRequest: false }), "no");
    assert.equal(takeoverGrant({ takeoverAllowed: false, openHelpRequest: true }), "help");
    assert.equal(takeoverGrant({ takeoverAllowed: true, openHelpRequest: false }), "allowed");
    assert.equal(takeoverGrant({ takeoverAllowed: true, openHelpRequest: true }), "allowed");
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eventEndWarning } from "./event-end";

describe("eventEndWarning", () => {
  const end = Date.parse("2026-12-03T11:00:00Z");
  it("warns from 10 minutes, then from 1 minute before the end", () => {
    assert.equal(eventEndWarning(end, end - 10 * 60_000 - 1), null);
    assert.equal(eventEndWarning(end, end - 10 * 60_000), "ten_minutes");
    assert.equal(eventEndWarning(end, end - 61_000), "ten_minutes");
    assert.equal(eventEndWarning(end, end - 60_000), "one_minute");
    assert.equal(eventEndWarning(end, end - 1), "one_minute");
  });

  it("says nothing once the event is over (the session has ended)", () => {
    assert.equal(eventEndWarning(end, end), null);
    assert.equal(eventEndWarning(end, end + 5_000), null);
  });
});

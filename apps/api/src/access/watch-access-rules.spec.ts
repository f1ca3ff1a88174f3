import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { takeoverGrant } from "./watch-access-rules";

describe("watch access rules", () => {
  it("grant take-over while the attendee allows it or asks for help, allowed first", () => {
    assert.equal(takeoverGrant({ takeoverAllowed: false, openHelpRequest: false }), "no");
    assert.equal(takeoverGrant({ takeoverAllowed: false, openHelpRequest: true }), "help");
    assert.equal(takeoverGrant({ takeoverAllowed: true, openHelpRequest: false }), "allowed");
    assert.equal(takeoverGrant({ takeoverAllowed: true, openHelpRequest: true }), "allowed");
  });
});

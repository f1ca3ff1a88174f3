import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TRoomAttendee, TRoomHelpRequest } from "@kubelab/shared";
import {
  filterRoster,
  idleMinutes,
  isStuck,
  minutesSince,
  newHelpIds,
  notStarted,
  parseStuckMinutes,
  sortRoster,
  stepMinutes,
} from "./roster";

const NOW = Date.parse("2026-03-01T10:30:00Z");
const ago = (minutes: number, seconds = 0) => new Date(NOW - minutes * 60_000 - seconds * 1000).toISOString();

function attendee(name: string, patch: Partial<TRoomAttendee> = {}): TRoomAttendee {
  return {
    userId: `u-${name}`,
    name,
    sessionId: `s-${name}`,
    status: "ready",
    expiresAt: new Date(NOW + 3600_000).toISOString(),
    currentStep: 0,
    doneSteps: [],
    verifiedSteps: [],
    lastActivityAt: null,
    helpRequestId: null,
    stepSince: null,
    ...patch,
  };
}

const ana = attendee("Ana", { lastActivityAt: ago(12), currentStep: 2, doneSteps: [0, 1], stepSince: ago(3) });
const bea = attendee("Bea", { lastActivityAt: ago(1), currentStep: 1, doneSteps: [0], stepSince: ago(25) });
const cai = attendee("Cai");
const dan = attendee("Dan", { lastActivityAt: ago(2), currentStep: 1, doneSteps: [0, 1], helpRequestId: "h1" });
const eva = attendee("Eva", { status: "ended", lastActivityAt: ago(40), stepSince: ago(40) });
const all = [eva, dan, cai, bea, ana];

describe("room roster", () => {
  it("counts whole minutes since a time, never negative, null without one", () => {
    assert.equal(minutesSince(null, NOW), null);
    assert.equal(minutesSince("not a date", NOW), null);
    assert.equal(minutesSince(ago(9, 59), NOW), 9);
    assert.equal(minutesSince(ago(10), NOW), 10);
    assert.equal(minutesSince(new Date(NOW + 5000).toISOString(), NOW), 0, "a clock a bit ahead");
    assert.equal(idleMinutes(ana, NOW), 12);
    assert.equal(stepMinutes(bea, NOW), 25);
    assert.equal(stepMinutes(cai, NOW), null);
  });

  it("calls stuck whoever is idle or on the same step for N minutes or more, ready sessions only", () => {
    assert.equal(isStuck(ana, NOW, 10), true, "idle 12 minutes");
    assert.equal(isStuck(bea, NOW, 10), true, "on the same step 25 minutes while typing");
    assert.equal(isStuck(bea, NOW, 30), false);
    assert.equal(isStuck(ana, NOW, 12), true, "at exactly N");
    assert.equal(isStuck(ana, NOW, 13), false);
    assert.equal(isStuck(cai, NOW, 1), false, "nothing known: not stuck");
    assert.equal(isStuck(eva, NOW, 10), false, "an ended session");
    assert.deepEqual(
      filterRoster(all, "stuck", NOW, 10).map((a) => a.name),
      ["Bea", "Ana"],
    );
    assert.deepEqual(
      filterRoster(all, "stuck", NOW, 20).map((a) => a.name),
      ["Bea"],
    );
  });

  it("filters by open help and not started, and keeps everyone for all", () => {
    assert.deepEqual(
      filterRoster(all, "help", NOW, 10).map((a) => a.name),
      ["Dan"],
    );
    assert.equal(notStarted(cai), true);
    assert.equal(notStarted(attendee("Fay", { currentStep: 1 })), false);
    assert.deepEqual(
      filterRoster(all, "not_started", NOW, 10).map((a) => a.name),
      ["Cai"],
    );
    assert.equal(filterRoster(all, "all", NOW, 10).length, all.length);
  });

  it("sorts by name, by step (furthest behind first) and by idle time (longest first, unknown last)", () => {
    assert.deepEqual(
      sortRoster(all, "name", NOW).map((a) => a.name),
      ["Ana", "Bea", "Cai", "Dan", "Eva"],
    );
    assert.deepEqual(
      sortRoster(all, "step", NOW).map((a) => a.name),
      ["Cai", "Eva", "Bea", "Dan", "Ana"],
    );
    assert.deepEqual(
      sortRoster(all, "idle", NOW).map((a) => a.name),
      ["Eva", "Ana", "Dan", "Bea", "Cai"],
    );
    assert.deepEqual(
      all.map((a) => a.name),
      ["Eva", "Dan", "Cai", "Bea", "Ana"],
      "the input is left alone",
    );
  });

  it("reads the stuck minutes field within bounds", () => {
    assert.equal(parseStuckMinutes("5"), 5);
    assert.equal(parseStuckMinutes(""), 10);
    assert.equal(parseStuckMinutes("2.5"), 10);
    assert.equal(parseStuckMinutes("0"), 1);
    assert.equal(parseStuckMinutes("9999"), 240);
  });

  it("finds new help requests, but none on the first look", () => {
    const help = (id: string): TRoomHelpRequest => ({
      id,
      userId: "u",
      name: "n",
      sessionId: "s",
      message: null,
      step: null,
      createdAt: ago(1),
      claimedAt: null,
      claimedBy: null,
    });
    assert.deepEqual(newHelpIds(null, [help("a")]), []);
    assert.deepEqual(newHelpIds(new Set(["a"]), [help("a"), help("b")]), ["b"]);
    assert.deepEqual(newHelpIds(new Set(["a", "b"]), [help("b")]), []);
  });
});

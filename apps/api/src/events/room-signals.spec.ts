import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TEventRoom } from "@kubelab/shared";
import { SessionEvents } from "../sessions/session-events";
import { concernsRoom, RoomSignals, type RoomSignal } from "./room-signals";

const room: TEventRoom = {
  eventId: "ev1",
  lessonId: "lesson-a",
  attendees: [
    {
      userId: "u1",
      name: "Ana",
      sessionId: "s1",
      status: "ready",
      expiresAt: "2026-01-01T10:00:00.000Z",
      currentStep: 0,
      doneSteps: [],
      verifiedSteps: [],
      lastActivityAt: null,
      helpRequestId: null,
      stepSince: null,
    },
  ],
  steps: [],
  help: [
    {
      id: "h1",
      userId: "u2",
      name: "Bea",
      sessionId: "s-old",
      message: null,
      step: null,
      createdAt: "2026-01-01T09:00:00.000Z",
      claimedAt: null,
      claimedBy: null,
    },
  ],
};

describe("room signals", () => {
  it("concern a room only when they are about its event or its attendees' sessions", () => {
    const cases: [RoomSignal, boolean][] = [
      [{ kind: "event", eventId: "ev1" }, true],
      [{ kind: "event", eventId: "ev2" }, false],
      [{ kind: "session", sessionId: "s1" }, true],
      [{ kind: "session", sessionId: "s-old" }, true],
      [{ kind: "session", sessionId: "s9" }, false],
    ];
    for (const [signal, expected] of cases)
      assert.equal(concernsRoom(room, "ev1", signal), expected, JSON.stringify(signal));
    // Before the first room is sent, anything of its kind may concern it (but not another event).
    assert.equal(concernsRoom(undefined, "ev1", { kind: "session", sessionId: "s9" }), true);
    assert.equal(concernsRoom(undefined, "ev1", { kind: "event", eventId: "ev2" }), false);
  });

  it("reach every subscriber until it unsubscribes, session stops included", () => {
    const sessionEvents = new SessionEvents();
    const signals = new RoomSignals(sessionEvents);
    const seen: RoomSignal[][] = [[], []];
    const stops = seen.map((list) => signals.subscribe((s) => list.push(s)));
    signals.changed("ev1");
    sessionEvents.emitStopped({ sessionId: "s1", outcome: "ended", code: "deleted", reason: "Deleted" });
    stops[0]!();
    signals.sessionChanged("s2");
    assert.deepEqual(seen[0], [
      { kind: "event", eventId: "ev1" },
      { kind: "session", sessionId: "s1" },
    ]);
    assert.equal(seen[1]!.length, 3);
    assert.deepEqual(seen[1]!.at(-1), { kind: "session", sessionId: "s2" });
  });
});

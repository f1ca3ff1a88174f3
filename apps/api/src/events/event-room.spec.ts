import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildRoom, type RoomInput, type RoomSession } from "./event-room";

function session(overrides: Partial<RoomSession> & { id: string; ownerId: string }): RoomSession {
  return {
    ownerName: overrides.ownerId,
    status: "ready",
    createdAt: new Date("2026-12-02T10:00:00Z"),
    expiresAt: new Date("2026-12-02T12:00:00Z"),
    ...overrides,
  };
}

function input(overrides: Partial<RoomInput> = {}): RoomInput {
  return {
    eventId: "e1",
    lessonId: "k8s",
    stepCount: 3,
    sessions: [],
    progress: new Map(),
    help: [],
    lastInput: () => undefined,
    ...overrides,
  };
}

describe("buildRoom", () => {
  it("lists one line per attendee, by name, with their progress, step start and last input to the second", () => {
    const room = buildRoom(
      input({
        sessions: [
          session({ id: "s-bea", ownerId: "u2", ownerName: "Bea" }),
          session({ id: "s-ana", ownerId: "u1", ownerName: "Ana", status: "provisioning" }),
        ],
        progress: new Map([
          [
            "u2",
            { currentStep: 1, doneSteps: [0, 1], verifiedSteps: [0], stepSince: new Date("2026-12-02T10:01:00.000Z") },
          ],
        ]),
        lastInput: (id) => (id === "s-bea" ? Date.parse("2026-12-02T10:05:07.890Z") : undefined),
      }),
    );
    assert.deepEqual(room, {
      eventId: "e1",
      lessonId: "k8s",
      attendees: [
        {
          userId: "u1",
          name: "Ana",
          sessionId: "s-ana",
          status: "provisioning",
          expiresAt: "2026-12-02T12:00:00.000Z",
          currentStep: 0,
          doneSteps: [],
          verifiedSteps: [],
          lastActivityAt: null,
          helpRequestId: null,
          stepSince: null,
        },
        {
          userId: "u2",
          name: "Bea",
          sessionId: "s-bea",
          status: "ready",
          expiresAt: "2026-12-02T12:00:00.000Z",
          currentStep: 1,
          doneSteps: [0, 1],
          verifiedSteps: [0],
          lastActivityAt: "2026-12-02T10:05:07.000Z",
          helpRequestId: null,
          stepSince: "2026-12-02T10:01:00.000Z",
        },
      ],
      steps: [
        { step: 0, current: 1, done: 1, verified: 1 },
        { step: 1, current: 1, done: 1, verified: 0 },
        { step: 2, current: 0, done: 0, verified: 0 },
      ],
      help: [],
    });
  });

  it("takes an attendee's latest session in the event", () => {
    const room = buildRoom(
      input({
        sessions: [
          session({ id: "new", ownerId: "u1", createdAt: new Date("2026-12-02T11:00:00Z") }),
          session({ id: "old", ownerId: "u1", status: "ended" }),
        ],
      }),
    );
    assert.deepEqual(
      room.attendees.map((a) => [a.sessionId, a.status]),
      [["new", "ready"]],
    );
    assert.equal(room.steps[0]!.current, 1, "counted once");
  });

  it("ignores progress outside the lesson and repeated done steps", () => {
    const room = buildRoom(
      input({
        sessions: [session({ id: "s", ownerId: "u1" })],
        progress: new Map([["u1", { currentStep: 7, doneSteps: [2, 0, 2, 9, -1] }]]),
      }),
    );
    assert.equal(room.attendees[0]!.currentStep, 2, "past the end: the last step");
    assert.deepEqual(room.attendees[0]!.doneSteps, [0, 2]);
    assert.deepEqual(
      room.steps.map((s) => [s.current, s.done]),
      [
        [0, 1],
        [0, 0],
        [1, 1],
      ],
    );
  });

  it("queues help requests oldest first and points each attendee to theirs", () => {
    const request = (id: string, sessionId: string, createdAt: string) => ({
      id,
      userId: sessionId,
      name: sessionId,
      sessionId,
      message: null,
      step: null,
      createdAt,
      claimedAt: null,
      claimedBy: null,
    });
    const room = buildRoom(
      input({
        sessions: [session({ id: "s1", ownerId: "u1" }), session({ id: "s2", ownerId: "u2" })],
        help: [request("h2", "s2", "2026-12-02T10:07:00.000Z"), request("h1", "s1", "2026-12-02T10:06:00.000Z")],
      }),
    );
    assert.deepEqual(
      room.help.map((h) => h.id),
      ["h1", "h2"],
    );
    assert.deepEqual(
      room.attendees.map((a) => a.helpRequestId),
      ["h1", "h2"],
    );
  });

  it("gives the same result for the same state, so a stream can send only changes", () => {
    const same = input({ sessions: [session({ id: "s", ownerId: "u1" })], lastInput: () => 1_000_400 });
    assert.deepEqual(buildRoom(same), buildRoom({ ...same, lastInput: () => 1_000_900 }));
  });
});

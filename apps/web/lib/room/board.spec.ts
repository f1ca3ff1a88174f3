import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TRoomAttendee } from "@kubelab/shared";
import { boardRows, stepLabel } from "./board";

function attendee(name: string, currentStep: number, doneSteps: number[], verifiedSteps: number[] = []): TRoomAttendee {
  return {
    userId: `u-${name}`,
    name,
    sessionId: `s-${name}`,
    status: "ready",
    expiresAt: "2026-03-01T11:00:00Z",
    currentStep,
    doneSteps,
    verifiedSteps,
    lastActivityAt: null,
    helpRequestId: null,
    stepSince: null,
  };
}

describe("progress board", () => {
  it("has one row per attendee and one cell per step: done, current (done or not), to do", () => {
    const rows = boardRows([attendee("Ana", 2, [0, 1]), attendee("Bea", 1, [0, 1, 7]), attendee("Cai", 0, [])], 4);
    assert.deepEqual(
      rows.map((r) => [r.name, r.cells, r.done]),
      [
        ["Ana", ["done", "done", "current", "todo"], 2],
        ["Bea", ["done", "current-done", "todo", "todo"], 2],
        ["Cai", ["current", "todo", "todo", "todo"], 0],
      ],
    );
    assert.equal(rows[0]!.sessionId, "s-Ana");
  });

  it("tells verified steps from steps only marked done, current or not", () => {
    const rows = boardRows([attendee("Ana", 1, [0, 1, 2], [1, 2]), attendee("Bea", 0, [0], [0])], 4);
    assert.deepEqual(
      rows.map((r) => r.cells),
      [
        ["done", "current-verified", "verified", "todo"],
        ["current-verified", "todo", "todo", "todo"],
      ],
    );
    assert.equal(rows[0]!.done, 3);
  });

  it("is empty without steps (the lesson left the catalog), and numbers steps from 1", () => {
    assert.deepEqual(boardRows([attendee("Ana", 0, [0])], 0)[0]!.cells, []);
    assert.equal(stepLabel(0), "1");
  });
});

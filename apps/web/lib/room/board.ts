import type { TRoomAttendee } from "@kubelab/shared";

/**
 * One cell of the progress board: verified (its checks and quizzes passed on the server), only
 * marked done by the attendee, the attendee's current step (verified, done or not), or none of these.
 */
export type BoardCell = "verified" | "done" | "current" | "current-verified" | "current-done" | "todo";

/** The cell states in the order the board's legend lists them. */
export const BOARD_CELLS: readonly BoardCell[] = [
  "verified",
  "done",
  "current",
  "current-verified",
  "current-done",
  "todo",
];

export interface BoardRow {
  userId: string;
  name: string;
  sessionId: string;
  cells: BoardCell[];
  done: number;
}

/** The attendees × steps grid, in the attendees' order; steps outside the lesson are ignored. */
export function boardRows(attendees: readonly TRoomAttendee[], stepCount: number): BoardRow[] {
  return attendees.map((a) => {
    const done = new Set(a.doneSteps.filter((s) => s >= 0 && s < stepCount));
    const verified = new Set(a.verifiedSteps);
    const cells = Array.from({ length: stepCount }, (_, step): BoardCell => {
      const state = verified.has(step) ? "verified" : done.has(step) ? "done" : null;
      if (step === a.currentStep) return state ? `current-${state}` : "current";
      return state ?? "todo";
    });
    return { userId: a.userId, name: a.name, sessionId: a.sessionId, cells, done: done.size };
  });
}

/** A step's label on the board: 1-based, as the lab page numbers them. */
export function stepLabel(step: number): string {
  return String(step + 1);
}

import type { TRoomAttendee } from "@kubelab/shared";

/** One cell of the progress board: done, the attendee's current step (done or not), or neither. */
export type BoardCell = "done" | "current" | "current-done" | "todo";

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
    const cells = Array.from({ length: stepCount }, (_, step): BoardCell => {
      if (step === a.currentStep) return done.has(step) ? "current-done" : "current";
      return done.has(step) ? "done" : "todo";
    });
    return { userId: a.userId, name: a.name, sessionId: a.sessionId, cells, done: done.size };
  });
}

/** A step's label on the board: 1-based, as the lab page numbers them. */
export function stepLabel(step: number): string {
  return String(step + 1);
}

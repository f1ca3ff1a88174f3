import type { TEventRoom, TRoomAttendee, TRoomHelpRequest, TSessionStatus } from "@kubelab/shared";

/** An attendee session of the event as read from the database (owner joined). */
export interface RoomSession {
  id: string;
  ownerId: string;
  ownerName: string;
  status: TSessionStatus;
  createdAt: Date;
  expiresAt: Date;
}

export interface RoomProgress {
  currentStep: number;
  doneSteps: readonly number[];
  /** Steps verified on the server (checks and quizzes passed); absent: none. */
  verifiedSteps?: readonly number[];
  /** When currentStep last changed; null or absent when unknown. */
  stepSince?: Date | null;
}

export interface RoomInput {
  eventId: string;
  lessonId: string;
  /** The lesson's number of steps. */
  stepCount: number;
  sessions: readonly RoomSession[];
  /** Lesson progress of the event's lesson by user id. */
  progress: ReadonlyMap<string, RoomProgress>;
  /** The event's open help requests, in any order. */
  help: readonly TRoomHelpRequest[];
  /** Last terminal input of a session (epoch ms), if any. */
  lastInput: (sessionId: string) => number | undefined;
}

/**
 * The instructor's room from its parts: one line per attendee (their latest session in the event),
 * by name, the progress board (per step: attendees on it and attendees who did it) and the help
 * queue (oldest first). Pure, so a
 * stream can rebuild it every second and send it only when the result differs.
 */
export function buildRoom(input: RoomInput): TEventRoom {
  const help = [...input.help].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  const attendees: TRoomAttendee[] = latestPerOwner(input.sessions).map((session) => {
    const progress = input.progress.get(session.ownerId);
    const last = input.lastInput(session.id);
    return {
      userId: session.ownerId,
      name: session.ownerName,
      sessionId: session.id,
      status: session.status,
      expiresAt: session.expiresAt.toISOString(),
      currentStep: clampStep(progress?.currentStep ?? 0, input.stepCount),
      doneSteps: validDoneSteps(progress?.doneSteps ?? [], input.stepCount),
      verifiedSteps: validDoneSteps(progress?.verifiedSteps ?? [], input.stepCount),
      // To the second: typing makes at most one change per second.
      lastActivityAt: last === undefined ? null : new Date(Math.floor(last / 1000) * 1000).toISOString(),
      helpRequestId: help.find((h) => h.sessionId === session.id)?.id ?? null,
      stepSince: progress?.stepSince?.toISOString() ?? null,
    };
  });
  attendees.sort((a, b) => a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId));
  const steps = Array.from({ length: input.stepCount }, (_, step) => ({ step, current: 0, done: 0, verified: 0 }));
  for (const attendee of attendees) {
    const current = steps[attendee.currentStep];
    if (current) current.current++;
    for (const done of attendee.doneSteps) steps[done]!.done++;
    for (const verified of attendee.verifiedSteps) steps[verified]!.verified++;
  }
  return { eventId: input.eventId, lessonId: input.lessonId, attendees, steps, help };
}

/** Each attendee's latest session (by createdAt) among `sessions`. */
export function latestPerOwner<S extends { ownerId: string; createdAt: Date }>(sessions: readonly S[]): S[] {
  const latest = new Map<string, S>();
  for (const session of sessions) {
    const known = latest.get(session.ownerId);
    if (!known || session.createdAt > known.createdAt) latest.set(session.ownerId, session);
  }
  return [...latest.values()];
}

/** Done (or verified) steps that exist in a lesson of `count` steps, once each, in order. */
export function validDoneSteps(doneSteps: readonly number[], count: number): number[] {
  return [...new Set(doneSteps)].filter((s) => inRange(s, count)).sort((a, b) => a - b);
}

function inRange(step: number, count: number): boolean {
  return Number.isInteger(step) && step >= 0 && step < count;
}

// Progress written for a longer version of the lesson may point past its end: the last step.
export function clampStep(step: number, count: number): number {
  return Math.max(0, Math.min(step, count - 1));
}

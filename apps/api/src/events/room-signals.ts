import { EventEmitter } from "node:events";
import { Injectable } from "@nestjs/common";
import type { TEventRoom } from "@kubelab/shared";
import { SessionEvents } from "../sessions/session-events";

/**
 * Something a room shows may have changed and should reach the instructor at once: in an event (a
 * help request, a broadcast) or in a session (it stopped). Lesson progress is deliberately not a
 * signal: the rooms' one-second rebuild shows it (see LessonProgressController).
 */
export type RoomSignal = { kind: "event"; eventId: string } | { kind: "session"; sessionId: string };

/**
 * Whether a signal may change the room last sent (undefined: none yet, so anything may). A session
 * counts only when it is an attendee's latest or has an open help request there.
 */
export function concernsRoom(room: TEventRoom | undefined, eventId: string, signal: RoomSignal): boolean {
  switch (signal.kind) {
    case "event":
      return signal.eventId === eventId;
    case "session":
      return (
        !room ||
        room.attendees.some((a) => a.sessionId === signal.sessionId) ||
        room.help.some((h) => h.sessionId === signal.sessionId)
      );
  }
}

/**
 * In-process notices that a room changed, so the room streams (EventRoomController) rebuild at once
 * instead of at their next one-second tick. Fired by help requests, broadcasts and session stops
 * (from SessionEvents); each stream decides with `concernsRoom` whether it is
 * about its room. Terminal input and lesson progress are not signalled: the streams' tick picks them up.
 */
@Injectable()
export class RoomSignals {
  private readonly emitter = new EventEmitter();

  constructor(sessionEvents: SessionEvents) {
    // One listener per open room page: no "possible leak" warning past ten instructors.
    this.emitter.setMaxListeners(0);
    sessionEvents.onStopped(({ sessionId }) => this.sessionChanged(sessionId));
  }

  /** Something of the event changed (help requests, broadcasts). */
  changed(eventId: string): void {
    this.emit({ kind: "event", eventId });
  }

  /** The session stopped, or something of it changed (its help request closed with it). */
  sessionChanged(sessionId: string): void {
    this.emit({ kind: "session", sessionId });
  }

  /** Calls the listener on every signal until the returned function is called. */
  subscribe(listener: (signal: RoomSignal) => void): () => void {
    this.emitter.on("signal", listener);
    return () => this.emitter.off("signal", listener);
  }

  private emit(signal: RoomSignal): void {
    this.emitter.emit("signal", signal);
  }
}

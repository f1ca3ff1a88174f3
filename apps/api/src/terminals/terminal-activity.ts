import { Injectable, type OnApplicationBootstrap } from "@nestjs/common";
import { SessionEvents } from "../sessions/session-events";

/**
 * When each session last got terminal input, for the instructor's room: one number per session in
 * memory, overwritten on every input frame (no database write, no message per keystroke; the room
 * reads it when it rebuilds). Lost on restart; a session's entry goes when it stops.
 */
@Injectable()
export class TerminalActivity implements OnApplicationBootstrap {
  private readonly lastInput = new Map<string, number>();

  constructor(private readonly events: SessionEvents) {}

  onApplicationBootstrap(): void {
    this.events.onStopped(({ sessionId }) => this.lastInput.delete(sessionId));
  }

  touch(sessionId: string, now = Date.now()): void {
    this.lastInput.set(sessionId, now);
  }

  /** Epoch milliseconds of the session's last terminal input, if any since the server started. */
  last(sessionId: string): number | undefined {
    return this.lastInput.get(sessionId);
  }
}

import { EventEmitter } from "node:events";
import { Injectable } from "@nestjs/common";
import type { TSessionReasonCode } from "@kubelab/shared";

export interface SessionStoppedEvent {
  sessionId: string;
  /** "ended": deleted or expired; "failed": a node died or provisioning failed. */
  outcome: "ended" | "failed";
  code: TSessionReasonCode;
  /** The reason in English (its detail, or a sentence for the code), e.g. for terminal close reasons. */
  reason: string;
}

/**
 * In-process notifications about sessions, so features that hold live
 * resources for a session (terminal sockets) can let go of them without the
 * session rules knowing about those features.
 */
@Injectable()
export class SessionEvents {
  private readonly emitter = new EventEmitter();

  emitStopped(event: SessionStoppedEvent): void {
    this.emitter.emit("stopped", event);
  }

  onStopped(listener: (event: SessionStoppedEvent) => void): void {
    this.emitter.on("stopped", listener);
  }

  /**
   * A session became ready for its owner: built for them, or claimed from a warm pool (emitted
   * after the claim's commit). Lesson setup scripts start from here (LessonSetup).
   */
  emitReady(sessionId: string): void {
    this.emitter.emit("ready", sessionId);
  }

  onReady(listener: (sessionId: string) => void): void {
    this.emitter.on("ready", listener);
  }

  /**
   * A session stopped holding a place under MAX_SESSIONS (it failed, or ended and is recorded so),
   * so a queued session may start (SessionQueue listens). Emitted after the status change.
   */
  emitPlaceFreed(): void {
    this.emitter.emit("place-freed");
  }

  onPlaceFreed(listener: () => void): () => void {
    this.emitter.on("place-freed", listener);
    return () => this.emitter.off("place-freed", listener);
  }
}

import { EventEmitter } from "node:events";
import { Injectable, Optional } from "@nestjs/common";
import type { TSessionReasonCode } from "@kubelab/shared";
import { ClusterBus } from "../cluster/cluster-bus.service";

export interface SessionStoppedEvent {
  sessionId: string;
  /** "ended": deleted or expired; "failed": a node died or provisioning failed. */
  outcome: "ended" | "failed";
  code: TSessionReasonCode;
  /** The reason in English (its detail, or a sentence for the code), e.g. for terminal close reasons. */
  reason: string;
}

const STOPPED = "session-stopped";
const PLACE_FREED = "place-freed";

function isStoppedEvent(value: unknown): value is SessionStoppedEvent {
  const event = value as Partial<SessionStoppedEvent> | null;
  return (
    typeof event?.sessionId === "string" &&
    (event.outcome === "ended" || event.outcome === "failed") &&
    typeof event.code === "string" &&
    typeof event.reason === "string"
  );
}

/**
 * Notifications about sessions, so features that hold live resources for a session (terminal
 * sockets, caches, port streams) can let go of them without the session rules knowing about those
 * features. "Stopped" and "place freed" reach every process of the installation (ClusterBus): the
 * attendee's terminal may be open on another process than the one that ended the session, and the
 * leader's queue waits for places. "Ready" stays in the process that made the session ready: its
 * listeners act once (setup scripts, resizing).
 */
@Injectable()
export class SessionEvents {
  private readonly emitter = new EventEmitter();

  constructor(@Optional() private readonly bus?: ClusterBus) {
    bus?.on(STOPPED, (message) => {
      if (isStoppedEvent(message)) this.emitter.emit("stopped", message);
    });
    bus?.on(PLACE_FREED, () => this.emitter.emit("place-freed"));
  }

  emitStopped(event: SessionStoppedEvent): void {
    this.emitter.emit("stopped", event);
    this.bus?.publish(STOPPED, event);
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
    this.bus?.publish(PLACE_FREED, {});
  }

  onPlaceFreed(listener: () => void): () => void {
    this.emitter.on("place-freed", listener);
    return () => this.emitter.off("place-freed", listener);
  }
}

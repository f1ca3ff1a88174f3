"use client";

import { ZEventRoom, type TEventRoom } from "@kubelab/shared";
import { useEffect, useState } from "react";
import { reconnectDelay } from "@/lib/terminal/reconnect-delay";

/** `connecting`: (re)opening the stream; `live`: updates arrive; `ended`: the server closed the room. */
export type RoomStreamStatus = "connecting" | "live" | "ended";

export interface RoomStream {
  status: RoomStreamStatus;
  room: TEventRoom | null;
  /** The server's reason with `ended` (the event was deleted, or access was lost). */
  endedReason: string | null;
}

function parseRoom(data: unknown): TEventRoom | null {
  if (typeof data !== "string") return null;
  try {
    const parsed = ZEventRoom.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function parseReason(data: unknown): string {
  try {
    const parsed: unknown = typeof data === "string" ? JSON.parse(data) : null;
    if (typeof parsed === "object" && parsed !== null && "reason" in parsed) return String(parsed.reason);
  } catch {
    // not JSON: no reason
  }
  return "";
}

/**
 * Follows `GET /api/events/:id/room/stream`: one stream per room page, the whole room with every
 * message. A dropped connection is retried by EventSource; an HTTP error with backoff. `ended` (the
 * event is gone, or the viewer lost access) is final.
 */
export function useRoomStream(eventId: string): RoomStream {
  const [state, setState] = useState<RoomStream>({ status: "connecting", room: null, endedReason: null });

  useEffect(() => {
    const url = `/api/events/${encodeURIComponent(eventId)}/room/stream`;
    let disposed = false;
    let source: EventSource | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    const reconnectLater = (): void => {
      source?.close();
      clearTimeout(retryTimer);
      retryTimer = setTimeout(connect, reconnectDelay(attempt++));
    };

    function connect(): void {
      if (disposed) return;
      setState((previous) => ({ ...previous, status: "connecting" }));
      const stream = new EventSource(url);
      source = stream;
      stream.addEventListener("room", (event) => {
        const room = parseRoom(event.data);
        if (!room || disposed) return; // not what the contract says: keep the last good room
        attempt = 0;
        setState({ status: "live", room, endedReason: null });
      });
      stream.addEventListener("ended", (event) => {
        stream.close();
        if (!disposed) setState((previous) => ({ ...previous, status: "ended", endedReason: parseReason(event.data) }));
      });
      stream.addEventListener("error", () => {
        if (disposed) return;
        if (stream.readyState === EventSource.CLOSED) reconnectLater();
        else setState((previous) => (previous.status === "ended" ? previous : { ...previous, status: "connecting" }));
      });
    }

    connect();
    return () => {
      disposed = true;
      clearTimeout(retryTimer);
      source?.close();
    };
  }, [eventId]);

  return state;
}

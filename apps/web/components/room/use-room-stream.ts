"use client";

import { ZEventRoom, type TEventRoom } from "@kubelab/shared";
import { useEffect, useState } from "react";
import { openRetryingEventSource } from "@/lib/api/retrying-event-source";

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
    let opened = false;
    const stream = openRetryingEventSource(url, {
      // Opening always shows "connecting"; a drop afterwards never hides an `ended` already shown.
      onConnecting: () => {
        const first = !opened;
        opened = true;
        setState((previous) =>
          previous.status === "ended" && !first ? previous : { ...previous, status: "connecting" },
        );
      },
      events: {
        room: (data) => {
          const room = parseRoom(data);
          if (!room) return false; // not what the contract says: keep the last good room
          setState({ status: "live", room, endedReason: null });
          return true;
        },
        ended: (data) => {
          stream.close();
          setState((previous) => ({ ...previous, status: "ended", endedReason: parseReason(data) }));
        },
      },
    });
    return () => stream.close();
  }, [eventId]);

  return state;
}

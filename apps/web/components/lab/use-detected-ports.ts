"use client";

import { comparePortEntries, ZPortEntry, ZPortList, type TPortEntry } from "@kubelab/shared";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { apiRequest } from "@/lib/api/browser-api";
import { openRetryingEventSource } from "@/lib/api/retrying-event-source";

/** `off`: no ready session; `connecting`: (re)opening the stream; `live`: updates arrive; `ended`: the server closed it. */
export type PortStreamStatus = "off" | "connecting" | "live" | "ended";

export interface DetectedPorts {
  status: PortStreamStatus;
  /**
   * Ports seen listening in the nodes (and NodePorts) at the last discovery, plus ports made
   * public that nothing listens on any more (so they can be made private again), by node then port.
   */
  ports: readonly TPortEntry[];
  /** Detected ports only, by node. */
  byNode: ReadonlyMap<string, readonly TPortEntry[]>;
  /** Makes a port public or private again; resolves with the new entry, rejects with an ApiError. */
  setPublic: (node: string, port: number, isPublic: boolean) => Promise<TPortEntry>;
}

interface StreamState {
  sessionId: string;
  status: PortStreamStatus;
  ports: readonly TPortEntry[];
}

const NO_PORTS: readonly TPortEntry[] = [];

function parsePortEvent(data: unknown): readonly TPortEntry[] | null {
  if (typeof data !== "string") return null;
  try {
    const parsed = ZPortList.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data.ports : null;
  } catch {
    return null;
  }
}

/**
 * Follows `GET /api/sessions/:id/ports/events` while the session is ready.
 * The server polls the nodes only while a stream is open, so there is one
 * stream per page and none without a ready session.
 */
export function useDetectedPorts(sessionId: string | null, onEnded?: () => void): DetectedPorts {
  const [state, setState] = useState<StreamState | null>(null);
  // A notification only: a new callback identity must not reopen the stream.
  const onEndedRef = useRef(onEnded);
  useEffect(() => {
    onEndedRef.current = onEnded;
  }, [onEnded]);

  useEffect(() => {
    if (!sessionId) return;
    const id = sessionId;
    const url = `/api/sessions/${encodeURIComponent(id)}/ports/events`;
    let disposed = false;
    const update = (status: PortStreamStatus, ports?: readonly TPortEntry[]): void => {
      if (disposed) return;
      setState((previous) => ({
        sessionId: id,
        status,
        ports: ports ?? (previous?.sessionId === id ? previous.ports : NO_PORTS),
      }));
    };
    const stream = openRetryingEventSource(url, {
      onConnecting: () => update("connecting"),
      events: {
        ports: (data) => {
          const ports = parsePortEvent(data);
          if (!ports) return false; // not what the contract says: keep the last good list
          update("live", ports);
          return true;
        },
        // The session stopped, or the server is shutting down (sessions survive a restart):
        // let the page re-check the session, and try again unless it is gone by then.
        ended: () => {
          update("ended", NO_PORTS);
          onEndedRef.current?.();
          stream.reconnectLater();
        },
      },
    });
    return () => {
      disposed = true;
      stream.close();
    };
  }, [sessionId]);

  const setPublic = useCallback(
    async (node: string, port: number, isPublic: boolean): Promise<TPortEntry> => {
      if (!sessionId) throw new Error("no session");
      const path =
        `/api/sessions/${encodeURIComponent(sessionId)}/nodes/${encodeURIComponent(node)}/ports/${port}` as const;
      const entry = await apiRequest("PUT", path, ZPortEntry, { body: { public: isPublic } });
      // The stream pushes the new list as well; apply the answer at once so the switch never lags
      // behind the click (and still works while the stream reconnects).
      setState((previous) => {
        if (previous?.sessionId !== sessionId) return previous;
        const others = previous.ports.filter((p) => p.node !== node || p.port !== port);
        const next = entry.detected || entry.public ? [...others, entry] : others;
        next.sort(comparePortEntries);
        return { ...previous, ports: next };
      });
      return entry;
    },
    [sessionId],
  );

  const current = sessionId && state?.sessionId === sessionId ? state : null;
  const ports = current?.ports ?? NO_PORTS;
  const byNode = useMemo(() => {
    const grouped = new Map<string, TPortEntry[]>();
    for (const entry of ports) {
      if (entry.detected) grouped.set(entry.node, [...(grouped.get(entry.node) ?? []), entry]);
    }
    return grouped;
  }, [ports]);
  return { status: current?.status ?? "off", ports, byNode, setPublic };
}

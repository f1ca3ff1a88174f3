"use client";

import {
  isSessionStatusIn,
  LIVE_SESSION_STATUSES,
  OPEN_SESSION_STATUSES,
  ZSession,
  ZSessionList,
  type TSession,
} from "@kubelab/shared";
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "@/lib/api/api-error";
import { apiRequest, apiRequestNoContent, serverNow } from "@/lib/api/browser-api";
import { rememberLeftQueue, takeRejoinable } from "@/lib/lab/queue-rejoin";

export type LabSessionState =
  | { phase: "starting" }
  | { phase: "active"; session: TSession }
  /** Creating failed because other sessions count against the user's quota. */
  | { phase: "quota"; blocking: TSession[]; error: ApiError }
  | { phase: "error"; error: ApiError };

function toApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(0, "client_error", String(error));
}

/**
 * Waits (up to 3 s) for the leave the previous page sent at pagehide to arrive, so the place can be
 * taken back rather than found half-left. Returns the session when it is still queued after that
 * (the leave was lost: the place is still ours), else null.
 */
async function untilLeft(sessionId: string, signal?: AbortSignal): Promise<TSession | null> {
  for (let attempt = 1; ; attempt++) {
    const session = await apiRequest("GET", `/api/sessions/${sessionId}`, ZSession, { signal }).catch(() => null);
    if (!session || session.status !== "queued") return null;
    if (attempt === 12) return session;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The user's running session for this lesson, or a new one. */
async function findOrCreate(lessonId: string, signal?: AbortSignal): Promise<LabSessionState> {
  const findMine = async () => {
    const { sessions } = await apiRequest("GET", "/api/sessions", ZSessionList, { signal });
    return {
      sessions,
      // An event's session first: a join (/join/<code>) has just handed it to this user.
      mine: sessions
        .filter(
          (s) => s.lesson === lessonId && (s.status === "queued" || isSessionStatusIn(OPEN_SESSION_STATUSES, s.status)),
        )
        .sort((a, b) => Number(b.event !== null) - Number(a.event !== null))[0],
    };
  };
  // Reloaded while queued: this tab left the queue at pagehide and asks for that place back.
  const rejoinQueue = takeRejoinable(window.sessionStorage, lessonId, Date.now());
  if (rejoinQueue) {
    const kept = await untilLeft(rejoinQueue, signal);
    if (kept) return { phase: "active", session: kept };
  }
  const first = await findMine();
  if (first.mine) return { phase: "active", session: first.mine };
  try {
    const created = await apiRequest("POST", "/api/sessions", ZSession, {
      body: { lesson: lessonId, ...(rejoinQueue ? { rejoinQueue } : {}) },
      signal,
    });
    return { phase: "active", session: created };
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== "quota_exceeded") throw error;
    // Another tab may have created this lesson's session in the meantime: use it.
    const again = await findMine();
    if (again.mine) return { phase: "active", session: again.mine };
    const blocking = again.sessions.filter((s) => isSessionStatusIn(LIVE_SESSION_STATUSES, s.status));
    return { phase: "quota", blocking, error };
  }
}

/**
 * After an instructor's reset (session_reset) the server starts the attendee's fresh session of the
 * same event right after ending the old one: looks for it for up to ~30 s; null if none showed up.
 */
async function findResetSession(ended: TSession, signal: AbortSignal): Promise<TSession | null> {
  for (let attempt = 0; attempt < 30 && !signal.aborted; attempt++) {
    const list = await apiRequest("GET", "/api/sessions", ZSessionList, { signal }).catch(() => null);
    const fresh = list?.sessions.find(
      (s) =>
        s.id !== ended.id &&
        s.event?.id === ended.event?.id &&
        s.lesson === ended.lesson &&
        isSessionStatusIn(OPEN_SESSION_STATUSES, s.status),
    );
    if (fresh) return fresh;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return null;
}

/**
 * Ends a queued session; keepalive lets the DELETE outlive a page that is going away. Only while it
 * is still queued: promoted a moment before, it is the user's lab and must live on.
 */
function leaveQueue(sessionId: string): void {
  void fetch(`/api/sessions/${sessionId}?ifQueued=true`, {
    method: "DELETE",
    credentials: "same-origin",
    keepalive: true,
  }).catch(() => undefined);
}

// Provisioning is watched closely; a ready session only needs an occasional
// check (another tab may end it), and more often once its time is up.
function pollDelay(session: TSession): number | null {
  switch (session.status) {
    // Its position moves and it starts by itself; each poll also keeps its place (QUEUE_HEARTBEAT).
    case "queued":
      return 2_000;
    // A cold start is about a second now: polling at 1 s showed it ready half a second late on average.
    case "provisioning":
      return 300;
    case "ending":
      return 1_000;
    case "pooled": // never shown to a user; polled like a session about to change
      return 1_000;
    case "ready":
      return Date.parse(session.expiresAt) <= serverNow() ? 2_000 : 15_000;
    case "failed":
    case "ended":
      return null;
  }
}

export interface LabSession {
  state: LabSessionState;
  refresh: () => void;
  extend: () => Promise<TSession>;
  end: () => Promise<void>;
  /** Deletes a failed session (if any) and starts a new one. */
  restart: () => Promise<void>;
  /** Ends the sessions that block the quota, then starts this lesson's. */
  endOthersAndStart: () => Promise<void>;
}

export function useLabSession(lessonId: string): LabSession {
  const [state, setState] = useState<LabSessionState>({ phase: "starting" });
  const [pollNonce, setPollNonce] = useState(0);
  const mounted = useRef(true);

  const start = useCallback(
    async (signal?: AbortSignal) => {
      setState({ phase: "starting" });
      try {
        const next = await findOrCreate(lessonId, signal);
        if (!signal?.aborted && mounted.current) setState(next);
      } catch (error) {
        if (!signal?.aborted && mounted.current) setState({ phase: "error", error: toApiError(error) });
      }
    },
    [lessonId],
  );

  useEffect(() => {
    mounted.current = true;
    const controller = new AbortController();
    void start(controller.signal);
    return () => {
      mounted.current = false;
      controller.abort();
    };
  }, [start]);

  // Poll the active session; every state change reschedules.
  const session = state.phase === "active" ? state.session : null;
  useEffect(() => {
    if (!session) return;
    const delay = pollDelay(session);
    if (delay === null) return;
    let disposed = false;
    const timer = setTimeout(() => {
      apiRequest("GET", `/api/sessions/${session.id}`, ZSession)
        .then((fresh) => {
          if (!disposed) setState({ phase: "active", session: fresh });
        })
        .catch((error: unknown) => {
          if (disposed) return;
          // A network blip: try again at the next tick. A 404: the session is gone for good.
          if (error instanceof ApiError && error.status === 404) setState({ phase: "error", error });
          else setPollNonce((n) => n + 1);
        });
    }, delay);
    return () => {
      disposed = true;
      clearTimeout(timer);
    };
  }, [session, pollNonce]);

  // Reset by an instructor: move to the fresh session by itself (same event, same lesson position).
  const resetId =
    session?.status === "ended" && session.stopReason?.code === "session_reset" && session.event ? session.id : null;
  const sessionRef = useRef(session);
  useEffect(() => {
    sessionRef.current = session;
  }, [session]);
  useEffect(() => {
    const ended = sessionRef.current;
    if (!resetId || !ended) return;
    const controller = new AbortController();
    void findResetSession(ended, controller.signal).then((fresh) => {
      if (fresh && !controller.signal.aborted && mounted.current) setState({ phase: "active", session: fresh });
    });
    return () => controller.abort();
  }, [resetId]);

  // Leaving the page leaves the queue: a queued place is worth nothing to a closed page, and the
  // next in line should not wait for QUEUE_HEARTBEAT. keepalive lets the DELETE outlive the page.
  // A reload looks the same here; the tab notes the place so the reloaded page can take it back.
  const queuedId = session?.status === "queued" ? session.id : null;
  useEffect(() => {
    if (!queuedId) return;
    const leave = (): void => {
      rememberLeftQueue(window.sessionStorage, { sessionId: queuedId, lesson: lessonId, at: Date.now() });
      leaveQueue(queuedId);
    };
    window.addEventListener("pagehide", leave);
    return () => window.removeEventListener("pagehide", leave);
  }, [queuedId, lessonId]);

  // Leaving inside the app (a link, back to the catalog) sends no pagehide: the page unmounts
  // instead, and leaves the queue then. Not at once: strict mode (dev) and Fast Refresh run this
  // cleanup and mount again in the same task, and that page keeps its place. No note for a rejoin
  // either: only a reload of the same page may take the place back.
  const queuedIdRef = useRef(queuedId);
  useEffect(() => {
    queuedIdRef.current = queuedId;
  }, [queuedId]);
  const unmountLeave = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    clearTimeout(unmountLeave.current);
    return () => {
      const id = queuedIdRef.current;
      if (id) unmountLeave.current = setTimeout(() => leaveQueue(id), 0);
    };
  }, []);

  const sessionId = session?.id ?? null;
  const sessionIdRef = useRef(sessionId);
  useEffect(() => {
    sessionIdRef.current = sessionId;
  }, [sessionId]);

  /** Fetches the session now, e.g. when a terminal was closed because the session ended. */
  const refresh = useCallback(() => {
    const id = sessionIdRef.current;
    if (!id) return;
    apiRequest("GET", `/api/sessions/${id}`, ZSession)
      .then((fresh) => {
        if (mounted.current && sessionIdRef.current === id) setState({ phase: "active", session: fresh });
      })
      .catch(() => setPollNonce((n) => n + 1));
  }, []);

  const extend = useCallback(async () => {
    if (!session) throw new ApiError(0, "client_error", "no session");
    const extended = await apiRequest("POST", `/api/sessions/${session.id}/extend`, ZSession, { body: {} });
    setState({ phase: "active", session: extended });
    return extended;
  }, [session]);

  const end = useCallback(async () => {
    if (!session) return;
    await apiRequestNoContent("DELETE", `/api/sessions/${session.id}`);
  }, [session]);

  const restart = useCallback(async () => {
    try {
      if (session && session.status !== "ended") await apiRequestNoContent("DELETE", `/api/sessions/${session.id}`);
    } catch (error) {
      setState({ phase: "error", error: toApiError(error) });
      return;
    }
    await start();
  }, [session, start]);

  const endOthersAndStart = useCallback(async () => {
    if (state.phase !== "quota") return;
    setState({ phase: "starting" });
    try {
      for (const other of state.blocking) await apiRequestNoContent("DELETE", `/api/sessions/${other.id}`);
    } catch (error) {
      setState({ phase: "error", error: toApiError(error) });
      return;
    }
    await start();
  }, [state, start]);

  return { state, refresh, extend, end, restart, endOthersAndStart };
}

import { QUEUE_REJOIN_SECONDS } from "@kubelab/shared";

// A lab page leaves the queue at `pagehide` (it cannot tell a reload from a close). It notes here,
// in the tab's sessionStorage, which queued session it left, so that the same tab reloaded can ask
// for that place back (POST /api/sessions {rejoinQueue}); the server checks the rest.
const KEY = "kubelab.leftQueue";

export interface LeftQueue {
  sessionId: string;
  lesson: string;
  /** Date.now() when the page left. */
  at: number;
}

type TabStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

export function rememberLeftQueue(storage: TabStorage, left: LeftQueue): void {
  try {
    storage.setItem(KEY, JSON.stringify(left));
  } catch {
    // Storage full or disabled: a reload then queues at the end, as without this.
  }
}

/** The session this tab left the queue with for `lesson` moments ago, forgotten once taken. */
export function takeRejoinable(storage: TabStorage, lesson: string, now: number): string | undefined {
  let left: Partial<LeftQueue> | null = null;
  try {
    left = JSON.parse(storage.getItem(KEY) ?? "null") as Partial<LeftQueue> | null;
    storage.removeItem(KEY);
  } catch {
    return undefined;
  }
  if (!left || left.lesson !== lesson || typeof left.sessionId !== "string" || typeof left.at !== "number") {
    return undefined;
  }
  return now - left.at <= QUEUE_REJOIN_SECONDS * 1000 ? left.sessionId : undefined;
}

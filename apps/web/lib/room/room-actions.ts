/** The instructor's actions on an event's attendee sessions (the routes of docs/api.md "Room actions"). */
export type RoomAction =
  | { kind: "extend_all" }
  | { kind: "end_all" }
  | { kind: "end"; sessionId: string }
  | { kind: "reset"; sessionId: string };

export interface RoomActionRequest {
  method: "POST" | "DELETE";
  path: `/api/${string}`;
  /** What the answer is: a bulk count, nothing (204), or the new session. */
  answer: "bulk" | "none" | "session";
  /** Ending or resetting takes an attendee's work away: the page asks first. */
  confirm: boolean;
}

const enc = encodeURIComponent;

export function roomActionRequest(eventId: string, action: RoomAction): RoomActionRequest {
  const sessions = `/api/events/${enc(eventId)}/sessions` as const;
  switch (action.kind) {
    case "extend_all":
      return { method: "POST", path: `${sessions}/extend`, answer: "bulk", confirm: false };
    case "end_all":
      return { method: "POST", path: `${sessions}/end`, answer: "bulk", confirm: true };
    case "end":
      return { method: "DELETE", path: `${sessions}/${enc(action.sessionId)}`, answer: "none", confirm: true };
    case "reset":
      return { method: "POST", path: `${sessions}/${enc(action.sessionId)}/reset`, answer: "session", confirm: true };
  }
}

/** The watch page of an attendee's session; from the help queue it carries the request to resolve. */
export function watchPath(eventId: string, sessionId: string, helpRequestId?: string): string {
  const path = `/events/${enc(eventId)}/watch/${enc(sessionId)}`;
  return helpRequestId ? `${path}?help=${enc(helpRequestId)}` : path;
}

export function helpActionPath(eventId: string, requestId: string, action: "claim" | "resolve"): `/api/${string}` {
  return `/api/events/${enc(eventId)}/help/${enc(requestId)}/${action}`;
}

/** The broadcast form's optional step (1-based as shown) as the API's 0-based step; null when blank. */
export function broadcastStep(field: string, stepCount: number): number | null | "invalid" {
  const text = field.trim();
  if (text === "") return null;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || (stepCount > 0 && n > stepCount)) return "invalid";
  return n - 1;
}

import type { TEventJoinPolicy, TUserRole } from "@kubelab/shared";
import { AppError } from "../common/app-error";
import { eventPhase } from "../events/event-rules";
import type { Viewer } from "./session-access-rules";

/** Roles that run classroom events. */
export const EVENT_ROLES: readonly TUserRole[] = ["instructor", "admin"];

/** Whether the viewer may run events at all; forbidden (attendees, guests) if not. */
export function assertEventRunner(viewer: Viewer | null): asserts viewer is Viewer & { role: TUserRole } {
  if (!viewer) throw new AppError("unauthenticated", "Log in first");
  if (!viewer.role || !EVENT_ROLES.includes(viewer.role))
    throw new AppError("forbidden", "Events are run by instructors and admins");
}

/** The events a viewer may see in a list: admins all, instructors their own. */
export function eventsScope(viewer: Viewer | null): { ownerId?: string } {
  assertEventRunner(viewer);
  return viewer.role === "admin" ? {} : { ownerId: viewer.id };
}

/**
 * The event if the viewer may read, change or end it: admins any, instructors their own. Another
 * instructor's event looks exactly like a missing one.
 */
export function manageableEvent<E extends { ownerId: string }>(viewer: Viewer | null, event: E | null): E {
  assertEventRunner(viewer);
  if (!event) throw new AppError("not_found", "No such event");
  if (viewer.role !== "admin" && event.ownerId !== viewer.id) throw new AppError("not_found", "No such event");
  return event;
}

/**
 * An attendee's session in a manageable event, for what its instructors do to it from the room (end,
 * reset): it must have been joined through this event and have an owner. A session of another
 * event, a reserved (pooled) one or a missing one all look missing.
 */
export function attendeeSessionOf<S extends { eventId: string | null; ownerId: string | null }>(
  event: { id: string },
  session: S | null,
): S & { ownerId: string } {
  if (!session || session.eventId !== event.id || session.ownerId === null)
    throw new AppError("not_found", "No such session in this event");
  return session as S & { ownerId: string };
}

/** Who asks to join: a logged-in user (its provider tells guests apart), or nobody yet. */
export interface Joiner {
  id: string;
  provider: string;
  login: string | null;
  email: string | null;
  /** The event a guest logged in by an event join is bound to; null for everyone else. */
  eventId: string | null;
}

/**
 * Whether `joiner` may join an event with its (right) code: "as_is" (the logged-in user joins),
 * "new_guest" (log a guest in first, bound to this event: nobody is logged in, or the browser's
 * guest belongs to another event), or the refusal. A guest login counts as logged in only for the
 * guests policy.
 */
export function joinAs(
  event: { id: string; joinPolicy: TEventJoinPolicy; allowList: readonly string[] },
  joiner: Joiner | null,
): "as_is" | "new_guest" {
  if (event.joinPolicy === "guests") return joiner && boundTo(joiner, event.id) ? "as_is" : "new_guest";
  if (!joiner || joiner.provider === "guest")
    throw new AppError("unauthenticated", "This event is for logged-in users: log in, then use the code again");
  if (event.joinPolicy === "logged_in") return "as_is";
  const names = [joiner.login, joiner.email].filter((n): n is string => !!n).map((n) => n.toLowerCase());
  if (names.some((n) => event.allowList.includes(n))) return "as_is";
  throw new AppError("forbidden", "You are not on this event's list of attendees; ask its instructor");
}

/** Whether a user may be used in event `eventId`: anyone unbound, and the event's own guests. */
function boundTo(joiner: { eventId: string | null }, eventId: string): boolean {
  return joiner.eventId === null || joiner.eventId === eventId;
}

/**
 * Who may start what with POST /api/sessions. Users not bound to an event: anything ("free", the
 * usual quotas apply). A guest logged in by an event join ("event guest") uses that event's lesson
 * and session, nothing else: a start for the event's lesson while it runs is a join of that event
 * ("event": the same session again, else a reserved or cold one within the event's capacity); any
 * other lesson, or no lesson, is refused (event_guest_only), and after the end (or once the event
 * is deleted, `event` null) nothing starts. Everything else an event guest does is ruled as for any
 * user: its own sessions (usableSession), the lesson catalog and its own progress; events' API is
 * closed to it (assertEventRunner).
 */
export function sessionStart(
  user: { eventId: string | null },
  event: { id: string; lessonId: string; startsAt: Date; endsAt: Date } | null,
  lessonId: string | undefined,
  now: Date,
): "free" | "event" {
  if (user.eventId === null) return "free";
  if (!event || event.id !== user.eventId || eventPhase(event, now) === "ended")
    throw new AppError("event_ended", "The event you joined as a guest has ended; you cannot start labs any more");
  if (lessonId !== event.lessonId)
    throw new AppError(
      "event_guest_only",
      `As a guest of an event you can only use its lesson ("${event.lessonId}"); log in to use other lessons`,
    );
  if (eventPhase(event, now) === "not_started")
    throw new AppError("event_not_started", `This event starts at ${event.startsAt.toISOString()}`, [
      { path: "startsAt", message: event.startsAt.toISOString() },
    ]);
  return "event";
}

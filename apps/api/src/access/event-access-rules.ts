import type { TEventJoinPolicy, TUserRole } from "@kubelab/shared";
import { AppError } from "../common/app-error";
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

/** Who asks to join: a logged-in user (its provider tells guests apart), or nobody yet. */
export interface Joiner {
  id: string;
  provider: string;
  login: string | null;
  email: string | null;
}

/**
 * Whether `joiner` may join an event with its (right) code: "as_is" (the logged-in user joins),
 * "new_guest" (nobody is logged in and the event takes guests: log a guest in first), or the
 * refusal. A guest login counts as logged in only for the guests policy.
 */
export function joinAs(
  event: { joinPolicy: TEventJoinPolicy; allowList: readonly string[] },
  joiner: Joiner | null,
): "as_is" | "new_guest" {
  if (event.joinPolicy === "guests") return joiner ? "as_is" : "new_guest";
  if (!joiner || joiner.provider === "guest")
    throw new AppError("unauthenticated", "This event is for logged-in users: log in, then use the code again");
  if (event.joinPolicy === "logged_in") return "as_is";
  const names = [joiner.login, joiner.email].filter((n): n is string => !!n).map((n) => n.toLowerCase());
  if (names.some((n) => event.allowList.includes(n))) return "as_is";
  throw new AppError("forbidden", "You are not on this event's list of attendees; ask its instructor");
}

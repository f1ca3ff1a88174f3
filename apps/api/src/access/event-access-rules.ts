import type { TUserRole } from "@kubelab/shared";
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

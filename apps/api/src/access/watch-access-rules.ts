import type { TTerminalWatchState } from "@kubelab/shared";
import { AppError } from "../common/app-error";

/** Why a watcher's take-over would be granted now, or "no". */
export type TakeoverGrant = TTerminalWatchState["mayTakeOver"];

/**
 * The session of `event` its instructors may watch: an attendee's session in that very event. A
 * session of another event, a pooled one (no owner yet) or a missing one all look missing. The
 * event itself is checked first by manageableEvent (event-access-rules.ts): its instructor or an
 * admin, so attendees get 403 and other instructors 404 before any session is looked at.
 */
export function watchableSession<S extends { eventId: string | null; ownerId: string | null }>(
  event: { id: string },
  session: S | null,
): S & { ownerId: string } {
  if (!session || session.eventId !== event.id || session.ownerId === null)
    throw new AppError("not_found", "No such session in this event");
  return session as S & { ownerId: string };
}

/**
 * Whether a watcher may type in the attendee's terminals: while the attendee allows take-over, or
 * while they have an open help request (asking for help invites the instructor in). "allowed" wins
 * when both hold: it outlives the help request, so it is the reason that matters.
 */
export function takeoverGrant(facts: { takeoverAllowed: boolean; openHelpRequest: boolean }): TakeoverGrant {
  if (facts.takeoverAllowed) return "allowed";
  if (facts.openHelpRequest) return "help";
  return "no";
}

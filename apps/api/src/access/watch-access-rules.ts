import type { TTerminalWatchState } from "@kubelab/shared";

// Which sessions may be watched is attendeeSessionOf (event-access-rules.ts), the same rule as the
// room's actions: an attendee's session of that very event.

/** Why a watcher's take-over would be granted now, or "no". */
export type TakeoverGrant = TTerminalWatchState["mayTakeOver"];

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

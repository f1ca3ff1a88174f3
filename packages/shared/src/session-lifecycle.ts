import { z } from "zod";
// Type-only: sessions.ts imports this file for ZSessionStopReason.
import type { TSessionStatus } from "./sessions";

/**
 * The session state machine: for each status, the statuses it may move to. The server's
 * SessionLifecycle only writes a status change allowed here, and makes it a conditional update
 * (`WHERE status IN sessionStatusesLeadingTo(to)`), so racing writers end in one consistent state.
 * The event-log work adds its states here.
 */
export const SESSION_TRANSITIONS = {
  // Waiting for a place under MAX_SESSIONS (SessionQueue): → provisioning when promoted (FIFO);
  // → ended straight away when it leaves the queue (it holds no Docker objects, nothing to clean).
  queued: ["provisioning", "ended"],
  // → pooled: built by the warm pool, for nobody yet; → ready: built for its owner.
  provisioning: ["pooled", "ready", "failed", "ending"],
  // → ready: claimed by a user (POST /api/sessions); → ending: replaced, shrunk or evicted by the pool.
  pooled: ["ready", "failed", "ending"],
  ready: ["failed", "ending"],
  // Stopped, objects freed; still listed until the attendee (or an admin) ends it.
  failed: ["ending"],
  // Docker objects being removed; `ending` again is a resumption (another process finishes it).
  ending: ["ended"],
  ended: [],
} as const satisfies Record<TSessionStatus, readonly TSessionStatus[]>;

const ALL_STATUSES = Object.keys(SESSION_TRANSITIONS) as TSessionStatus[];

export function canTransition(from: TSessionStatus, to: TSessionStatus): boolean {
  return (SESSION_TRANSITIONS[from] as readonly TSessionStatus[]).includes(to);
}

/** The statuses from which `to` may be reached: the `WHERE status IN (...)` of that change. */
export function sessionStatusesLeadingTo(to: TSessionStatus): TSessionStatus[] {
  return ALL_STATUSES.filter((from) => canTransition(from, to));
}

/**
 * Sessions that hold Docker objects, or are about to: they count against every quota (per user,
 * per guest address, per installation) and as a user's "active sessions" in the admin console,
 * keep the node firewall installed, and are checked by the reconciler. Docker objects of any other
 * session are leftovers to remove. Pooled sessions have no owner, so they count toward
 * MAX_SESSIONS only (never a user's or an address's quota). `queued` is not live: it holds no
 * Docker objects and no place under MAX_SESSIONS (it waits for one); see QUEUED_QUOTA_STATUSES.
 */
export const LIVE_SESSION_STATUSES = [
  "provisioning",
  "pooled",
  "ready",
  "ending",
] as const satisfies readonly TSessionStatus[];

/**
 * Sessions the attendee still has a lab in, or will have shortly: the lab page resumes them, the
 * catalog offers "Resume lab", they can be extended, and they expire at `expiresAt`.
 */
export const OPEN_SESSION_STATUSES = ["provisioning", "ready"] as const satisfies readonly TSessionStatus[];

/**
 * What counts against a user's (and a guest address's) quota when they create a session: the live
 * statuses plus `queued`, so that promoting a queued session never takes its owner past the quota
 * (promotion checks MAX_SESSIONS only). MAX_SESSIONS itself counts LIVE_SESSION_STATUSES alone:
 * a queued session waits for a place there, it does not hold one.
 */
export const QUEUED_QUOTA_STATUSES = [...LIVE_SESSION_STATUSES, "queued"] as const satisfies readonly TSessionStatus[];

/**
 * Sessions that can still be ended (DELETE, expiry, a ban): a failed one too, to record it as over;
 * a queued one leaves the queue (queued → ended, nothing to clean up).
 */
export const ENDABLE_SESSION_STATUSES = [
  "queued",
  "provisioning",
  "ready",
  "failed",
] as const satisfies readonly TSessionStatus[];

/** Whether a status is in one of the named sets above (typed for `readonly` tuples). */
export function isSessionStatusIn(set: readonly TSessionStatus[], status: TSessionStatus): boolean {
  return set.includes(status);
}

/**
 * Why a session ended (`ended`, through `ending`), chosen by whoever ended it:
 * - deleted: its owner ended it (DELETE /api/sessions/:id).
 * - expired: its time ran out (the reaper).
 * - owner_banned: an admin banned its owner.
 * - pool_replaced: a pooled session older than POOL_MAX_AGE, replaced by a fresh one.
 * - pool_shrunk: a pooled session beyond its pool's size (the size was lowered, or set to 0).
 * - pool_evicted: a pooled session ended to make room under MAX_SESSIONS for a user's session.
 * - left_queue: a queued session's owner left the queue (DELETE, or closed the lab page).
 * - queue_abandoned: a queued session's owner stopped asking about it for QUEUE_HEARTBEAT (the
 *   browser died without saying goodbye), so the place went to the next in line.
 * - event_ended: the classroom event it was joined through ended (its end time, or its instructor
 *   ended it early).
 * - ended_by_instructor: an instructor of its event (or an admin) ended it from the room.
 * - session_reset: an instructor reset it from the room; the attendee got a fresh session of the
 *   same event (same lesson position), which their lab page moves to by itself.
 * - ended_by_admin: an admin ended it from the sessions page (/admin/sessions).
 */
export const ZSessionEndReasonCode = z.enum([
  "deleted",
  "expired",
  "owner_banned",
  "pool_replaced",
  "pool_shrunk",
  "pool_evicted",
  "left_queue",
  "queue_abandoned",
  "event_ended",
  "ended_by_instructor",
  "session_reset",
  "ended_by_admin",
]);
export type TSessionEndReasonCode = z.infer<typeof ZSessionEndReasonCode>;

/**
 * Why a session failed. `nodes` names the nodes concerned where the code is about nodes.
 * - image_missing: its node image is not on the Docker engine (`detail` says how to build it).
 * - profile_unavailable: NODE_SECURITY_PROFILE cannot run on this engine (`detail` says why).
 * - firewall_unavailable: the node firewall could not be installed, so no node may start.
 * - network_unavailable: Docker refused the session network's subnet (it overlaps another network).
 * - node_start_failed: Docker refused to start a node, or it stopped while starting.
 * - ready_timeout: a node's inner Docker engine did not answer within NODE_READY_TIMEOUT.
 * - provision_error: any other failure while creating it (`detail` has the error).
 * - server_restarted: the server stopped (crash, kill) while creating it.
 * - server_shutdown: the server was stopped gracefully while creating it.
 * - node_died: a ready session's node stopped (`exitCode` when Docker said it) or disappeared.
 * - disk_limit: a node wrote more than NODE_DISK_LIMIT.
 * - engine_lost: the Docker engine (host) the session runs on stopped answering for ENGINE_LOST_AFTER.
 * - engine_unavailable: no Docker engine could take the session (all down, drained or full).
 */
export const ZSessionFailureReasonCode = z.enum([
  "image_missing",
  "profile_unavailable",
  "firewall_unavailable",
  "network_unavailable",
  "node_start_failed",
  "ready_timeout",
  "provision_error",
  "server_restarted",
  "server_shutdown",
  "node_died",
  "disk_limit",
  "engine_lost",
  "engine_unavailable",
]);
export type TSessionFailureReasonCode = z.infer<typeof ZSessionFailureReasonCode>;

export const ZSessionReasonCode = z.enum([...ZSessionEndReasonCode.options, ...ZSessionFailureReasonCode.options]);
export type TSessionReasonCode = z.infer<typeof ZSessionReasonCode>;

/**
 * A session's typed reason for failing or ending. The web app words it from `code` (and `nodes`,
 * `exitCode`); `detail` is the server's English text for operators, shown at most as a detail.
 */
export const ZSessionStopReason = z.object({
  code: ZSessionReasonCode,
  nodes: z.array(z.string()),
  exitCode: z.number().int().nullable(),
  detail: z.string().nullable(),
});
export type TSessionStopReason = z.infer<typeof ZSessionStopReason>;

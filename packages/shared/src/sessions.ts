import { z } from "zod";
import { ZSessionStopReason } from "./session-lifecycle";

// `pooled`: built ahead by the warm pool, with no owner; never shown to any user (see SessionPool).
// `queued`: waiting for a place under MAX_SESSIONS (see SessionQueue); no Docker objects yet.
export const ZSessionStatus = z.enum(["queued", "provisioning", "pooled", "ready", "failed", "ending", "ended"]);
export type TSessionStatus = z.infer<typeof ZSessionStatus>;

export const ZNodeStatus = z.enum(["creating", "running", "failed", "removed"]);
export type TNodeStatus = z.infer<typeof ZNodeStatus>;

// Node names double as hostnames and DNS labels in port URLs.
export const ZNodeName = z.string().regex(/^node[1-9]$/);

export const ZLessonId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "lesson must be a lowercase id (letters, digits, dashes)");

export const ZCreateSessionRequest = z.strictObject({
  lesson: ZLessonId.optional(),
  /**
   * A queued session of the caller's that left the queue moments ago (its lab page was reloaded:
   * the page leaves the queue at `pagehide`, as it cannot tell a reload from a close). If it left
   * within QUEUE_REJOIN_SECONDS and was for the same lesson, a new queued session takes its old
   * place (its queuedAt) instead of the end of the queue. Ignored otherwise.
   */
  rejoinQueue: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional(),
});
export type TCreateSessionRequest = z.infer<typeof ZCreateSessionRequest>;

export const ZExtendSessionRequest = z.strictObject({});

export const ZSessionNode = z.object({
  name: ZNodeName,
  status: ZNodeStatus,
  ip: z.string().nullable(),
});
export type TSessionNode = z.infer<typeof ZSessionNode>;

/**
 * Things the attendee should know about a running session, newest last. The web app words them
 * from `code` (never from server text), so a new kind of notice needs a new code and translations.
 * - disk_warning: `node` uses 90 % or more of its disk limit (usedBytes of limitBytes).
 * - disk_limit: `node` went past its disk limit; the session was stopped (reason "disk_limit").
 * - oom_kill: the kernel stopped a process in `node` because the node ran out of memory; the
 *   session goes on.
 * - pids_limit: `node` reached its process limit (NODE_PIDS_LIMIT): new processes cannot start in
 *   it until some end; the session goes on. At most one per node per 10 minutes.
 * - lesson_setup_failed: a script the lesson runs in `node` at the start (Killercoda background.sh)
 *   failed or ran out of time; the lab works, but the lesson's starting state may be incomplete.
 */
export const ZSessionNoticeCode = z.enum([
  "disk_warning",
  "disk_limit",
  "oom_kill",
  "pids_limit",
  "lesson_setup_failed",
]);
export type TSessionNoticeCode = z.infer<typeof ZSessionNoticeCode>;

export const ZSessionNotice = z.object({
  code: ZSessionNoticeCode,
  node: ZNodeName.nullable(),
  at: z.iso.datetime(),
  usedBytes: z.number().int().nullable(),
  limitBytes: z.number().int().nullable(),
});
export type TSessionNotice = z.infer<typeof ZSessionNotice>;

/**
 * Where a queued session stands, computed when the view is built (never stored).
 * - position: 1 for the next session to start, counting only this installation's queue (FIFO).
 * - estimateSeconds: about how long until it starts: when the `position`-th place under
 *   MAX_SESSIONS frees up if every running session lasts until it expires (see
 *   queueEstimateSeconds in apps/api), so an upper bound in practice; 0 when a place is free now.
 */
export const ZSessionQueueInfo = z.object({
  position: z.number().int().min(1),
  estimateSeconds: z.number().int().min(0),
});
export type TSessionQueueInfo = z.infer<typeof ZSessionQueueInfo>;

export const ZSession = z.object({
  id: z.string(),
  status: ZSessionStatus,
  /**
   * Why the session failed or ended, as text: the detail of `stopReason` when it has one, else its
   * code (e.g. "expired", "deleted", "disk_limit"); null while healthy. Kept for API clients; the
   * web app words `stopReason.code` instead.
   */
  reason: z.string().nullable(),
  /** Why the session failed or ended, typed (see ZSessionStopReason); null while healthy. */
  stopReason: ZSessionStopReason.nullable(),
  lesson: z.string().nullable(),
  /** The node image the session runs on. */
  image: z.string(),
  /**
   * The image its lesson asks for, when the session runs on another one because this Kubelab does
   * not offer it (NODE_IMAGES) or does not have it; null when the session runs on the lesson's image.
   */
  requestedImage: z.string().nullable(),
  createdAt: z.iso.datetime(),
  readyAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime(),
  endedAt: z.iso.datetime().nullable(),
  extensions: z.number().int(),
  maxExtensions: z.number().int(),
  nodes: z.array(ZSessionNode),
  /** The most recent notices (at most SESSION_NOTICES_SHOWN), oldest first. */
  notices: z.array(ZSessionNotice),
  /** Its place in the waiting queue while `queued`; null in every other status. */
  queue: ZSessionQueueInfo.nullable(),
  /** The classroom event an attendee's session belongs to (its end ends the session); null otherwise. */
  event: z.object({ id: z.string(), title: z.string(), endsAt: z.iso.datetime() }).nullable(),
});

export const SESSION_NOTICES_SHOWN = 10;

/** How long after leaving the queue a reloaded lab page may take its old place back (rejoinQueue). */
export const QUEUE_REJOIN_SECONDS = 30;
export type TSession = z.infer<typeof ZSession>;

export const ZSessionList = z.object({ sessions: z.array(ZSession) });
export type TSessionList = z.infer<typeof ZSessionList>;

import { z } from "zod";
import { ZSessionStatus } from "./sessions";

/** One attendee of an event in the instructor's room: their latest session in the event. */
export const ZRoomAttendee = z.object({
  userId: z.string(),
  name: z.string(),
  sessionId: z.string(),
  status: ZSessionStatus,
  expiresAt: z.iso.datetime({ offset: true }),
  /** From the attendee's lesson progress (the event's lesson); 0 and [] before any. */
  currentStep: z.number().int(),
  doneSteps: z.array(z.number().int()),
  /** The done steps whose checks and quizzes passed on the server (issue 18); the rest were only marked done. */
  verifiedSteps: z.array(z.number().int()).default([]),
  /**
   * The last input typed into any of the session's terminals (to the second), or null: none since
   * the server started, or the session has ended.
   */
  lastActivityAt: z.iso.datetime({ offset: true }).nullable(),
  /** Their open help request (its id in `help`), or null. */
  helpRequestId: z.string().nullable(),
  /** When their current step became current (lesson progress), or null before any progress. */
  stepSince: z.iso.datetime({ offset: true }).nullable(),
});
export type TRoomAttendee = z.infer<typeof ZRoomAttendee>;

/** The progress board: how many attendees are on each of the lesson's steps, and have done it. */
export const ZRoomStep = z.object({
  step: z.number().int(),
  /** Attendees whose current step it is. */
  current: z.number().int(),
  /** Attendees who marked it done (verified or not). */
  done: z.number().int(),
  /** Of those, attendees whose checks and quizzes of the step passed on the server. */
  verified: z.number().int().default(0),
});
export type TRoomStep = z.infer<typeof ZRoomStep>;

/** An open help request in the room's queue. */
export const ZRoomHelpRequest = z.object({
  id: z.string(),
  userId: z.string(),
  name: z.string(),
  sessionId: z.string(),
  message: z.string().nullable(),
  step: z.number().int().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  /** When an instructor said they are looking, and who (their name); null before. */
  claimedAt: z.iso.datetime({ offset: true }).nullable(),
  claimedBy: z.string().nullable(),
});
export type TRoomHelpRequest = z.infer<typeof ZRoomHelpRequest>;

/** GET /api/events/:id/room, and each `room` message of GET /api/events/:id/room/stream. */
export const ZEventRoom = z.object({
  eventId: z.string(),
  lessonId: z.string(),
  /** Attendees by name (then user id). */
  attendees: z.array(ZRoomAttendee),
  /** One per lesson step, in order. */
  steps: z.array(ZRoomStep),
  /** Open help requests, oldest first (the queue). */
  help: z.array(ZRoomHelpRequest),
});
export type TEventRoom = z.infer<typeof ZEventRoom>;

/** POST /api/sessions/:id/help: raise a hand, optionally saying what is wrong and on which step. */
export const ZHelpRequestCreate = z.strictObject({
  message: z.string().trim().min(1).max(500).optional(),
  step: z.number().int().min(0).max(999).optional(),
});
export type THelpRequestCreate = z.infer<typeof ZHelpRequestCreate>;

/** The attendee's own open request, as POST and GET /api/sessions/:id/help return it. */
export const ZMyHelpRequest = z.object({
  id: z.string(),
  message: z.string().nullable(),
  step: z.number().int().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  /** 1: next in the event's queue (open requests, oldest first). */
  position: z.number().int().min(1),
  /** Someone is looking: an instructor claimed it. */
  claimed: z.boolean(),
  /** The instructor's name once claimed. */
  claimedBy: z.string().nullable(),
});
export type TMyHelpRequest = z.infer<typeof ZMyHelpRequest>;

/** GET /api/sessions/:id/help. */
export const ZMyHelp = z.object({ request: ZMyHelpRequest.nullable() });
export type TMyHelp = z.infer<typeof ZMyHelp>;

/** POST /api/events/:id/broadcasts: a message to every attendee, optionally a step to go to. */
export const ZBroadcastCreate = z.strictObject({
  message: z.string().trim().min(1).max(1000),
  step: z.number().int().min(0).max(999).optional(),
});
export type TBroadcastCreate = z.infer<typeof ZBroadcastCreate>;

export const ZBroadcast = z.object({
  id: z.string(),
  message: z.string(),
  step: z.number().int().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  /** The instructor's name; null once their account is gone. */
  author: z.string().nullable(),
});
export type TBroadcast = z.infer<typeof ZBroadcast>;

/** GET /api/events/:id/broadcasts (newest first). */
export const ZBroadcastList = z.object({ broadcasts: z.array(ZBroadcast) });
export type TBroadcastList = z.infer<typeof ZBroadcastList>;

/** GET /api/sessions/:id/broadcast: the latest broadcast of the session's event, or null. */
export const ZSessionBroadcast = z.object({ broadcast: ZBroadcast.nullable() });
export type TSessionBroadcast = z.infer<typeof ZSessionBroadcast>;

/** GET /api/events/:id/summary: the end-of-event figures (attendees: users with a session in it). */
export const ZEventSummary = z.object({
  eventId: z.string(),
  /** Attendees who joined. */
  joined: z.number().int(),
  /** Attendees whose session became ready. */
  started: z.number().int(),
  /** Attendees who marked every step of the lesson done. */
  finished: z.number().int(),
  /** Median of the attendees' done steps; null without attendees. */
  medianStepsDone: z.number().nullable(),
  /** Median seconds from join to a ready session, over those that started; null if none did. */
  medianSecondsToReady: z.number().nullable(),
});
export type TEventSummary = z.infer<typeof ZEventSummary>;

/**
 * GET /api/events/:id/sessions/:sessionId/terminals: what a watcher can open, for the watch page.
 * `terminals` are the ids of the node's shells running now (the attendee's tabs), "main" first.
 */
export const ZWatchTargets = z.object({
  sessionId: z.string(),
  userId: z.string(),
  name: z.string(),
  status: ZSessionStatus,
  nodes: z.array(z.object({ name: z.string(), terminals: z.array(z.string()) })),
  /** Whether the attendee allows take-over now (PUT /api/sessions/:id/takeover). */
  takeoverAllowed: z.boolean(),
  /** Their open help request, or null. */
  helpRequestId: z.string().nullable(),
});
export type TWatchTargets = z.infer<typeof ZWatchTargets>;

/** PUT /api/sessions/:id/takeover (the session's owner), and its answer. */
export const ZTakeoverSetting = z.strictObject({ allowed: z.boolean() });
export type TTakeoverSetting = z.infer<typeof ZTakeoverSetting>;

/** POST /api/events/:id/sessions/extend and /end: how many attendee sessions it changed. */
export const ZEventBulkResult = z.object({ count: z.number().int().nonnegative() });
export type TEventBulkResult = z.infer<typeof ZEventBulkResult>;

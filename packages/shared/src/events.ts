import { z } from "zod";
import { ZGuestLoginRequest } from "./auth";
import { ZLessonLanguage } from "./lessons";
import { ZSession } from "./sessions";

/** Who may join an event with its access code. */
export const ZEventJoinPolicy = z.enum([
  /** Anyone, as a guest (a name is enough). */
  "guests",
  /** Logged-in users, not guests. */
  "logged_in",
  /** Logged-in users whose login or email is on the event's allow-list. */
  "allow_list",
]);
export type TEventJoinPolicy = z.infer<typeof ZEventJoinPolicy>;

/** Letters and digits with no look-alikes (no 0/O, 1/I/L): easy to read aloud and type. */
export const EVENT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
export const EVENT_CODE_LENGTH = 8;

const ZAllowList = z
  .array(z.string().trim().toLowerCase().min(1).max(320))
  .max(1000)
  .transform((list) => [...new Set(list)]);

const eventFields = {
  title: z.string().trim().min(1).max(200),
  lessonId: z.string().min(1).max(200),
  /** One of the lesson's languages. */
  language: ZLessonLanguage,
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }),
  /** Attendees at most. */
  capacity: z.number().int().min(1).max(1000),
  /** An attendee session's length; default and maximum: the installation's SESSION_DURATION / SESSION_MAX_DURATION. */
  sessionSeconds: z.number().int().min(60),
  /** Extensions an attendee may ask for; at most SESSION_MAX_EXTENSIONS (the default). */
  maxExtensions: z.number().int().min(0),
  /** Warm sessions built before the start; default: the capacity, at most EVENT_MAX_RESERVED. */
  reservedSessions: z.number().int().min(0),
  /** How long before the start the reserved sessions are built (default 10 minutes, at most a day). */
  prepareSeconds: z.number().int().min(0).max(86_400),
  joinPolicy: ZEventJoinPolicy,
  /** Logins or emails (compared case-insensitively) for the allow_list policy. */
  allowList: ZAllowList,
};

/** POST /api/events. */
export const ZEventCreate = z.strictObject({
  title: eventFields.title,
  lessonId: eventFields.lessonId,
  language: eventFields.language,
  startsAt: eventFields.startsAt,
  endsAt: eventFields.endsAt,
  capacity: eventFields.capacity,
  sessionSeconds: eventFields.sessionSeconds.optional(),
  maxExtensions: eventFields.maxExtensions.optional(),
  reservedSessions: eventFields.reservedSessions.optional(),
  prepareSeconds: eventFields.prepareSeconds.default(600),
  joinPolicy: eventFields.joinPolicy.default("guests"),
  allowList: eventFields.allowList.default([]),
});
export type TEventCreate = z.infer<typeof ZEventCreate>;

/** PATCH /api/events/:id: any field of the create; the access code never changes. */
export const ZEventUpdate = z
  .strictObject({
    title: eventFields.title.optional(),
    lessonId: eventFields.lessonId.optional(),
    language: eventFields.language.optional(),
    startsAt: eventFields.startsAt.optional(),
    endsAt: eventFields.endsAt.optional(),
    capacity: eventFields.capacity.optional(),
    sessionSeconds: eventFields.sessionSeconds.optional(),
    maxExtensions: eventFields.maxExtensions.optional(),
    reservedSessions: eventFields.reservedSessions.optional(),
    prepareSeconds: eventFields.prepareSeconds.optional(),
    joinPolicy: eventFields.joinPolicy.optional(),
    allowList: eventFields.allowList.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, "give at least one field");
export type TEventUpdate = z.infer<typeof ZEventUpdate>;

export const ZEvent = z.object({
  id: z.string(),
  /** The instructor who created it. */
  ownerId: z.string(),
  title: z.string(),
  lessonId: z.string(),
  language: z.string(),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
  capacity: z.number().int(),
  sessionSeconds: z.number().int(),
  maxExtensions: z.number().int(),
  reservedSessions: z.number().int(),
  prepareSeconds: z.number().int(),
  joinPolicy: ZEventJoinPolicy,
  allowList: z.array(z.string()),
  /** EVENT_CODE_LENGTH characters of EVENT_CODE_ALPHABET. */
  accessCode: z.string(),
  /** The attendees' link, relative to the web app: /join/<accessCode>. */
  joinPath: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TEvent = z.infer<typeof ZEvent>;

export const ZEventList = z.object({
  /** By start time, soonest first. */
  events: z.array(ZEvent),
});
export type TEventList = z.infer<typeof ZEventList>;

/**
 * POST /api/events/join (public). `name`: for the guests policy when nobody is logged in (it logs a
 * guest in). Wrong and unknown codes get the same 404; attempts are rate-limited per address.
 */
export const ZEventJoinRequest = z.strictObject({
  code: z.string().trim().min(1).max(40),
  name: ZGuestLoginRequest.shape.name.optional(),
});
export type TEventJoinRequest = z.infer<typeof ZEventJoinRequest>;

/** The join's answer: the event as attendees see it, and the attendee's session in it. */
export const ZEventJoinResponse = z.object({
  event: ZEvent.pick({ id: true, title: true, lessonId: true, language: true, startsAt: true, endsAt: true }),
  session: ZSession,
});
export type TEventJoinResponse = z.infer<typeof ZEventJoinResponse>;

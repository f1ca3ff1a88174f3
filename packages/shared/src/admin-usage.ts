import { z } from "zod";

/** The warm pool of one image (its general pool, keyed by the image; event pools are not counted). */
export const ZAdminImagePool = z.object({
  /** Pooled sessions wanted (POOL_SIZE / POOL_SIZES, or the console's value). */
  wanted: z.number().int(),
  /** Pooled sessions ready to claim now. */
  ready: z.number().int(),
  /** Pool sessions being built now. */
  building: z.number().int(),
});
export type TAdminImagePool = z.infer<typeof ZAdminImagePool>;

export const ZAdminImage = z.object({
  /** As allowed in the configuration, e.g. kubelab/node-offline:latest. */
  image: z.string(),
  /** NODE_IMAGE: sessions without a lesson image, and the fallback, run on it. */
  isDefault: z.boolean(),
  /** Whether the Docker engine has it; null when the engine did not answer. */
  present: z.boolean().nullable(),
  /** Bytes as the engine reports them (null when missing). */
  sizeBytes: z.number().nullable(),
  createdAt: z.iso.datetime().nullable(),
  pool: ZAdminImagePool,
  /** Lessons whose nodes run on it (lessons without an image use the default image). */
  lessons: z.array(z.string()),
});
export type TAdminImage = z.infer<typeof ZAdminImage>;

export const ZAdminWarningCode = z.enum([
  "default_image_missing",
  "lesson_image_missing",
  "lesson_image_not_allowed",
  "engine_unreachable",
]);
export type TAdminWarningCode = z.infer<typeof ZAdminWarningCode>;

/** Something an admin should fix, shown on the admin home; the web app words it from `code`. */
export const ZAdminWarning = z.object({
  code: ZAdminWarningCode,
  lessonId: z.string().nullable(),
  image: z.string().nullable(),
});
export type TAdminWarning = z.infer<typeof ZAdminWarning>;

export const ZAdminImageList = z.object({
  images: z.array(ZAdminImage),
  warnings: z.array(ZAdminWarning),
});
export type TAdminImageList = z.infer<typeof ZAdminImageList>;

const ZDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD");

/** ?from=YYYY-MM-DD&to=YYYY-MM-DD, whole UTC days, both included; by default the last 30 days. */
export const ZAdminUsageQuery = z.object({
  from: ZDay.optional(),
  to: ZDay.optional(),
});
export type TAdminUsageQuery = z.infer<typeof ZAdminUsageQuery>;

/** Sessions live in a period, and node-hours: each session's nodes × its live hours within it. */
export const ZUsageFigures = z.object({
  sessions: z.number().int(),
  nodeHours: z.number(),
});

export const ZAdminUsage = z.object({
  from: ZDay,
  to: ZDay,
  totals: ZUsageFigures,
  /** Every day of the range, oldest first; `started`: sessions that became live that day. */
  days: z.array(ZUsageFigures.extend({ day: ZDay, started: z.number().int() })),
  /** Most node-hours first; sessions outside events are not listed here. */
  events: z.array(ZUsageFigures.extend({ eventId: z.string(), title: z.string() })),
  /** Most node-hours first. */
  users: z.array(ZUsageFigures.extend({ userId: z.string(), name: z.string(), login: z.string().nullable() })),
});
export type TAdminUsage = z.infer<typeof ZAdminUsage>;

import { z } from "zod";
import { ZLessonId, ZNodeName } from "./sessions";

export const ZLessonLanguage = z.string().regex(/^[a-z]{2}$/, "language must be a two-letter code like es or en");

export const ZLessonDifficulty = z.enum(["beginner", "intermediate", "advanced"]);

/** Front matter of a lesson file (docs/lesson-format.md). Unknown keys are errors: they are usually typos. */
export const ZLessonFrontMatter = z.strictObject({
  title: z.string().trim().min(1).max(120),
  description: z.string().trim().min(1).max(500),
  duration: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  difficulty: ZLessonDifficulty,
  nodes: z
    .array(ZNodeName)
    .min(1)
    .max(9)
    .refine((nodes) => new Set(nodes).size === nodes.length, "nodes must not repeat"),
  image: z.string().min(1).max(200).optional(),
  tags: z.array(z.string().min(1).max(40)).max(20).default([]),
});
export type TLessonFrontMatter = z.infer<typeof ZLessonFrontMatter>;

export const ZLessonBlock = z.object({
  id: z.string(),
  language: z.string(),
  /** Target terminal; null for copy-only blocks. */
  node: ZNodeName.nullable(),
  /** run: type and press Enter; edit: type without Enter; copy: no terminal action. */
  mode: z.enum(["run", "edit", "copy"]),
  /** Exactly the block's text, without the final newline. */
  command: z.string(),
});
export type TLessonBlock = z.infer<typeof ZLessonBlock>;

export const ZLessonPortLink = z.object({
  node: ZNodeName,
  port: z.number().int().min(1).max(65535),
  path: z.string(),
  text: z.string(),
});
export type TLessonPortLink = z.infer<typeof ZLessonPortLink>;

export const ZLessonStep = z.object({
  index: z.number().int(),
  title: z.string(),
  /** Sanitized HTML; each code block is a <div data-block-id="..."> the web app enhances. */
  html: z.string(),
  blocks: z.array(ZLessonBlock),
  portLinks: z.array(ZLessonPortLink),
});
export type TLessonStep = z.infer<typeof ZLessonStep>;

export const ZLesson = z.object({
  id: ZLessonId,
  lang: ZLessonLanguage,
  languages: z.array(ZLessonLanguage),
  title: z.string(),
  description: z.string(),
  durationMinutes: z.number().int(),
  difficulty: ZLessonDifficulty,
  nodes: z.array(ZNodeName),
  image: z.string().nullable(),
  tags: z.array(z.string()),
  introHtml: z.string(),
  steps: z.array(ZLessonStep),
});
export type TLesson = z.infer<typeof ZLesson>;

export const ZLessonSummary = z.object({
  id: ZLessonId,
  languages: z.array(ZLessonLanguage),
  titles: z.record(z.string(), z.string()),
  descriptions: z.record(z.string(), z.string()),
  durationMinutes: z.number().int(),
  difficulty: ZLessonDifficulty,
  nodes: z.array(ZNodeName),
  tags: z.array(z.string()),
  steps: z.number().int(),
});
export type TLessonSummary = z.infer<typeof ZLessonSummary>;

export const ZLessonCatalog = z.object({ lessons: z.array(ZLessonSummary) });
export type TLessonCatalog = z.infer<typeof ZLessonCatalog>;

/** Where a user is in a lesson; kept per user and lesson so it survives new sessions. */
export const ZLessonProgressUpdate = z.strictObject({
  currentStep: z.number().int().min(0).max(999),
  doneSteps: z
    .array(z.number().int().min(0).max(999))
    .max(1000)
    .transform((steps) => [...new Set(steps)].sort((a, b) => a - b)),
});
export type TLessonProgressUpdate = z.infer<typeof ZLessonProgressUpdate>;

export const ZLessonProgress = z.object({
  lesson: z.string(),
  currentStep: z.number().int(),
  doneSteps: z.array(z.number().int()),
});
export type TLessonProgress = z.infer<typeof ZLessonProgress>;

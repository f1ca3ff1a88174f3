import { z } from "zod";
import { ZLessonId, ZNodeName } from "./sessions";

export const ZLessonLanguage = z.string().regex(/^[a-z]{2}$/, "language must be a two-letter code like es or en");

export const ZLessonDifficulty = z.enum(["beginner", "intermediate", "advanced"]);

/** What a lesson asks for one node: memory like "4g" or "1536m", CPUs like 2 or 1.5. */
export const ZLessonNodeResources = z.strictObject({
  memory: z
    .string()
    .regex(/^[1-9][0-9]*(\.[0-9]+)?[mg]$/i, "memory must look like 4g or 1536m")
    .optional(),
  cpus: z.number().positive().max(64).optional(),
});
export type TLessonNodeResources = z.infer<typeof ZLessonNodeResources>;

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
  /** Steps must be verified (their checks and quizzes passed) before the next one opens. */
  gated: z.boolean().default(false),
  /** Node resources the lesson asks for (e.g. node1: { memory: 4g }); granted within the admin's limits. */
  resources: z.record(ZNodeName, ZLessonNodeResources).default({}),
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
  /** Press Ctrl-C before typing (Killercoda's {{exec interrupt}}); absent means false. */
  interrupt: z.boolean().optional(),
});
export type TLessonBlock = z.infer<typeof ZLessonBlock>;

export const ZLessonPortLink = z.object({
  node: ZNodeName,
  port: z.number().int().min(1).max(65535),
  path: z.string(),
  text: z.string(),
});
export type TLessonPortLink = z.infer<typeof ZLessonPortLink>;

/**
 * A check block (```bash node1 check```): a script the server runs in that node when the
 * attendee presses "Check" (or after a run block of the step when `auto`). Its script, and the
 * step's hint, never reach the browser: they live in the lesson's secrets (@kubelab/lessons).
 */
export const ZLessonCheck = z.object({
  /** "s<step>-c<n>", unique in the lesson. */
  id: z.string(),
  node: ZNodeName,
  timeoutSeconds: z.number().int().min(1).max(300),
  auto: z.boolean(),
});
export type TLessonCheck = z.infer<typeof ZLessonCheck>;

/** A quiz (```quiz``` block) as the browser sees it: no answers. */
export const ZLessonQuiz = z.object({
  /** "s<step>-q<n>", unique in the lesson. */
  id: z.string(),
  /** Sanitized HTML of the question. */
  questionHtml: z.string(),
  /** Sanitized inline HTML of each choice, in the lesson's order. */
  choices: z.array(z.string()).min(2),
  /** More than one right choice: the page shows checkboxes, not radio buttons. */
  multiple: z.boolean(),
});
export type TLessonQuiz = z.infer<typeof ZLessonQuiz>;

/** A download link (`download:node1:/root/file.txt`): the lab page fetches the file from the node. */
export const ZLessonDownloadLink = z.object({ node: ZNodeName, path: z.string(), text: z.string() });
export type TLessonDownloadLink = z.infer<typeof ZLessonDownloadLink>;

export const ZLessonStep = z.object({
  index: z.number().int(),
  title: z.string(),
  /**
   * Sanitized HTML; each code block is a <div data-block-id="..."> the web app enhances, each
   * check a <div data-check-id="...">, each quiz a <div data-quiz-id="...">. Text and commands
   * may hold variables ({{session.id}}, see ZLessonVariable) the lab page fills in.
   */
  html: z.string(),
  blocks: z.array(ZLessonBlock),
  portLinks: z.array(ZLessonPortLink),
  checks: z.array(ZLessonCheck).default([]),
  quizzes: z.array(ZLessonQuiz).default([]),
  downloadLinks: z.array(ZLessonDownloadLink).default([]),
  /** Sanitized HTML of the step's solution (```solution``` block), revealed on request; null if none. */
  solutionHtml: z.string().nullable().default(null),
  /** Typed into a node's terminal when the attendee first opens the step (Killercoda foreground.sh). */
  foreground: z.object({ node: ZNodeName, command: z.string() }).nullable().default(null),
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
  /** Sanitized HTML shown after the last step (Killercoda's finish page); empty if none. */
  finishHtml: z.string().default(""),
  gated: z.boolean().default(false),
  resources: z.record(ZNodeName, ZLessonNodeResources).default({}),
  /** Where the lesson came from: a Kubelab lesson folder or a Killercoda scenario (index.json). */
  format: z.enum(["kubelab", "killercoda"]).default("kubelab"),
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
  /** Steps the attendee marked done (verified or not). */
  doneSteps: z.array(z.number().int()),
  /** Steps whose checks and quizzes all passed on the server: a subset of doneSteps. */
  verifiedSteps: z.array(z.number().int()).default([]),
  /** Ids of the checks and quizzes passed so far. */
  passed: z.array(z.string()).default([]),
});
export type TLessonProgress = z.infer<typeof ZLessonProgress>;

/**
 * The variables lesson text and commands may use, written {{name}}; the lab page fills them in
 * for the attendee's session. Any other {{...}} is left as it is (Go templates in
 * `docker inspect --format '{{.State}}'` are common); lessons:check flags near misses.
 *   session.id              the session id
 *   user.name               the attendee's display name
 *   nodeN.hostname, nodeN.ip
 *   nodeN.url.PORT          the port's URL in the host form (https://PORT-nodeN-<session>.<domain>/)
 *   nodeN.pathurl.PORT      the port's URL in the path form (<origin>/ports/<session>/nodeN/PORT/)
 */
export const LESSON_VARIABLE =
  /\{\{\s*(session\.id|user\.name|node[1-9]\.(?:hostname|ip|url\.\d{1,5}|pathurl\.\d{1,5}))\s*\}\}/g;

/** POST /api/sessions/:id/checks/:checkId: the result of running a check in its node. */
export const ZCheckResult = z.object({
  checkId: z.string(),
  passed: z.boolean(),
  /** The script ran past its time limit and was killed (passed is false). */
  timedOut: z.boolean(),
  exitCode: z.number().int().nullable(),
  /** The script's output (stdout and stderr), at most 4 KiB: its last part when longer. */
  output: z.string(),
  truncated: z.boolean(),
  durationMs: z.number().int(),
  /** Sanitized HTML of the step's hint, only when the check failed and the step has one. */
  hintHtml: z.string().nullable(),
  progress: ZLessonProgress,
});
export type TCheckResult = z.infer<typeof ZCheckResult>;

/** POST /api/lessons/:id/quizzes/:quizId/answers. */
export const ZQuizAnswer = z.strictObject({
  choices: z
    .array(z.number().int().min(0).max(99))
    .min(1)
    .max(100)
    .transform((c) => [...new Set(c)].sort((a, b) => a - b)),
});
export type TQuizAnswer = z.infer<typeof ZQuizAnswer>;

export const ZQuizResult = z.object({
  quizId: z.string(),
  correct: z.boolean(),
  /** Sanitized HTML explanation, only once answered correctly. */
  explanationHtml: z.string().nullable(),
  progress: ZLessonProgress,
});
export type TQuizResult = z.infer<typeof ZQuizResult>;

/**
 * The parts of a lesson the browser must not see before the attendee earns them: check scripts,
 * quiz answers, hints, and the scripts a session runs on its own (Killercoda background.sh).
 * The server keeps them beside the public TLesson (LessonCatalog.secrets) and never serializes them.
 */
export interface LessonSecrets {
  /** check id → what the server runs for it. */
  checks: Record<string, { step: number; node: string; script: string; timeoutSeconds: number }>;
  /** step index → sanitized HTML of its hint (```hint``` block), revealed after a failed check. */
  hints: Record<number, string>;
  /** quiz id → the right choices (0-based, sorted) and the explanation shown once answered right. */
  quizzes: Record<string, { step: number; correct: number[]; explanationHtml: string | null }>;
  /** Scripts run in a node once the session starts (Killercoda intro background.sh). */
  setup: { node: string; script: string }[];
  /** step index → script run in a node when the attendee first opens that step (step background.sh). */
  stepBackground: Record<number, { node: string; script: string }>;
}

export function emptySecrets(): LessonSecrets {
  return { checks: {}, hints: {}, quizzes: {}, setup: [], stepBackground: {} };
}

import type { TLesson } from "@kubelab/shared";
import { LessonError } from "./lesson-error";
import type { LessonSecrets } from "./lesson-secrets";

/** One language version of a lesson as the catalog checks it. */
export interface LessonVersion {
  lesson: Omit<TLesson, "languages">;
  secrets: LessonSecrets;
  /** Shown in errors, e.g. content/lessons/demo/en.md. */
  file: string;
}

function describeStep(version: LessonVersion, index: number): string {
  const step = version.lesson.steps[index]!;
  const checks = step.checks.map((c) => `${c.id} on ${c.node}`);
  const quizzes = step.quizzes.map((q) => {
    const answer = version.secrets.quizzes[q.id];
    return `${q.id} (${q.choices.length} choices, right: ${answer?.correct.join("+") ?? "?"})`;
  });
  return [...checks, ...quizzes].join(", ") || "no checks or quizzes";
}

/**
 * The language versions of a lesson are the same lesson: a session made from one must fit the
 * others, steps must line up for progress to carry over, and a check or quiz passed in one
 * language counts in all of them (same ids, nodes and right answers).
 */
export function checkTranslationsAgree(versions: LessonVersion[]): LessonError[] {
  const errors: LessonError[] = [];
  const [first, ...others] = versions;
  if (!first) return errors;
  const base = first.lesson;
  for (const other of others) {
    const lesson = other.lesson;
    const error = (message: string): number => errors.push(new LessonError(other.file, 1, message));
    if (lesson.nodes.join() !== base.nodes.join() || lesson.image !== base.image) {
      error(`nodes and image must match ${base.lang}.md`);
    }
    if (lesson.gated !== base.gated || JSON.stringify(lesson.resources) !== JSON.stringify(base.resources)) {
      error(`gated and resources must match ${base.lang}.md`);
    }
    if (lesson.steps.length !== base.steps.length) {
      error(`has ${lesson.steps.length} steps, ${base.lang}.md has ${base.steps.length}`);
      continue;
    }
    lesson.steps.forEach((step, index) => {
      const mine = describeStep(other, index);
      const theirs = describeStep(first, index);
      if (mine !== theirs) {
        error(`step ${index + 1} ("${step.title}") has ${mine}; ${base.lang}.md has ${theirs}`);
      }
    });
  }
  return errors;
}

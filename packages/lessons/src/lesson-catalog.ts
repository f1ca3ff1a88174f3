import fs from "node:fs";
import path from "node:path";
import { ZLessonId, type TLesson, type TLessonSummary } from "@kubelab/shared";
import { LessonError } from "./lesson-error";
import { emptySecrets, type LessonSecrets } from "./lesson-secrets";
import { parseLesson } from "./parse-lesson";

export interface LoadedCatalog {
  /** lesson id → language → lesson */
  lessons: Map<string, Map<string, TLesson>>;
  /** lesson id → language → what the server keeps from the browser (check scripts, answers). */
  secrets: Map<string, Map<string, LessonSecrets>>;
  errors: LessonError[];
  /** Things that load but do not map exactly (e.g. Killercoda features Kubelab does not have). */
  warnings: LessonError[];
}

/** Reads every lesson under `dir` (content/lessons). Invalid files are reported, not fatal. */
export function loadLessonCatalog(dir: string, assetUrlFor: (id: string) => string): LoadedCatalog {
  const lessons = new Map<string, Map<string, TLesson>>();
  const secrets = new Map<string, Map<string, LessonSecrets>>();
  const errors: LessonError[] = [];
  const warnings: LessonError[] = [];
  if (!fs.existsSync(dir)) return { lessons, secrets, errors, warnings };
  const display = (file: string): string => path.relative(process.cwd(), file) || file;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory()) continue;
    const folder = path.join(dir, entry.name);
    if (!ZLessonId.safeParse(entry.name).success) {
      errors.push(
        new LessonError(display(folder), 0, "lesson folder names must be lowercase letters, digits and dashes"),
      );
      continue;
    }
    const files = fs.readdirSync(folder).filter((name) => /^[a-z]{2}\.md$/.test(name));
    if (files.length === 0) {
      errors.push(new LessonError(display(folder), 0, "no language file (es.md, en.md, ...) in the lesson folder"));
      continue;
    }
    const byLanguage = new Map<string, Omit<TLesson, "languages">>();
    for (const name of files.sort()) {
      const file = path.join(folder, name);
      try {
        byLanguage.set(
          name.slice(0, 2),
          parseLesson(fs.readFileSync(file, "utf8"), {
            id: entry.name,
            lang: name.slice(0, 2),
            file: display(file),
            assetBaseUrl: assetUrlFor(entry.name),
          }),
        );
      } catch (error) {
        if (error instanceof LessonError) errors.push(error);
        else throw error;
      }
    }
    const languages = [...byLanguage.keys()];
    if (languages.length === 0) continue;
    checkTranslationsAgree(byLanguage, folder, display, errors);
    lessons.set(entry.name, new Map([...byLanguage].map(([lang, lesson]) => [lang, { ...lesson, languages }])));
    // Filled in by the parser of checks and quizzes (issue 18).
    secrets.set(entry.name, new Map(languages.map((lang) => [lang, emptySecrets()])));
  }
  return { lessons, secrets, errors, warnings };
}

// The language versions of a lesson are the same lesson: a session made from
// one must fit the others, and steps must line up for progress to carry over.
function checkTranslationsAgree(
  byLanguage: Map<string, Omit<TLesson, "languages">>,
  folder: string,
  display: (file: string) => string,
  errors: LessonError[],
): void {
  const [first, ...others] = [...byLanguage.values()];
  if (!first) return;
  for (const other of others) {
    const file = display(path.join(folder, `${other.lang}.md`));
    if (other.nodes.join() !== first.nodes.join() || other.image !== first.image) {
      errors.push(new LessonError(file, 1, `nodes and image must match ${first.lang}.md`));
    }
    if (other.steps.length !== first.steps.length) {
      errors.push(
        new LessonError(file, 1, `has ${other.steps.length} steps, ${first.lang}.md has ${first.steps.length}`),
      );
    }
  }
}

export function summarize(versions: Map<string, TLesson>): TLessonSummary {
  const all = [...versions.values()];
  const first = all[0]!;
  return {
    id: first.id,
    languages: first.languages,
    titles: Object.fromEntries(all.map((l) => [l.lang, l.title])),
    descriptions: Object.fromEntries(all.map((l) => [l.lang, l.description])),
    durationMinutes: first.durationMinutes,
    difficulty: first.difficulty,
    nodes: first.nodes,
    tags: first.tags,
    steps: first.steps.length,
  };
}

import fs from "node:fs";
import path from "node:path";
import { ZLessonId, type TLesson, type TLessonSummary } from "@kubelab/shared";
import { KILLERCODA_INDEX, loadKillercodaScenario } from "./killercoda-scenario";
import { LessonError } from "./lesson-error";
import type { LessonSecrets } from "./lesson-secrets";
import { checkTranslationsAgree, type LessonVersion } from "./lesson-translations";
import { parseLessonWithSecrets } from "./parse-lesson";

export interface LoadedCatalog {
  /** lesson id → language → lesson */
  lessons: Map<string, Map<string, TLesson>>;
  /** lesson id → language → what the server keeps from the browser (check scripts, answers). */
  secrets: Map<string, Map<string, LessonSecrets>>;
  errors: LessonError[];
  /** Things that load but do not map exactly (e.g. Killercoda features Kubelab does not have). */
  warnings: LessonError[];
}

/**
 * Reads every lesson under `dir` (content/lessons): folders with language files (es.md, en.md)
 * and Killercoda scenario folders (index.json). Invalid files are reported, not fatal.
 */
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
    if (files.length === 0 && fs.existsSync(path.join(folder, KILLERCODA_INDEX))) {
      try {
        const scenario = loadKillercodaScenario(folder, {
          id: entry.name,
          display,
          assetBaseUrl: assetUrlFor(entry.name),
        });
        warnings.push(...scenario.warnings);
        lessons.set(entry.name, new Map([["en", { ...scenario.lesson, languages: ["en"] }]]));
        secrets.set(entry.name, new Map([["en", scenario.secrets]]));
      } catch (error) {
        if (error instanceof LessonError) errors.push(error);
        else throw error;
      }
      continue;
    }
    if (files.length === 0) {
      errors.push(
        new LessonError(
          display(folder),
          0,
          "no language file (es.md, en.md, ...) or Killercoda index.json in the lesson folder",
        ),
      );
      continue;
    }
    const versions: LessonVersion[] = [];
    for (const name of files.sort()) {
      const file = path.join(folder, name);
      try {
        const parsed = parseLessonWithSecrets(fs.readFileSync(file, "utf8"), {
          id: entry.name,
          lang: name.slice(0, 2),
          file: display(file),
          assetBaseUrl: assetUrlFor(entry.name),
        });
        versions.push({ ...parsed, file: display(file) });
      } catch (error) {
        if (error instanceof LessonError) errors.push(error);
        else throw error;
      }
    }
    if (versions.length === 0) continue;
    errors.push(...checkTranslationsAgree(versions));
    const languages = versions.map((v) => v.lesson.lang);
    lessons.set(entry.name, new Map(versions.map((v) => [v.lesson.lang, { ...v.lesson, languages }])));
    secrets.set(entry.name, new Map(versions.map((v) => [v.lesson.lang, v.secrets])));
  }
  return { lessons, secrets, errors, warnings };
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

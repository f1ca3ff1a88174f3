#!/usr/bin/env node
// `npm run lessons:check`: validates every lesson; exits 1 listing each problem as file:line: message.
// Warnings (what a Killercoda scenario uses that Kubelab does not map) are printed but do not fail.
import path from "node:path";
import type { TLesson } from "@kubelab/shared";
import { loadLessonCatalog } from "./lesson-catalog";

const dir = path.resolve(process.argv[2] ?? "content/lessons");
const { lessons, errors, warnings } = loadLessonCatalog(dir, (id) => `/api/lessons/${id}/assets`);
for (const warning of warnings) console.error(`warning: ${warning.message}`);
for (const error of errors) console.error(error.message);

const count = (lesson: TLesson, what: "blocks" | "checks" | "quizzes"): number =>
  lesson.steps.reduce((n, s) => n + s[what].length, 0);
for (const [id, versions] of lessons) {
  const parts = [...versions.values()].map((l) => {
    const extras = [`${count(l, "checks")} checks`, `${count(l, "quizzes")} quizzes`];
    return `${l.lang}: ${l.steps.length} steps, ${count(l, "blocks")} blocks, ${extras.join(", ")}`;
  });
  const format = [...versions.values()][0]?.format === "killercoda" ? " [Killercoda scenario]" : "";
  console.log(`${id}${format} (${parts.join("; ")})`);
}
if (warnings.length > 0) console.error(`\n${warnings.length} warning(s): what Kubelab does not map (not errors)`);
if (errors.length > 0) {
  console.error(`\n${errors.length} problem(s) in ${dir}`);
  process.exitCode = 1;
} else {
  console.log(`All ${lessons.size} lesson(s) in ${path.relative(process.cwd(), dir) || dir} are valid.`);
}

#!/usr/bin/env node
// `npm run lessons:check`: validates every lesson; exits 1 listing each problem as file:line: message.
// Warnings (what a Killercoda scenario uses that Kubelab does not map) are printed but do not fail.
import path from "node:path";
import { loadLessonCatalog } from "./lesson-catalog";

const dir = path.resolve(process.argv[2] ?? "content/lessons");
const { lessons, errors, warnings } = loadLessonCatalog(dir, (id) => `/api/lessons/${id}/assets`);
for (const warning of warnings) console.error(`warning: ${warning.message}`);
for (const error of errors) console.error(error.message);
for (const [id, versions] of lessons) {
  const parts = [...versions.values()].map(
    (l) => `${l.lang}: ${l.steps.length} steps, ${l.steps.reduce((n, s) => n + s.blocks.length, 0)} blocks`,
  );
  console.log(`${id} (${parts.join("; ")})`);
}
if (errors.length > 0) {
  console.error(`\n${errors.length} problem(s) in ${dir}`);
  process.exitCode = 1;
} else {
  console.log(`All ${lessons.size} lesson(s) in ${path.relative(process.cwd(), dir) || dir} are valid.`);
}

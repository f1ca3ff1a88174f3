// Builds the Next.js app only when its sources changed since the last build:
// `next build` takes most of a minute and `npm start` runs the build each time.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../apps/web");
const marker = path.join(web, ".next", "BUILD_ID");

function newestMtime(target) {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) {
    // Outputs, not inputs of next build: dist-unit is the unit-test build of lib/ (npm run
    // build:unit), .next-dev the development server's (npm run dev).
    if ([".next", ".next-dev", "node_modules", "dist-unit"].includes(entry)) continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

const sources = [web, path.resolve(web, "../../packages/shared/src")];
const built = fs.existsSync(marker) ? fs.statSync(marker).mtimeMs : 0;
if (process.argv.includes("--force") || sources.some((dir) => newestMtime(dir) > built)) {
  execFileSync("npx", ["next", "build"], {
    cwd: web,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
} else {
  console.log("[kubelab] web app up to date");
}

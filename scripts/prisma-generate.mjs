// Generates the Prisma client offline. Two conditions keep the CLI from
// downloading native engines (unreachable on machines without internet):
// it must load prisma.config.ts (engine "js"), and DATABASE_URL must be set,
// even though generating never connects.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
execFileSync(
  path.join(root, "node_modules/.bin/prisma"),
  ["generate", "--config", path.join(root, "prisma.config.ts")],
  {
    cwd: root,
    stdio: "inherit",
    env: {
      ...process.env,
      CHECKPOINT_DISABLE: "1",
      DATABASE_URL: process.env.DATABASE_URL || "postgresql://generate@localhost/generate",
    },
  },
);

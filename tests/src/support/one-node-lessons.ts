import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * A LESSONS_DIR with one lesson, "solo", of one node: for tests about sessions rather than what runs
 * in them (one inner dockerd per session is cheaper than the default pair).
 */
export function oneNodeLessons(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-one-node-lessons-"));
  // Each test file runs in its own process, whose servers are stopped by then.
  process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, "solo"));
  fs.writeFileSync(
    path.join(dir, "solo", "en.md"),
    "---\ntitle: Solo\ndescription: One node.\nduration: 20\ndifficulty: beginner\nnodes: [node1]\n" +
      "image: kubelab/node-offline:latest\ntags: [test]\n---\n## Step\n\ntext\n",
  );
  return dir;
}

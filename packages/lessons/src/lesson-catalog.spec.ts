import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { loadLessonCatalog } from "./lesson-catalog";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-catalog-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function writeLesson(id: string, files: Record<string, string>): void {
  fs.mkdirSync(path.join(root, id), { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(root, id, name), text);
}

const front = (title: string): string =>
  `---\ntitle: ${title}\ndescription: d\nduration: 5\ndifficulty: beginner\nnodes: [node1, node2]\n---\n`;
const checkedStep = (node: string, script: string, right: string): string =>
  `## Step\n\n\`\`\`bash ${node} check\n${script}\n\`\`\`\n\n\`\`\`hint\n${script}-hint\n\`\`\`\n\n\`\`\`quiz\nQ?\n- [${right === "a" ? "x" : " "}] a\n- [${right === "b" ? "x" : " "}] b\n\`\`\`\n`;

describe("lesson catalog", () => {
  it("returns the secrets of each lesson and language", () => {
    writeLesson("good", {
      "en.md": front("Good") + checkedStep("node1", "exit 0", "a"),
      "es.md": front("Bueno") + checkedStep("node1", "exit 0 # es", "a"),
    });
    const { lessons, secrets, errors } = loadLessonCatalog(root, (id) => `/assets/${id}`);
    assert.deepEqual(
      errors.filter((e) => e.file.includes("good")),
      [],
    );
    assert.deepEqual(lessons.get("good")?.get("es")?.languages, ["en", "es"]);
    assert.equal(secrets.get("good")?.get("en")?.checks["s0-c0"]?.script, "exit 0");
    assert.equal(secrets.get("good")?.get("es")?.checks["s0-c0"]?.script, "exit 0 # es");
    assert.equal(secrets.get("good")?.get("es")?.hints[0], "<p>exit 0 # es-hint</p>\n");
    assert.deepEqual(secrets.get("good")?.get("en")?.quizzes["s0-q0"]?.correct, [0]);
  });

  it("requires translations to agree on check ids, nodes and quiz answers", () => {
    writeLesson("drift", {
      "en.md": front("Drift") + checkedStep("node1", "exit 0", "a"),
      "es.md": front("Deriva") + checkedStep("node2", "exit 0", "b"),
    });
    const { errors } = loadLessonCatalog(root, (id) => `/assets/${id}`);
    const drift = errors.filter((e) => e.file.includes("drift"));
    assert.equal(drift.length, 1, drift.map((e) => e.message).join("\n"));
    assert.match(
      drift[0]!.message,
      /es\.md:1: step 1 \("Step"\) has s0-c0 on node2, s0-q0 \(2 choices, right: 1\); en\.md has s0-c0 on node1, s0-q0 \(2 choices, right: 0\)/,
    );
  });
});

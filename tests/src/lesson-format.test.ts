// The lesson format: parsing, sanitizing and error reporting (pure functions, no server).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { LessonError, parseLesson } from "@kubelab/lessons";
import { REPO_ROOT } from "./support/repo-paths";

const options = {
  id: "demo",
  lang: "en",
  file: "content/lessons/demo/en.md",
  assetBaseUrl: "/api/lessons/demo/assets",
};

function lesson(
  body: string,
  frontMatter = "title: Demo\ndescription: A demo.\nduration: 30\ndifficulty: beginner\nnodes: [node1, node2]",
): string {
  return `---\n${frontMatter}\n---\n${body}`;
}

function errorOf(source: string): LessonError {
  try {
    parseLesson(source, options);
  } catch (error) {
    if (error instanceof LessonError) return error;
    throw error;
  }
  assert.fail("expected a LessonError");
}

describe("lesson format", () => {
  it("turns level-2 sections into steps with runnable, editable and copy-only blocks", () => {
    const parsed = parseLesson(
      lesson(
        [
          "Welcome text.",
          "",
          "## Start the `cluster`",
          "",
          "```bash node1",
          "kubeadm init --apiserver-advertise-address $(hostname -i)",
          "```",
          "",
          "```bash node2 edit",
          "kubeadm join <ip>:6443 --token <token>",
          "```",
          "",
          "## Look around",
          "",
          "```bash node1",
          "cat > pod.yaml <<'EOF'",
          "kind: Pod",
          "EOF",
          "kubectl get nodes",
          "```",
          "",
          "```text",
          "NAME    STATUS",
          "```",
        ].join("\n"),
      ),
      options,
    );
    assert.equal(parsed.title, "Demo");
    assert.deepEqual(parsed.nodes, ["node1", "node2"]);
    assert.match(parsed.introHtml, /Welcome text/);
    assert.deepEqual(
      parsed.steps.map((s) => s.title),
      ["Start the cluster", "Look around"],
    );
    const [init, join] = parsed.steps[0]!.blocks;
    assert.deepEqual(init, {
      id: "s0-b0",
      language: "bash",
      node: "node1",
      mode: "run",
      command: "kubeadm init --apiserver-advertise-address $(hostname -i)",
    });
    assert.equal(join?.mode, "edit");
    assert.equal(join?.node, "node2");
    const [multi, output] = parsed.steps[1]!.blocks;
    assert.equal(multi?.command, "cat > pod.yaml <<'EOF'\nkind: Pod\nEOF\nkubectl get nodes");
    assert.equal(output?.mode, "copy");
    assert.equal(output?.node, null);
    assert.match(parsed.steps[1]!.html, /data-block-id="s1-b0"/);
    assert.doesNotMatch(parsed.steps[0]!.html, /<h2/, "the title is data, not part of the step's HTML");
  });

  it("renders port links and images for the web app", () => {
    const parsed = parseLesson(
      lesson(
        "## Web\n\nOpen [the UI](port:node1:8000) or [NodePort](port:node2:30001/index.html).\n\n![diagram](images/arch.png)",
      ),
      options,
    );
    assert.deepEqual(parsed.steps[0]!.portLinks, [
      { node: "node1", port: 8000, path: "/", text: "the UI" },
      { node: "node2", port: 30001, path: "/index.html", text: "NodePort" },
    ]);
    assert.match(parsed.steps[0]!.html, /data-port-node="node1" data-port="8000"/);
    assert.match(parsed.steps[0]!.html, /src="\/api\/lessons\/demo\/assets\/images\/arch.png"/);
  });

  it("never lets raw HTML, scripts or event handlers through", () => {
    const parsed = parseLesson(
      lesson(
        '## Evil\n\n<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\nInline <b onclick="x()">bold</b>.\n\n```bash node1\necho "<script>"\n```',
      ),
      options,
    );
    const html = parsed.steps[0]!.html;
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<img/i);
    assert.doesNotMatch(html, /<b /i);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    // Runnable blocks keep their exact text; only the HTML view is escaped.
    assert.equal(parsed.steps[0]!.blocks[0]!.command, 'echo "<script>"');
  });

  it("rejects dangerous links and images with file and line", () => {
    for (const [body, line, pattern] of [
      ["## S\n\n[x](javascript:alert(1))", 10, /forbidden scheme/],
      ["## S\n\ntext\n\n[x](data:text/html,hi)", 12, /forbidden scheme/],
      ["## S\n\n[x](//evil.example/)", 10, /protocol-relative/],
      ["## S\n\n![x](../../secret.png)", 10, /relative path inside the lesson folder/],
      ["## S\n\n![x](https://tracker.example/p.png)", 10, /relative path inside the lesson folder/],
      ["## S\n\n[x](port:node7:80)", 10, /not one of the lesson's nodes/],
      ["## S\n\n[x](port:node1:99999)", 10, /out of range/],
    ] as const) {
      const error = errorOf(lesson(body));
      assert.equal(error.file, options.file);
      assert.equal(error.line, line, body);
      assert.match(error.message, pattern);
      assert.ok(error.message.startsWith(`${options.file}:${line}: `));
    }
  });

  it("rejects invalid lessons with file and line", () => {
    const cases: [string, number, RegExp][] = [
      [lesson("## S\n\n```bash node3\nls\n```"), 10, /targets node3, but the lesson's nodes are node1, node2/],
      [lesson("## S\n\n```bash edit\nls\n```"), 10, /"edit" needs a target node/],
      [lesson("## S\n\n```bash node1 now\nls\n```"), 10, /unknown word "now"/],
      [lesson("# Title\n\n## S"), 8, /level-1 headings are not allowed/],
      [lesson("Just text."), 8, /at least one step/],
      [lesson("## S", "description: x\nduration: 30\ndifficulty: beginner\nnodes: [node1]"), 1, /title/],
      [lesson("## S", "title: T\ndescription: x\nduration: soon\ndifficulty: beginner\nnodes: [node1]"), 4, /duration/],
      [
        lesson("## S", "title: T\ndescription: x\nduration: 5\ndifficulty: beginner\nnodes: [node1]\ncolour: red"),
        7,
        /unknown front matter key "colour"/,
      ],
      [lesson("## S", "title: [unclosed\ndescription: x"), 3, /bad front matter/],
      ["no front matter\n## S", 1, /must start with front matter/],
    ];
    for (const [source, line, pattern] of cases) {
      const error = errorOf(source);
      assert.match(error.message, pattern, source);
      assert.equal(error.line, line, `${source}\n→ ${error.message}`);
    }
  });

  it("refuses code blocks with control, BiDi or zero-width characters, naming line and code point", () => {
    const hidden = [
      0x07, 0x08, 0x0b, 0x0d, 0x1b, 0x7f, 0x85, 0x9b, 0x202a, 0x202e, 0x2066, 0x2069, 0x200e, 0x200f, 0x061c, 0x200b,
      0x200c, 0x200d, 0x2060, 0xfeff,
    ];
    for (const code of hidden) {
      const point = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
      const char = String.fromCodePoint(code);
      // A carriage return is a line break to markdown-it: it splits the line instead of hiding in it.
      if (code === 0x0d) {
        const parsed = parseLesson(lesson(`## S\n\n\`\`\`bash node1\necho a${char}echo b\n\`\`\``), options);
        assert.equal(parsed.steps[0]!.blocks[0]!.command, "echo a\necho b");
        continue;
      }
      for (const info of ["bash node1", "bash node2 edit", "text"]) {
        const error = errorOf(lesson(`## S\n\n\`\`\`${info}\nls -l\necho safe${char}; rm -rf ~\n\`\`\``));
        assert.equal(error.line, 12, `${point} in ${info}: ${error.message}`);
        assert.match(
          error.message,
          new RegExp(
            `contains ${point.replace("+", "\\+")}, a (control character|bidirectional control|zero-width character)`,
          ),
        );
      }
    }
    const kinds = (code: number): string =>
      errorOf(lesson(`## S\n\n\`\`\`bash node1\nx${String.fromCodePoint(code)}\n\`\`\``)).message;
    assert.match(kinds(0x1b), /U\+001B, a control character/);
    assert.match(kinds(0x202e), /U\+202E, a bidirectional control/);
    assert.match(kinds(0x200b), /U\+200B, a zero-width character/);
    // Tabs, newlines and visible non-ASCII text stay allowed.
    const ok = parseLesson(lesson("## S\n\n```bash node1\nprintf 'a\\tb'\n\techo ñandú → 日本\n```"), options);
    assert.equal(ok.steps[0]!.blocks[0]!.command, "printf 'a\\tb'\n\techo ñandú → 日本");
  });

  it("lessons:check names file, line and code point, and passes the seed lessons", () => {
    const cli = path.join(REPO_ROOT, "packages/lessons/dist/check-lessons.cli.js");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-lessons-"));
    try {
      fs.mkdirSync(path.join(dir, "trojan"));
      fs.writeFileSync(path.join(dir, "trojan/en.md"), lesson("## S\n\n```bash node1\nls\necho \u202Ecod.exe\n```"));
      const bad = spawnSync(process.execPath, [cli, dir], { encoding: "utf8" });
      assert.equal(bad.status, 1, bad.stdout + bad.stderr);
      assert.match(bad.stderr, /trojan\/en\.md:12: code block contains U\+202E, a bidirectional control/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const seed = spawnSync(process.execPath, [cli, path.join(REPO_ROOT, "content/lessons")], { encoding: "utf8" });
    assert.equal(seed.status, 0, seed.stdout + seed.stderr);
  });
});

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { loadLessonCatalog } from "./lesson-catalog";

const FENCE = "```";
const root = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-killercoda-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function writeScenario(id: string, files: Record<string, string | object>): string {
  const folder = path.join(root, id);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    fs.writeFileSync(path.join(folder, name), typeof content === "string" ? content : JSON.stringify(content, null, 2));
  }
  return folder;
}

const STEP1 = [
  "# Create a pod", // 1
  "",
  "Run `kubectl run web --image=nginx`{{exec}} first.", // 3
  "",
  "`kubectl get pods`{{exec}}", // 5
  "`kubectl get nodes -w`{{exec interrupt}}",
  "",
  `${FENCE}plain`, // 8
  "kubectl wait --for=condition=ready pod web",
  `${FENCE}{{exec}}`,
  "",
  FENCE, // 12
  "cat /etc/hosts",
  `${FENCE}{{copy}}`,
  "",
  "Open [the app]({{TRAFFIC_HOST1_8080}}/hello), see {{TRAFFIC_HOST2_30001}} or [ports]({{TRAFFIC_SELECTOR}}).", // 16
  "`not copyable`{{}}",
  "",
  "![logo](./logo.png) ![up](../../outside.png)", // 19
  "",
  "<details><summary>Tip</summary>", // 21
  "Use kubectl.",
  "</details>",
  "",
  "<details>", // 25
  "<summary>Solution</summary>",
  "",
  FENCE,
  "kubectl run web --image=nginx",
  `${FENCE}{{exec}}`,
  "",
  "</details>",
].join("\n");

const INDEX = {
  title: "Pods in two steps",
  description: "Create a pod, then look at it.",
  difficulty: "Easy",
  time: "10 minutes",
  details: {
    intro: { text: "intro.md", background: "intro/background.sh", foreground: "intro/foreground.sh" },
    steps: [
      { title: "Create a pod", text: "step1/text.md", verify: "step1/verify.sh", background: "step1/background.sh" },
      { text: "step2/text.md", foreground: "step2/foreground.sh" },
    ],
    finish: { text: "finish.md", background: "finish/background.sh" },
    assets: { host01: [{ file: "*", target: "/root" }] },
  },
  backend: { imageid: "kubernetes-kubeadm-2nodes" },
  interface: { layout: "ide" },
};

writeScenario("pods-scenario", {
  "index.json": INDEX,
  "intro.md": "Welcome! We start with `uptime`{{exec}}.\n",
  "intro/background.sh": "#!/bin/bash\necho setup > /tmp/setup\n",
  "intro/foreground.sh": "clear\n",
  "step1/text.md": STEP1,
  "step1/verify.sh": "kubectl get pod web | grep -q Running\n",
  "step1/background.sh": "echo step-one > /tmp/bg\n",
  "step2/text.md": "Look at it:\n\n`kubectl describe pod web`{{execute}}\n",
  "step2/foreground.sh": "watch kubectl get pods\n",
  "finish.md": "Done, well **done**.\n",
  "finish/background.sh": "echo bye\n",
});

describe("Killercoda scenarios", () => {
  const { lessons, secrets, errors, warnings } = loadLessonCatalog(root, (id) => `/api/lessons/${id}/assets`);
  const lesson = lessons.get("pods-scenario")?.get("en");
  const secret = secrets.get("pods-scenario")?.get("en");
  const warningsOf = warnings.map((w) => w.message).join("\n");

  it("loads a scenario folder as a gated English lesson", () => {
    assert.deepEqual(
      errors.filter((e) => e.file.includes("pods-scenario")).map((e) => e.message),
      [],
    );
    assert.ok(lesson && secret);
    assert.equal(lesson.format, "killercoda");
    assert.equal(lesson.gated, true);
    assert.equal(lesson.lang, "en");
    assert.deepEqual(lesson.languages, ["en"]);
    assert.deepEqual(lesson.nodes, ["node1", "node2"]);
    assert.equal(lesson.title, "Pods in two steps");
    assert.equal(lesson.durationMinutes, 10);
    assert.equal(lesson.difficulty, "beginner");
    assert.deepEqual(
      lesson.steps.map((s) => s.title),
      ["Create a pod", "Step 2"],
    );
    assert.match(lesson.introHtml, /Welcome! We start with <code>uptime<\/code>\./);
    assert.equal(lesson.finishHtml, "<p>Done, well <strong>done</strong>.</p>\n");
  });

  it("maps {{exec}}, {{exec interrupt}}, {{copy}} and traffic links", () => {
    const step = lesson!.steps[0]!;
    assert.deepEqual(step.blocks, [
      { id: "s0-b0", language: "bash", node: "node1", mode: "run", command: "kubectl run web --image=nginx" },
      { id: "s0-b1", language: "bash", node: "node1", mode: "run", command: "kubectl get pods" },
      { id: "s0-b2", language: "bash", node: "node1", mode: "run", command: "kubectl get nodes -w", interrupt: true },
      {
        id: "s0-b3",
        language: "plain",
        node: "node1",
        mode: "run",
        command: "kubectl wait --for=condition=ready pod web",
      },
      { id: "s0-b4", language: "", node: null, mode: "copy", command: "cat /etc/hosts" },
    ]);
    assert.match(step.html, /<h1>Create a pod<\/h1>/);
    assert.match(
      step.html,
      /Run <span class="lesson-block lesson-block-inline" data-block-id="s0-b0"><code>kubectl run web --image=nginx<\/code><\/span> first\./,
    );
    assert.match(step.html, /<div class="lesson-block" data-block-id="s0-b2">/);
    assert.doesNotMatch(step.html, /\{\{(exec|copy|TRAFFIC|\}\})/);
    assert.deepEqual(step.portLinks, [{ node: "node1", port: 8080, path: "/hello", text: "the app" }]);
    assert.match(step.html, /see \{\{node2\.url\.30001\}\} or ports\./);
    assert.match(step.html, /<code>not copyable<\/code>/);
    assert.match(step.html, /<img src="\/api\/lessons\/pods-scenario\/assets\/step1\/logo\.png" alt="logo">/);
    assert.doesNotMatch(step.html, /outside\.png/);
    // <details><summary>Solution</summary> is the step's solution, its commands shown, not run.
    assert.equal(step.solutionHtml, '<pre><code class="language-bash">kubectl run web --image=nginx</code></pre>\n');
    assert.doesNotMatch(step.html, /Solution/);
    assert.match(step.html, /&lt;details&gt;&lt;summary&gt;Tip/);
    assert.deepEqual(lesson!.steps[1]!.blocks[0], {
      id: "s1-b0",
      language: "bash",
      node: "node1",
      mode: "run",
      command: "kubectl describe pod web",
    });
  });

  it("turns verify into a check and background/foreground into secrets and step.foreground", () => {
    const [first, second] = lesson!.steps;
    assert.deepEqual(first!.checks, [{ id: "s0-c0", node: "node1", timeoutSeconds: 15, auto: false }]);
    assert.match(first!.html, /<div class="lesson-check" data-check-id="s0-c0"><\/div>\n$/);
    assert.deepEqual(second!.checks, []);
    assert.deepEqual(secret!.checks["s0-c0"], {
      step: 0,
      node: "node1",
      script: "kubectl get pod web | grep -q Running",
      timeoutSeconds: 15,
    });
    assert.deepEqual(secret!.setup, [{ node: "node1", script: "#!/bin/bash\necho setup > /tmp/setup" }]);
    assert.deepEqual(secret!.stepBackground, { 0: { node: "node1", script: "echo step-one > /tmp/bg" } });
    assert.deepEqual(first!.foreground, { node: "node1", command: "clear" });
    assert.deepEqual(second!.foreground, { node: "node1", command: "watch kubectl get pods" });
    assert.ok(!JSON.stringify(lesson).includes("grep -q Running"), "the verify script is not public");
    assert.ok(!JSON.stringify(lesson).includes("step-one"), "background scripts are not public");
  });

  it("reports what does not map as warnings with file and line", () => {
    for (const pattern of [
      /index\.json:1: "interface" is not supported/,
      /index\.json:1: details\.assets are not uploaded/,
      /index\.json:1: difficulty "Easy"/,
      /index\.json:1: backend\.imageid "kubernetes-kubeadm-2nodes": controlplane is node1 and node01 is node2/,
      /index\.json:1: details\.finish\.background is not run/,
      /step1\/text\.md:16: \{\{TRAFFIC_SELECTOR\}\} has no counterpart/,
      /step1\/text\.md:19: image "\.\.\/\.\.\/outside\.png" is outside the scenario folder/,
      /step1\/text\.md:21: raw HTML/,
      /intro\.md:1: the intro's 1 command\(s\) are shown to copy/,
    ]) {
      assert.match(warningsOf, pattern);
    }
  });

  it("fails clearly on broken scenarios, and lessons:check prints warnings without failing", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-killercoda-cli-"));
    const cli = path.join(__dirname, "check-lessons.cli.js");
    try {
      fs.cpSync(path.join(root, "pods-scenario"), path.join(dir, "pods-scenario"), { recursive: true });
      const ok = spawnSync(process.execPath, [cli, dir], { encoding: "utf8" });
      assert.equal(ok.status, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /pods-scenario \[Killercoda scenario\] \(en: 2 steps, 6 blocks, 1 checks, 0 quizzes\)/);
      assert.match(ok.stderr, /warning: .*index\.json:1: details\.assets are not uploaded/);

      fs.mkdirSync(path.join(dir, "broken-json"));
      fs.writeFileSync(path.join(dir, "broken-json/index.json"), '{\n  "title": "x",\n  "details": {,\n}');
      fs.mkdirSync(path.join(dir, "missing-step"));
      fs.writeFileSync(
        path.join(dir, "missing-step/index.json"),
        JSON.stringify({ title: "x", details: { steps: [{ text: "step1.md" }, { text: "../../etc/passwd" }] } }),
      );
      fs.mkdirSync(path.join(dir, "bad-variable"));
      fs.writeFileSync(
        path.join(dir, "bad-variable/index.json"),
        JSON.stringify({ title: "x", details: { steps: [{ text: "s.md" }] } }),
      );
      fs.writeFileSync(path.join(dir, "bad-variable/s.md"), "Hi\n\n`curl {{node2.ip}}`{{exec}}\n");
      const bad = spawnSync(process.execPath, [cli, dir], { encoding: "utf8" });
      assert.equal(bad.status, 1, bad.stdout + bad.stderr);
      assert.match(bad.stderr, /broken-json\/index\.json:3: index\.json is not valid JSON/);
      assert.match(bad.stderr, /missing-step\/index\.json:1: details\.steps\[0\]\.text: no file "step1\.md"/);
      assert.match(
        bad.stderr,
        /bad-variable\/s\.md:3: variable \{\{node2\.ip\}\} names node2, which is not one of the lesson's nodes/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LessonError } from "./lesson-error";
import { parseLessonWithSecrets } from "./parse-lesson";

const options = {
  id: "demo",
  lang: "en",
  file: "content/lessons/demo/en.md",
  assetBaseUrl: "/api/lessons/demo/assets",
};
const FRONT = "title: Demo\ndescription: A demo.\nduration: 30\ndifficulty: beginner\nnodes: [node1, node2]";

// The body starts on line 8 of the file (7 front matter lines).
function lesson(body: string, frontMatter = FRONT): string {
  return `---\n${frontMatter}\n---\n${body}`;
}

function parse(body: string, frontMatter = FRONT): ReturnType<typeof parseLessonWithSecrets> {
  return parseLessonWithSecrets(lesson(body, frontMatter), options);
}

function errorOf(body: string, frontMatter = FRONT): LessonError {
  try {
    parse(body, frontMatter);
  } catch (error) {
    if (error instanceof LessonError) return error;
    throw error;
  }
  assert.fail(`expected a LessonError for:\n${body}`);
}

const STEP_WITH_EVERYTHING = [
  "## Deploy", // 8
  "",
  "```bash node1",
  "kubectl create deployment web --image=nginx",
  "```",
  "",
  "```bash node1 check timeout=40 auto", // 14
  'kubectl get deployment web -o name | grep -q web || { echo "SECRET-SCRIPT no deployment"; exit 1; }',
  "```",
  "",
  "```hint",
  "Did you run the **SECRET-HINT** command?",
  "```",
  "",
  "````solution",
  "Run:",
  "```bash",
  "kubectl create deployment web --image=nginx",
  "```",
  "````",
  "",
  "```quiz",
  "Which component decides on which node a pod runs?",
  "- [ ] kubelet",
  "- [x] kube-scheduler",
  "- [ ] `kube-proxy`",
  "> The SECRET-EXPLANATION.",
  "```",
  "",
  "```bash node2 check",
  "test -f /tmp/x",
  "```",
].join("\n");

describe("checks, hints, solutions and quizzes", () => {
  it("makes checks and quizzes public placeholders and keeps scripts, hints and answers in the secrets", () => {
    const { lesson: parsed, secrets } = parse(STEP_WITH_EVERYTHING);
    const step = parsed.steps[0]!;
    assert.deepEqual(step.checks, [
      { id: "s0-c0", node: "node1", timeoutSeconds: 40, auto: true },
      { id: "s0-c1", node: "node2", timeoutSeconds: 15, auto: false },
    ]);
    assert.equal(step.blocks.length, 1, "checks are not run blocks");
    assert.match(step.html, /<div class="lesson-check" data-check-id="s0-c0"><\/div>/);
    assert.match(step.html, /<div class="lesson-quiz" data-quiz-id="s0-q0"><\/div>/);
    assert.deepEqual(step.quizzes, [
      {
        id: "s0-q0",
        questionHtml: "<p>Which component decides on which node a pod runs?</p>\n",
        choices: ["kubelet", "kube-scheduler", "<code>kube-proxy</code>"],
        multiple: false,
      },
    ]);
    assert.match(step.solutionHtml ?? "", /<pre><code class="language-bash">kubectl create deployment web/);
    assert.doesNotMatch(step.solutionHtml ?? "", /data-block-id/, "solution code is not a run block");
    // Nothing secret reaches the public lesson (page HTML, quiz, solution).
    const publicJson = JSON.stringify(parsed);
    for (const secret of ["SECRET-SCRIPT", "SECRET-HINT", "SECRET-EXPLANATION", "test -f /tmp/x"]) {
      assert.ok(!publicJson.includes(secret), `${secret} leaked into the public lesson`);
    }
    assert.deepEqual(secrets.checks["s0-c0"], {
      step: 0,
      node: "node1",
      timeoutSeconds: 40,
      script: 'kubectl get deployment web -o name | grep -q web || { echo "SECRET-SCRIPT no deployment"; exit 1; }',
    });
    assert.equal(secrets.checks["s0-c1"]?.script, "test -f /tmp/x");
    assert.equal(secrets.hints[0], "<p>Did you run the <strong>SECRET-HINT</strong> command?</p>\n");
    assert.deepEqual(secrets.quizzes["s0-q0"], {
      step: 0,
      correct: [1],
      explanationHtml: "<p>The SECRET-EXPLANATION.</p>\n",
    });
  });

  it("marks quizzes with several right answers as multiple and numbers ids per step", () => {
    const { lesson: parsed, secrets } = parse(
      "## One\n\ntext\n\n## Two\n\n```quiz\nPick the **controllers**:\n- [x] Deployment\n- [ ] Pod\n- [X] DaemonSet\n  (one per node)\n```\n",
    );
    const quiz = parsed.steps[1]!.quizzes[0]!;
    assert.equal(quiz.id, "s1-q0");
    assert.equal(quiz.multiple, true);
    assert.deepEqual(quiz.choices, ["Deployment", "Pod", "DaemonSet (one per node)"]);
    assert.deepEqual(secrets.quizzes["s1-q0"], { step: 1, correct: [0, 2], explanationHtml: null });
  });

  it("rejects bad checks, hints, solutions and quizzes with file and line", () => {
    const cases: [string, number, RegExp][] = [
      ["## S\n\n```bash node3 check\nls\n```", 10, /targets node3, but the lesson's nodes are node1, node2/],
      ["## S\n\n```bash check\nls\n```", 10, /a check block needs a target node/],
      ["## S\n\n```bash node1 check\n  \n```", 10, /a check block must not be empty/],
      ["## S\n\n```bash node1 check timeout=0\nls\n```", 10, /bad timeout "timeout=0"/],
      ["## S\n\n```bash node1 check timeout=301\nls\n```", 10, /bad timeout/],
      ["## S\n\n```bash node1 check timeout=1.5\nls\n```", 10, /bad timeout/],
      ["## S\n\n```bash node1 auto\nls\n```", 10, /"auto" is only for check blocks/],
      ["## S\n\n```bash node1 check edit\nls\n```", 10, /cannot be "edit"/],
      ["## S\n\n```bash node1 check\ncurl {{node1.url.80}}\n```", 10, /variables .* are not filled in/],
      ["## S\n\n```bash node1 check\nls\n\u202Ecat\n```", 12, /check block contains U\+202E/],
      ["## S\n\n```hint\nTry again.\n```", 10, /a hint needs a check or a quiz/],
      [
        "## S\n\n```bash node1 check\nls\n```\n\n```hint\nA\n```\n\n```hint\nB\n```",
        18,
        /at most one hint \(the first is on line 14\)/,
      ],
      ["## S\n\n```solution\nA\n```\n\n```solution\nB\n```", 14, /at most one solution/],
      ["## S\n\n```solution\n```", 10, /a solution block must not be empty/],
      ["## S\n\n```hint extra\nA\n```", 10, /takes no other words/],
      ["## S\n\n```quiz\nQ?\n- [x] only one\n```", 10, /at least 2 choices/],
      ["## S\n\n```quiz\nQ?\n- [ ] a\n- [ ] b\n```", 10, /at least one right choice/],
      ["## S\n\n```quiz\n- [x] a\n- [ ] b\n```", 10, /needs a question/],
      ["## S\n\n```quiz\nQ?\n- [x] a\nstray text\n- [ ] b\n```", 13, /unexpected line in a quiz/],
      ["## S\n\n```quiz\nQ?\n- [x] [x](javascript:alert(1))\n- [ ] b\n```", 12, /forbidden scheme/],
      ["```bash node1 check\nls\n```\n\n## S", 8, /belong in a step/],
    ];
    for (const [body, line, pattern] of cases) {
      const error = errorOf(body);
      assert.match(error.message, pattern, body);
      assert.equal(error.line, line, `${body}\n→ ${error.message}`);
      assert.ok(error.message.startsWith(`${options.file}:${line}: `));
    }
  });
});

describe("variables, download links and front matter", () => {
  it("leaves variables as written and accepts Go templates", () => {
    const { lesson: parsed } = parse(
      "## S\n\nOpen {{node1.url.30001}} or {{ node2.pathurl.8080 }} as {{user.name}} in {{session.id}}.\n\n```bash node1\ndocker inspect --format '{{ .State.Status }}' x; echo {{node1.ip}}\n```",
    );
    assert.match(parsed.steps[0]!.html, /\{\{node1\.url\.30001\}\} or \{\{ node2\.pathurl\.8080 \}\}/);
    assert.equal(
      parsed.steps[0]!.blocks[0]!.command,
      "docker inspect --format '{{ .State.Status }}' x; echo {{node1.ip}}",
    );
  });

  it("keeps port URL variables usable as link targets, and no other variable", () => {
    const html = parse("## S\n\n[app]({{node1.url.8080}}/hello) [p]({{node2.pathurl.80}}) [me]({{user.name}})").lesson
      .steps[0]!.html;
    assert.match(html, /<a href="\{\{node1\.url\.8080\}\}\/hello">app<\/a>/);
    assert.match(html, /<a href="\{\{node2\.pathurl\.80\}\}">p<\/a>/);
    assert.match(html, /<a href="%7B%7Buser\.name%7D%7D">me<\/a>/);
  });

  it("reports unknown nodes and near misses with file and line", () => {
    const cases: [string, number, RegExp][] = [
      ["## S\n\nSee {{node3.ip}}.", 10, /\{\{node3\.ip\}\} names node3, which is not one of the lesson's nodes/],
      ["## S\n\n\nSee {{node1.ipp}}.", 11, /unknown variable \{\{node1\.ipp\}\}/],
      ["## S\n\n```bash node1\necho {{sesion.id}}\n```", 11, /unknown variable \{\{sesion\.id\}\}/],
      ["## S\n\nSee {{User.name}}.", 10, /unknown variable/],
      ["## S\n\nSee {{node1.url.99999}}.", 10, /port 99999 is out of range/],
    ];
    for (const [body, line, pattern] of cases) {
      const error = errorOf(body);
      assert.match(error.message, pattern, body);
      assert.equal(error.line, line, body);
    }
  });

  it("turns download links into data the lab page uses", () => {
    const { lesson: parsed } = parse(
      "## S\n\nGet [the kubeconfig](download:node1:/root/.kube/config) and <download:node2:/tmp/a%20b.txt>.",
    );
    assert.deepEqual(parsed.steps[0]!.downloadLinks, [
      { node: "node1", path: "/root/.kube/config", text: "the kubeconfig" },
      { node: "node2", path: "/tmp/a b.txt", text: "download:node2:/tmp/a b.txt" },
    ]);
    assert.match(
      parsed.steps[0]!.html,
      /<a href="#download-node1" data-download-node="node1" data-download-path="\/root\/\.kube\/config">the kubeconfig<\/a>/,
    );
  });

  it("refuses relative, traversing and foreign download links", () => {
    for (const [href, pattern] of [
      ["download:node1:root/x", /must be absolute/],
      ["download:node1:/root/../etc/shadow", /must not contain "\.\." segments/],
      ["download:node1:/root/%2e%2e/etc/shadow", /must not contain "\.\." segments/],
      ["download:node5:/root/x", /not one of the lesson's nodes/],
      ["download:/root/x", /bad download link/],
    ] as const) {
      const error = errorOf(`## S\n\n[file](${href})`);
      assert.match(error.message, pattern, href);
      assert.equal(error.line, 10);
    }
    assert.match(errorOf("[file](download:node1:/x)\n\n## S").message, /download links belong in a step/);
  });

  it("reads gated and resources, and refuses resources for other nodes", () => {
    const { lesson: parsed } = parse("## S", `${FRONT}\ngated: true\nresources: { node1: { memory: 4g, cpus: 2 } }`);
    assert.equal(parsed.gated, true);
    assert.deepEqual(parsed.resources, { node1: { memory: "4g", cpus: 2 } });
    assert.equal(parse("## S").lesson.gated, false);
    const error = errorOf("## S", `${FRONT}\nresources:\n  node3: { memory: 4g }`);
    assert.match(error.message, /resources for node3/);
    assert.equal(error.line, 7);
  });
});

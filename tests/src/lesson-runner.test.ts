// scripts/run-lesson.mjs, the lesson runner the CentOS smoke test drives the seed lesson with: a tiny
// lesson of its own on real offline nodes of a real Kubelab session. Its run blocks run in order in
// their nodes with one shell state per node, a blocking block is interrupted before the next one, an
// edit block goes to the hook, checks pass or fail the run with their message, and port links are
// probed through the port proxy.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { before, describe, it } from "node:test";
import type { TSession } from "@kubelab/shared";
import { execIn } from "./support/docker-objects";
import { useKubelab } from "./support/lab-fixture";
import { REPO_ROOT } from "./support/repo-paths";

const RUNNER = path.join(REPO_ROOT, "scripts/run-lesson.mjs");
const FRONT = (title: string) =>
  `---\ntitle: ${title}\ndescription: The lesson runner's test.\nduration: 5\ndifficulty: beginner\n` +
  "nodes: [node1, node2]\nimage: kubelab/node-offline:latest\n---\n\nIntro.\n\n";

// Variables and the working directory carry from block to block as in a terminal; the blocking
// block must be gone (Ctrl+C) by the time the next node2 block runs; a failing command goes on.
const PASSING = `${FRONT("Runner demo")}## Files and variables

\`\`\`bash node1
export GREETING=hello
mkdir -p /root/demo && cd /root/demo
\`\`\`

\`\`\`bash node1
echo "$GREETING from $(pwd)" > said.txt
false
\`\`\`

\`\`\`bash node1 check
grep -qx 'hello from /root/demo' /root/demo/said.txt || { echo "said.txt is wrong"; exit 1; }
echo "node1 said hello"
\`\`\`

## Blocking, edit blocks and variables

\`\`\`bash node2
tail -f /dev/null
\`\`\`

\`\`\`bash node2
pgrep -f 'tail -f /dev/null' >/dev/null && echo still-running > /root/tail.txt || echo stopped > /root/tail.txt
echo "{{node1.hostname}} {{session.id}}" > /root/vars.txt
\`\`\`

\`\`\`bash node1 edit
echo <your name> > /root/edited.txt
\`\`\`

\`\`\`bash node2 check
grep -qx stopped /root/tail.txt || { echo "the blocking command was not interrupted"; exit 1; }
echo "tail was interrupted"
\`\`\`

## A web page

\`\`\`bash node1
mkdir -p /root/www && echo page > /root/www/index.html
cd /root/www && python3 -m http.server 8080 >/dev/null 2>&1 &
\`\`\`

Open [the page](port:node1:8080/index.html).

\`\`\`bash node1 check timeout=20
for _ in $(seq 20); do curl -fs http://localhost:8080/index.html >/dev/null && exit 0; sleep 0.5; done
echo "nothing on port 8080"
exit 1
\`\`\`
`;

const FAILING = `${FRONT("Runner failure")}## A check that fails

\`\`\`bash node1
echo one > /root/one.txt
\`\`\`

\`\`\`bash node1 check
test -f /root/two.txt || { echo "two.txt is missing: run the second block"; exit 1; }
\`\`\`
`;

function writeLessons(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-runner-lessons-"));
  for (const [id, text] of [
    ["runner-demo", PASSING],
    ["runner-failure", FAILING],
  ] as const) {
    fs.mkdirSync(path.join(dir, id));
    fs.writeFileSync(path.join(dir, id, "en.md"), text);
  }
  return dir;
}

function runner(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [RUNNER, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("lesson runner (scripts/run-lesson.mjs)", () => {
  const lessonsDir = writeLessons();
  const lab = useKubelab({
    env: {
      LESSONS_DIR: lessonsDir,
      NODE_IMAGES: "kubelab/node-offline:latest",
      POOL_SIZE: "0",
      NODE_READY_TIMEOUT: "300s",
    },
  });
  const container = (session: TSession, node: string) => `kubelab-${session.id}-${node}`;
  const sessions = new Map<string, TSession>();

  before(async () => {
    // One guest per lesson (a guest has one lab at a time); the port proxy wants the owner's cookie.
    for (const lesson of ["runner-demo", "runner-failure"]) {
      const owner = lab.server.client();
      await owner.loginAsGuest(`Runner ${lesson}`);
      const created = await owner.request<TSession>("POST", "/api/sessions", { lesson });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const ready = await owner.waitUntilSettled(created.body.id, 300_000);
      assert.equal(ready.status, "ready", ready.reason ?? "");
      sessions.set(lesson, ready);
      cookies.set(lesson, owner.cookieHeader ?? "");
    }
  });
  const cookies = new Map<string, string>();

  const args = (lesson: string): string[] => {
    const session = sessions.get(lesson);
    assert.ok(session);
    return [
      ...["--lessons-dir", lessonsDir, "--lesson", lesson, "--lang", "en", "--session", session.id],
      ...["--node", `node1=${container(session, "node1")}`, "--node", `node2=${container(session, "node2")}`],
      ...[
        "--check-deadline",
        "20",
        "--port-base",
        `${lab.server.url}/ports/${session.id}`,
        "--cookie",
        cookies.get(lesson) ?? "",
      ],
    ];
  };

  it("runs the blocks in order with a terminal's state, passes the checks and reaches the port link", async () => {
    const session = sessions.get("runner-demo");
    assert.ok(session);
    const hook = 'case $KUBELAB_BLOCK_COMMAND in "echo <your name>"*) echo "echo Ada > /root/edited.txt" ;; esac';
    const { code, output } = await runner([...args("runner-demo"), "--edit-hook", hook]);
    assert.equal(code, 0, output);
    assert.match(output, /PASS s\d+-c0 \(node1\): node1 said hello/);
    assert.match(output, /PASS s\d+-c0 \(node2\): tail was interrupted/);
    assert.match(output, /PASS port link node1:8080\/index\.html through the proxy/);
    assert.match(output, /PASSED: 3 checks, 6 blocks run, 0 skipped, 3 steps/);
    const edited = await execIn(container(session, "node1"), ["cat", "/root/edited.txt"]);
    assert.equal(edited.output.trim(), "Ada", "the edit hook's command ran in node1");
    const vars = await execIn(container(session, "node2"), ["cat", "/root/vars.txt"]);
    assert.equal(vars.output.trim(), `node1 ${session.id}`, "lesson variables are filled in");
  });

  it("fails the run with the failing check's message", async () => {
    const { code, output } = await runner(args("runner-failure"));
    assert.equal(code, 1, output);
    assert.match(
      output,
      /FAIL s\d+-c0 \(node1, step 1 "A check that fails", exit 1, \d+ tries\):\ntwo\.txt is missing/,
    );
    assert.doesNotMatch(output, /PASSED/);
  });
});

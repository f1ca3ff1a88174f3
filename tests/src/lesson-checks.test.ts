// Lessons that check the work (issue 18), API side: checks run in the node (never on the host),
// quizzes judged on the server, verified and gated progress, lesson resources, and a Killercoda
// scenario's setup and step background scripts. One server: one session of a one-node lesson written
// by the test, then one claimed from the warm pool for the scenario; the tests build on each other.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import type { TApiErrorBody, TCheckResult, TLesson, TLessonProgress, TQuizResult, TSession } from "@kubelab/shared";
import { docker, execIn } from "./support/docker-objects";
import { useDatabaseClient } from "./support/database-client";
import { useKubelab } from "./support/lab-fixture";
import { waitFor } from "./support/wait-for";

// Unique per run: the host must never get the file a check writes.
const TOKEN = `kubelab-check-${randomBytes(6).toString("hex")}`;

const LESSON = `---
title: Checks
description: Checks, hints and quizzes.
duration: 10
difficulty: beginner
nodes: [node1]
image: kubelab/node-offline:latest
gated: true
resources:
  node1: { memory: 512m, cpus: 8 }
---
Intro.

## Create a file

Create /root/ready.txt.

\`\`\`bash node1 check
echo "looking for ready.txt"
test -f /root/ready.txt || { echo "SECRET-SCRIPT-OUTPUT: no ready.txt"; exit 1; }
\`\`\`

\`\`\`hint
Run SECRET-HINT-TEXT \`touch /root/ready.txt\`.
\`\`\`

## Slow and noisy

\`\`\`bash node1 check timeout=2
echo started
sleep 77
\`\`\`

\`\`\`bash node1 check
touch /tmp/${TOKEN}
sleep 88 &
seq 1 3000
\`\`\`

## Quiz

\`\`\`quiz
Which component decides on which node a pod runs?
- [ ] kubelet
- [x] kube-scheduler
- [ ] kube-proxy
> SECRET-EXPLANATION: the scheduler.
\`\`\`

## Done

The end.
`;

// A Killercoda scenario (index.json): its intro background is the lesson's setup script, step 2's
// background runs when progress reaches step 2 (and fails on purpose: a notice), verify is a check.
const SCENARIO: Record<string, string> = {
  "index.json": JSON.stringify({
    title: "Scenario",
    description: "A Killercoda scenario.",
    details: {
      intro: { text: "intro.md", background: "setup.sh" },
      steps: [
        { title: "Make it", text: "step1.md", verify: "verify1.sh" },
        { title: "Background", text: "step2.md", background: "background2.sh" },
      ],
      finish: { text: "finish.md" },
    },
    // Two nodes, like the warm pool's sessions: the scenario's session is a claim from the pool.
    backend: { imageid: "kubernetes-kubeadm-2nodes" },
  }),
  "intro.md": "Welcome.\n",
  "setup.sh": `#!/bin/bash\necho "setup ran on $(hostname)" > /root/setup-${TOKEN}\n`,
  "step1.md": "Run `touch /root/made`{{exec}}.\n",
  "verify1.sh": "#!/bin/bash\ntest -f /root/made\n",
  "step2.md": "Watch.\n",
  "background2.sh": `#!/bin/bash\necho background > /root/background-${TOKEN}\nexit 3\n`,
  "finish.md": "Done!\n",
};

// Two nodes like the pool's sessions, node1 bigger than NODE_MEMORY=1g: a claim resizes it.
const BIG_LESSON = `---
title: Big
description: A bigger node1.
duration: 10
difficulty: beginner
nodes: [node1, node2]
image: kubelab/node-offline:latest
resources:
  node1: { memory: 1536m, cpus: 2 }
---
## Only step

Text.
`;

function lessonsDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-check-lessons-"));
  fs.mkdirSync(path.join(dir, "checks"));
  fs.writeFileSync(path.join(dir, "checks", "en.md"), LESSON);
  fs.mkdirSync(path.join(dir, "big"));
  fs.writeFileSync(path.join(dir, "big", "en.md"), BIG_LESSON);
  fs.mkdirSync(path.join(dir, "scenario"));
  for (const [name, content] of Object.entries(SCENARIO)) fs.writeFileSync(path.join(dir, "scenario", name), content);
  return dir;
}

describe("lesson checks and quizzes", () => {
  const lab = useKubelab({ env: { LESSONS_DIR: lessonsDir(), POOL_SIZE: "1" } });
  const db = useDatabaseClient(lab);
  let session: TSession;
  const node1 = () => `kubelab-${session.id}-node1`;
  const check = (id: string) => lab.owner.request<TCheckResult>("POST", `/api/sessions/${session.id}/checks/${id}`);
  const putProgress = (currentStep: number, doneSteps: number[] = []) =>
    lab.owner.request<TLessonProgress & TApiErrorBody>("PUT", "/api/lessons/checks/progress", {
      currentStep,
      doneSteps,
    });

  it("starts a session of the lesson with its nodes' resources within the admin's limits", async () => {
    lab.owner = lab.server.client();
    await lab.owner.loginAsGuest("Checker");
    const created = await lab.owner.request<TSession>("POST", "/api/sessions", { lesson: "checks" });
    assert.equal(created.status, 201);
    session = await lab.owner.waitUntilSettled(created.body.id);
    assert.equal(session.status, "ready", session.reason ?? "");
    const info = await docker.getContainer(node1()).inspect();
    assert.equal(info.HostConfig.Memory, 512 * 1024 ** 2, "the lesson's 512m, under NODE_MEMORY=1g");
    assert.equal(info.HostConfig.NanoCpus, 2e9, "8 CPUs asked, NODE_CPUS_MAX=2 granted");
  });

  it("keeps scripts, hints and answers out of the public lesson", async () => {
    const lesson = await lab.owner.request<TLesson>("GET", "/api/lessons/checks");
    const text = JSON.stringify(lesson.body);
    for (const secret of ["SECRET-SCRIPT-OUTPUT", "SECRET-HINT-TEXT", "SECRET-EXPLANATION", "sleep 77", TOKEN]) {
      assert.ok(!text.includes(secret), `${secret} is in the public lesson`);
    }
    assert.equal(lesson.body.gated, true);
    assert.deepEqual(
      lesson.body.steps.map((step) => step.checks.map((c) => c.id)),
      [["s0-c0"], ["s1-c0", "s1-c1"], [], []],
    );
  });

  it("fails a check with its output and the step's hint, then passes it and verifies the step", async () => {
    const failed = await check("s0-c0");
    assert.equal(failed.status, 200, JSON.stringify(failed.body));
    assert.equal(failed.body.passed, false);
    assert.equal(failed.body.timedOut, false);
    assert.equal(failed.body.exitCode, 1);
    assert.equal(failed.body.output, "looking for ready.txt\nSECRET-SCRIPT-OUTPUT: no ready.txt\n");
    assert.equal(failed.body.truncated, false);
    assert.match(failed.body.hintHtml ?? "", /SECRET-HINT-TEXT <code>touch \/root\/ready.txt<\/code>/);
    assert.deepEqual(failed.body.progress.passed, []);

    await execIn(node1(), ["touch", "/root/ready.txt"]); // what the attendee would type
    const passed = await check("s0-c0");
    assert.equal(passed.body.passed, true);
    assert.equal(passed.body.exitCode, 0);
    assert.equal(passed.body.hintHtml, null);
    assert.deepEqual(passed.body.progress.passed, ["s0-c0"]);
    assert.deepEqual(passed.body.progress.verifiedSteps, [0]);
    assert.deepEqual(passed.body.progress.doneSteps, [0]);
    const progress = await lab.owner.request<TLessonProgress>("GET", "/api/lessons/checks/progress");
    assert.deepEqual(progress.body, { ...passed.body.progress, lesson: "checks" });
  });

  it("gates progress: no step past the first unverified one, and the page cannot verify steps itself", async () => {
    const refused = await putProgress(2, [0, 1]);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, "step_not_verified");
    const moved = await putProgress(1, []);
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.deepEqual(moved.body.doneSteps, [0], "a verified step stays done");
    assert.deepEqual(moved.body.verifiedSteps, [0]);
    const forged = await lab.owner.request<TApiErrorBody>("PUT", "/api/lessons/checks/progress", {
      currentStep: 1,
      doneSteps: [0],
      verifiedSteps: [0, 1],
    });
    assert.equal(forged.status, 400);
  });

  it("runs a check in the node only, and keeps the last 4 KiB of its output", async () => {
    const result = await check("s1-c1");
    assert.equal(result.body.passed, true);
    assert.equal(result.body.truncated, true);
    assert.equal(Buffer.byteLength(result.body.output), 4096);
    assert.ok(result.body.output.endsWith("2999\n3000\n"));
    assert.equal((await execIn(node1(), ["test", "-f", `/tmp/${TOKEN}`])).exitCode, 0, "the node has the file");
    assert.equal(fs.existsSync(`/tmp/${TOKEN}`), false, "the host does not");
    assert.deepEqual(result.body.progress.verifiedSteps, [0], "step 1 still has a check to pass");
    assert.ok(result.body.durationMs < 5000, "what the script left in the background does not hold it up");
    const left = await execIn(node1(), ["sh", "-c", "ps -eo args | grep -c '^sleep 88' || true"]);
    assert.equal(left.output.trim(), "0", "and is killed when it ends");
  });

  it("kills a check at its time limit, one check at a time, with the server answering meanwhile", async () => {
    const started = Date.now();
    const slow = check("s1-c0");
    await new Promise((resolve) => setTimeout(resolve, 500));
    const second = await check("s0-c0");
    assert.equal(second.status, 429);
    assert.equal((second.body as unknown as TApiErrorBody).error.code, "check_in_progress");
    const during = Date.now();
    assert.equal((await lab.owner.request("GET", `/api/sessions/${session.id}`)).status, 200);
    assert.ok(Date.now() - during < 1000, "the server answers while a check runs");
    const result = await slow;
    assert.equal(result.body.timedOut, true);
    assert.equal(result.body.passed, false);
    assert.equal(result.body.output, "started\n");
    assert.ok(Date.now() - started < 8000, `took ${Date.now() - started} ms for a 2 s limit`);
    assert.ok(result.body.durationMs >= 2000);
    const sleeping = await execIn(node1(), ["sh", "-c", "ps -eo args | grep -c '^sleep 77' || true"]);
    assert.equal(sleeping.output.trim(), "0", "the script was killed in the node");
    assert.equal((await check("s0-c0")).status, 200, "the next check may run");
  });

  it("judges quiz answers on the server and explains only a right answer", async () => {
    const answer = (choices: number[]) =>
      lab.owner.request<TQuizResult>("POST", "/api/lessons/checks/quizzes/s2-q0/answers", { choices });
    const wrong = await answer([0]);
    assert.equal(wrong.status, 200, JSON.stringify(wrong.body));
    assert.deepEqual([wrong.body.correct, wrong.body.explanationHtml], [false, null]);
    assert.equal((await answer([1, 2])).body.correct, false, "an extra choice is wrong");
    assert.equal((await answer([7])).status, 400);
    const right = await answer([1]);
    assert.equal(right.body.correct, true);
    assert.match(right.body.explanationHtml ?? "", /SECRET-EXPLANATION/);
    assert.ok(right.body.progress.passed.includes("s2-q0"));
    assert.deepEqual(right.body.progress.verifiedSteps, [0, 2]);
    assert.equal(
      (await lab.owner.request("POST", "/api/lessons/checks/quizzes/s9-q0/answers", { choices: [0] })).status,
      404,
    );
  });

  it("is for the session's owner, and for checks the lesson has", async () => {
    const other = lab.server.client();
    await other.loginAsGuest("Somebody else");
    const foreign = await other.request<TApiErrorBody>("POST", `/api/sessions/${session.id}/checks/s0-c0`);
    assert.equal(foreign.status, 404);
    assert.equal((await lab.server.client().request("POST", `/api/sessions/${session.id}/checks/s0-c0`)).status, 401);
    assert.equal((await check("s7-c0")).status, 404);
    assert.equal((await check("__proto__")).status, 404);
  });

  it("refuses a check in a node that is not running (409 node_not_running)", async () => {
    await docker.getContainer(node1()).stop({ t: 0 });
    const refused = await check("s0-c0");
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal((refused.body as unknown as TApiErrorBody).error.code, "node_not_running");
  });

  it("runs a Killercoda scenario's setup in the node once the session is claimed, and step backgrounds as progress reaches them", async () => {
    await waitFor("the warm pool's session", async () => {
      const pooled = await db.client.query("SELECT id FROM lab_sessions WHERE status = 'pooled'");
      return pooled.rowCount === 1 ? true : undefined;
    });
    const kc = lab.server.client();
    await kc.loginAsGuest("Killercoda fan");
    const created = await kc.request<TSession>("POST", "/api/sessions", { lesson: "scenario" });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.status, "ready", "claimed from the warm pool (the setup runs after a claim too)");
    const ready = await kc.waitUntilSettled(created.body.id);
    assert.equal(ready.status, "ready", ready.reason ?? "");
    const node = `kubelab-${ready.id}-node1`;
    const setupFile = `/root/setup-${TOKEN}`;
    const setup = await waitFor("the setup script to run in node1", async () => {
      const read = await execIn(node, ["cat", setupFile]);
      return read.exitCode === 0 ? read.output : undefined;
    });
    assert.equal(setup.trim(), "setup ran on node1");
    assert.equal(fs.existsSync(setupFile), false, "not on the host");

    const gated = await kc.request<TApiErrorBody>("PUT", "/api/lessons/scenario/progress", {
      currentStep: 1,
      doneSteps: [],
    });
    assert.equal(gated.status, 409);
    assert.equal(gated.body.error.code, "step_not_verified");
    const verify = (id: string) => kc.request<TCheckResult>("POST", `/api/sessions/${ready.id}/checks/${id}`);
    assert.equal((await verify("s0-c0")).body.passed, false);
    await execIn(node, ["touch", "/root/made"]);
    assert.deepEqual((await verify("s0-c0")).body.progress.verifiedSteps, [0]);
    const moved = await kc.request<TLessonProgress>("PUT", "/api/lessons/scenario/progress", {
      currentStep: 1,
      doneSteps: [0],
    });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    const background = await waitFor("step 2's background to run", async () => {
      const read = await execIn(node, ["cat", `/root/background-${TOKEN}`]);
      return read.exitCode === 0 ? read.output : undefined;
    });
    assert.equal(background.trim(), "background");
    // It exits 3: the attendee is told (a notice), the session goes on.
    const notice = await waitFor("the failed background's notice", async () => {
      const session = await kc.getSession(ready.id);
      return session.notices.find((n) => n.code === "lesson_setup_failed");
    });
    assert.equal(notice.node, "node1");
    assert.equal((await kc.getSession(ready.id)).status, "ready");
  });

  it("resizes a pooled session's nodes at the claim to what the lesson asks, within NODE_MEMORY_MAX", async () => {
    await waitFor(
      "the warm pool's refill",
      async () => {
        const pooled = await db.client.query("SELECT id FROM lab_sessions WHERE status = 'pooled'");
        return pooled.rowCount === 1 ? true : undefined;
      },
      120_000,
    );
    const big = lab.server.client();
    await big.loginAsGuest("Big lesson");
    const created = await big.request<TSession>("POST", "/api/sessions", { lesson: "big" });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.status, "ready", "claimed from the warm pool, built with the defaults");
    const limitsOf = async (node: string) => {
      const info = await docker.getContainer(`kubelab-${created.body.id}-${node}`).inspect();
      return { memory: info.HostConfig.Memory, cpus: info.HostConfig.NanoCpus };
    };
    const resized = await waitFor("node1 to get the lesson's resources", async () => {
      const limits = await limitsOf("node1");
      return limits.memory === 1536 * 1024 ** 2 ? limits : undefined;
    });
    assert.equal(resized.cpus, 2e9);
    assert.deepEqual(await limitsOf("node2"), { memory: 1024 ** 3, cpus: 1e9 }, "node2 keeps the defaults");
    // The kernel's limit, not only the engine's record of it: what `docker stats` reads from the cgroup.
    const stats = await docker.getContainer(`kubelab-${created.body.id}-node1`).stats({ stream: false });
    assert.equal(stats.memory_stats.limit, 1536 * 1024 ** 2, "the node's cgroup has the new limit");
  });
});

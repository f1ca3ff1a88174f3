// Lessons that check the work, on the lab page (issue 18): check buttons with hints and a solution,
// an automatic check, a quiz, variables filled in for the attendee's session, "Run" while a command
// still runs, and downloads from a node. Real Chromium, server, database and Docker node; the lesson
// is written by the test.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { TSessionList } from "@kubelab/shared";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "./support/browser";
import { execIn } from "./support/docker-objects";
import { useKubelab } from "./support/lab-fixture";
import { pressCheck } from "./support/lesson-check-clicks";
import { waitFor } from "./support/wait-for";

const LESSON_ID = "checked";

const LESSON = `---
title: Checked lesson
description: Checks, a quiz, variables and downloads on the lab page.
duration: 10
difficulty: beginner
nodes: [node1]
image: kubelab/node-offline:latest
---
Intro.

## Variables and checks

Hello {{user.name}}. Session: {{session.id}}.

Host form: {{node1.url.30001}} and path form: {{node1.pathurl.30001}}; node1 is {{node1.hostname}}.
Open [the app]({{node1.url.30001}}/hello).

\`\`\`bash node1
echo "sid={{session.id}}" > /root/sid.txt && cat /root/sid.txt
\`\`\`

\`\`\`bash node1 check auto
test -f /root/sid.txt && echo "found sid.txt"
\`\`\`

\`\`\`bash node1 check
test -f /root/never.txt || { echo "no never.txt yet"; exit 1; }
\`\`\`

\`\`\`hint
Create it: HINT-WORDS \`touch /root/never.txt\`.
\`\`\`

\`\`\`solution
Run SOLUTION-WORDS \`touch /root/never.txt\` in node1.
\`\`\`

## Quiz

\`\`\`quiz
Which component decides on which node a pod runs?
- [ ] kubelet
- [x] kube-scheduler
- [ ] kube-proxy
> EXPLANATION-WORDS: the scheduler picks the node.
\`\`\`

## Busy and downloads

\`\`\`bash node1
sleep 300
\`\`\`

\`\`\`bash node1
echo "after-interrupt-$((40+2))" > /root/report.txt; cat /root/report.txt
\`\`\`

Get [the report](download:node1:/root/report.txt).
`;

// A Killercoda scenario (index.json and its files): gated, a verify script, a foreground script
// typed on first open, an {{exec}} command and a finish page.
const SCENARIO_ID = "kc-gated";
const SCENARIO: Record<string, string> = {
  "index.json": JSON.stringify({
    title: "Killercoda gated",
    description: "A verify script gates the next step.",
    details: {
      intro: { text: "intro.md", foreground: "foreground.sh" },
      steps: [
        { title: "Make the marker", text: "step1.md", verify: "verify.sh" },
        { title: "Look around", text: "step2.md" },
      ],
      finish: { text: "finish.md" },
    },
    backend: { imageid: "ubuntu" },
  }),
  "intro.md": "Welcome to the scenario.\n",
  "foreground.sh": "echo kc-foreground-$((3*3))\n",
  "step1.md": "Make the marker: `touch /root/kc-marker`{{exec}}\n",
  "verify.sh": "#!/bin/bash\ntest -f /root/kc-marker\n",
  "step2.md": "Nothing more to do.\n",
  "finish.md": "FINISH-WORDS: you made it.\n",
};

function lessonsDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-web-checks-"));
  fs.mkdirSync(path.join(dir, LESSON_ID));
  fs.writeFileSync(path.join(dir, LESSON_ID, "en.md"), LESSON);
  fs.mkdirSync(path.join(dir, SCENARIO_ID));
  for (const [name, text] of Object.entries(SCENARIO)) fs.writeFileSync(path.join(dir, SCENARIO_ID, name), text);
  return dir;
}

/** The text the page mirrors from a terminal's buffer (hidden <pre>, kept by the terminal view). */
async function terminalText(page: Page, node: string): Promise<string> {
  return (await page.locator(`[data-testid=terminal-text-${node}]`).textContent()) ?? "";
}

async function waitForTerminalLine(page: Page, line: RegExp, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    `node1's terminal to show ${line}`,
    async () => (line.test(await terminalText(page, "node1")) ? true : undefined),
    timeoutMs,
    100,
  );
}

async function downloaded(page: Page, start: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent("download", { timeout: 20_000 }), start()]);
  const file = await download.path();
  return { name: download.suggestedFilename(), text: fs.readFileSync(file, "utf8") };
}

describe("lesson checks, quizzes, variables and downloads in Chromium", () => {
  let browser: Browser;
  let page: Page;
  let sessionId: string;
  const lab = useKubelab({ env: { WEB_ENABLED: "true", LESSONS_DIR: lessonsDir() }, browserOrigin: true });

  before(async () => {
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    await page.goto(`${lab.publicUrl}/lab/${LESSON_ID}`);
    await page.waitForURL(/\/login/);
    await page.locator("[data-testid=guest-name]").fill("Ada");
    await page.locator("[data-testid=guest-login-submit]").click();
    await page.waitForURL(new RegExp(`/lab/${LESSON_ID}`));
    await page
      .locator("[data-testid=terminal-node1][data-status=connected]")
      .waitFor({ state: "attached", timeout: 120_000 });
    const list = await page.evaluate<TSessionList>("fetch('/api/sessions').then((r) => r.json())");
    sessionId = list.sessions[0]!.id;
  });

  after(async () => {
    await browser?.close();
  });

  it("fills in the variables for the attendee's session: text and commands", async () => {
    const text = await page.locator("[data-testid=lesson-step]").innerText();
    const port = new URL(lab.publicUrl).port;
    assert.match(text, new RegExp(`Hello Ada\\. Session: ${sessionId}\\.`));
    assert.ok(text.includes(`Host form: http://node1-30001-${sessionId}.localhost:${port}/`), text);
    assert.ok(text.includes(`path form: ${lab.publicUrl}/ports/${sessionId}/node1/30001/`), text);
    assert.ok(text.includes("node1 is node1."), text);
    assert.ok(!text.includes("{{"), "no variable left as written");
    const app = page.locator("[data-testid=lesson-step] a", { hasText: "the app" });
    assert.equal(await app.getAttribute("href"), `http://node1-30001-${sessionId}.localhost:${port}/hello`);
    await page.locator("[data-block-id=s0-b0] [data-testid=block-run]").click();
    await waitForTerminalLine(page, new RegExp(`^sid=${sessionId}\\s*$`, "m"));
    const written = await execIn(`kubelab-${sessionId}-node1`, ["cat", "/root/sid.txt"]);
    assert.equal(written.output.trim(), `sid=${sessionId}`);
  });

  it("runs the automatic check after the step's run block, without a click", async () => {
    const auto = page.locator("[data-testid=check][data-check-id=s0-c0]");
    await page.locator("[data-testid=check][data-check-id=s0-c0][data-outcome=pass]").waitFor({ timeout: 30_000 });
    assert.match(await auto.locator("[data-testid=check-output]").innerText(), /found sid\.txt/);
  });

  it("shows a failing check's output and hint, the solution after confirming, and a pass once fixed", async () => {
    const check = page.locator("[data-testid=check][data-check-id=s0-c1]");
    assert.match(await check.locator("[data-testid=check-run]").innerText(), /Check in node1/);
    assert.equal(await page.locator("[data-testid=check-hint]").count(), 0, "no hint before a failure");
    await pressCheck(page, check, "fail");
    assert.match(await check.locator("[data-testid=check-output]").innerText(), /no never\.txt yet/);
    assert.match(await check.locator("[data-testid=check-hint]").innerText(), /HINT-WORDS/);
    assert.equal(await page.locator("[data-testid=step-verified]").count(), 0);

    await page.locator("[data-testid=solution-show]").click();
    assert.equal(await page.locator("[data-testid=solution-body]").count(), 0, "asks first");
    await page.locator("[data-testid=solution-confirm]").click();
    assert.match(await page.locator("[data-testid=solution-body]").innerText(), /SOLUTION-WORDS/);

    await execIn(`kubelab-${sessionId}-node1`, ["touch", "/root/never.txt"]);
    await pressCheck(page, check, "pass");
    await page.locator("[data-testid=step-verified]").waitFor();
    assert.equal(await page.locator("[data-testid=step-chip-0]").getAttribute("data-verified"), "true");
  });

  it("judges a quiz on the server: wrong, then right with its explanation", async () => {
    await page.locator("[data-testid=step-next]").click();
    const quiz = page.locator("[data-testid=quiz]");
    await quiz.waitFor();
    assert.equal(await quiz.locator("input[type=radio]").count(), 3);
    await quiz.locator("[data-testid=quiz-choice]").nth(0).check();
    await quiz.locator("[data-testid=quiz-submit]").click();
    await page.locator("[data-testid=quiz][data-outcome=wrong]").waitFor();
    assert.equal(await page.locator("[data-testid=quiz-explanation]").count(), 0);
    await quiz.locator("[data-testid=quiz-choice]").nth(1).check();
    await quiz.locator("[data-testid=quiz-submit]").click();
    await page.locator("[data-testid=quiz][data-outcome=right]").waitFor();
    assert.match(await page.locator("[data-testid=quiz-explanation]").innerText(), /EXPLANATION-WORDS/);
    assert.equal(await page.locator("[data-testid=step-chip-1]").getAttribute("data-verified"), "true");
  });

  it("warns before typing into a running command, and interrupts it first", async () => {
    await page.locator("[data-testid=step-next]").click();
    await page.locator("[data-block-id=s2-b0] [data-testid=block-run]").click();
    await waitFor(
      "sleep 300 in the foreground",
      async () => {
        const answer = await page.evaluate<{ busy: boolean }>(
          `fetch('/api/sessions/${sessionId}/nodes/node1/terminal/foreground?terminal=main').then((r) => r.json())`,
        );
        return answer.busy || undefined;
      },
      15_000,
    );
    await page.locator("[data-block-id=s2-b1] [data-testid=block-run]").click();
    const dialog = page.locator("[data-testid=run-busy-dialog]");
    await dialog.waitFor({ state: "visible" });
    assert.match(await dialog.innerText(), /sleep 300 is still running in node1/);
    assert.equal((await terminalText(page, "node1")).includes("after-interrupt-42"), false, "nothing typed yet");
    await dialog.locator("[data-testid=run-busy-interrupt]").click();
    await waitForTerminalLine(page, /^after-interrupt-42\s*$/m);
    const written = await execIn(`kubelab-${sessionId}-node1`, ["cat", "/root/report.txt"]);
    assert.equal(written.output.trim(), "after-interrupt-42");
    // A step without checks can only be marked done, never verified.
    await page.locator("[data-testid=step-done-toggle]").click();
    const chip = page.locator("[data-testid=step-chip-2]");
    await page.locator("[data-testid=step-chip-2][data-done=true]").waitFor();
    assert.equal(await chip.getAttribute("data-verified"), "false");
  });

  it("downloads a node's file from a lesson link and from the terminal toolbar", async () => {
    const link = page.locator("a[data-download-node=node1]");
    assert.equal(await link.getAttribute("data-download-path"), "/root/report.txt");
    const fromLink = await downloaded(page, () => link.click());
    assert.deepEqual(fromLink, { name: "report.txt", text: "after-interrupt-42\n" });

    await page.locator("[data-testid=terminal-download]").click();
    const input = page.locator("[data-testid=terminal-download-path]");
    assert.equal(await input.inputValue(), "/root/");
    await input.fill("/root/sid.txt");
    const fromToolbar = await downloaded(page, () => page.locator("[data-testid=terminal-download-submit]").click());
    assert.deepEqual(fromToolbar, { name: "sid.txt", text: `sid=${sessionId}\n` });

    await page.locator("[data-testid=terminal-download]").click();
    await input.fill("/root/missing.txt");
    await page.locator("[data-testid=terminal-download-submit]").click();
    const toast = page.locator("[data-testid=toast][data-kind=error]", { hasText: "/root/missing.txt" });
    await toast.waitFor();
    assert.match(await toast.innerText(), /\/root\/missing\.txt does not exist in node1/);
  });

  it("runs a Killercoda scenario: foreground typed on open, Next gated by its verify script, the finish page", async () => {
    // One session per user: end this one, and the scenario's lab starts its own.
    const status = await page.evaluate<number>(
      `fetch('/api/sessions/${sessionId}', { method: 'DELETE' }).then((r) => r.status)`,
    );
    assert.equal(status, 204);
    await page.goto(`${lab.publicUrl}/lab/${SCENARIO_ID}`);
    await page
      .locator("[data-testid=terminal-node1][data-status=connected]")
      .waitFor({ state: "attached", timeout: 120_000 });
    await waitForTerminalLine(page, /^kc-foreground-9\s*$/m);

    const next = page.locator("[data-testid=step-next]");
    assert.equal(await next.isDisabled(), true, "Next waits for the verify script");
    assert.match(await page.locator("[data-testid=step-locked]").innerText(), /Pass this step's checks/);
    assert.equal(await page.locator("[data-testid=step-chip-1]").isDisabled(), true);

    const check = page.locator("[data-testid=check]");
    await pressCheck(page, check, "fail");
    assert.equal(await next.isDisabled(), true);

    await page.locator("[data-testid=block-run]").first().click();
    await waitFor(
      "the marker in node1",
      async () => {
        const list = await page.evaluate<TSessionList>("fetch('/api/sessions').then((r) => r.json())");
        const id = list.sessions[0]!.id;
        return (await execIn(`kubelab-${id}-node1`, ["test", "-f", "/root/kc-marker"])).exitCode === 0 || undefined;
      },
      20_000,
    );
    await pressCheck(page, check, "pass");
    await page.locator("[data-testid=step-next]:not([disabled])").click();
    await page.locator("[data-testid=lesson-step][data-step-index='1']").waitFor();
    assert.match(await next.innerText(), /Done, finish/);
    await next.click();
    assert.match(await page.locator("[data-testid=lesson-finish]").innerText(), /FINISH-WORDS: you made it/);

    // The same page in Spanish: the lab's own words are translated (the scenario itself is English).
    await page.locator("header select").first().selectOption("es");
    await page.locator("html[lang=es]").waitFor({ timeout: 30_000 });
    await page.locator("[data-testid=step-chip-0]").click();
    assert.match(await page.locator("[data-testid=check-run]").innerText(), /Comprobar en node1/);
    assert.match((await page.locator("[data-testid=step-verified]").textContent()) ?? "", /verificado/);
    assert.match((await page.locator("[data-testid=steps-done]").textContent()) ?? "", /verificados: 1/);
  });
});

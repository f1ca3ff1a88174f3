// A Killercoda scenario (index.json, step markdown, verify/background/foreground scripts), written
// by this test in that format, run as a Kubelab lesson end to end: lessons:check reports what does
// not map, the steps render in Chromium, the intro's background script prepares the node, its
// foreground script is typed into the terminal, `cmd`{{exec}} runs, and the verify script gates
// the next step on the page and on the server. Real server, PostgreSQL, Docker node and Chromium.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { ZLesson, ZLessonProgress, type TApiErrorBody } from "@kubelab/shared";
import type { Page } from "playwright-core";
import { logInPageAs, useBrowser } from "./support/browser";
import { execIn } from "./support/docker-objects";
import { pressCheck } from "./support/lesson-check-clicks";
import { useKubelab } from "./support/lab-fixture";
import { REPO_ROOT } from "./support/repo-paths";
import { waitFor } from "./support/wait-for";

const ID = "kc-files";

/** A LESSONS_DIR holding one scenario in Killercoda's own layout. */
function writeScenario(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-killercoda-e2e-"));
  const files: Record<string, string> = {
    "index.json": JSON.stringify({
      title: "Files in a node",
      description: "Create a file, find what the background prepared.",
      difficulty: "beginner",
      time: "5 minutes",
      details: {
        intro: { text: "intro.md", background: "background.sh", foreground: "foreground.sh" },
        steps: [
          { title: "Create the marker", text: "step1/text.md", verify: "step1/verify.sh" },
          { title: "Read what was prepared", text: "step2/text.md", verify: "step2/verify.sh" },
          { title: "Clean up", text: "step3/text.md" },
        ],
        finish: { text: "finish.md" },
        // Killercoda copies assets into the node; Kubelab does not (reported by lessons:check).
        assets: { host01: [{ file: "notes.txt", target: "/root" }] },
      },
      backend: { imageid: "ubuntu" },
    }),
    "intro.md": "Welcome to **files**.\n",
    "background.sh": "#!/bin/bash\necho prepared-by-background > /root/prepared.txt\n",
    "foreground.sh": "echo foreground-$((6 * 7))\n",
    "step1/text.md": "Create the marker file:\n\n`touch /root/kc-marker`{{exec}}\n",
    "step1/verify.sh": "#!/bin/bash\ntest -f /root/kc-marker\n",
    "step2/text.md": "The background script wrote a file: `cat /root/prepared.txt`{{exec}}\n",
    "step2/verify.sh": "#!/bin/bash\ngrep -q prepared-by-background /root/prepared.txt\n",
    "step3/text.md": "Remove it: `rm /root/kc-marker`{{copy}}\n",
    "finish.md": "All done.\n",
  };
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, ID, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return dir;
}

async function terminalText(page: Page): Promise<string> {
  return (await page.locator("[data-testid=terminal-text-node1]").textContent()) ?? "";
}

describe("a Killercoda scenario as a lesson", () => {
  const lessonsDir = writeScenario();
  const lab = useKubelab({ env: { WEB_ENABLED: "true", LESSONS_DIR: lessonsDir }, browserOrigin: true });
  const browser = useBrowser();

  it("is checked by lessons:check, which names what does not map", () => {
    const cli = path.join(REPO_ROOT, "packages/lessons/dist/check-lessons.cli.js");
    const run = spawnSync(process.execPath, [cli, lessonsDir], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr + run.stdout, /warning: .*index\.json.*asset/i);
    assert.match(run.stdout, new RegExp(`${ID} \\[Killercoda scenario\\] \\(en: 3 steps`));
  });

  it("renders its steps, runs its scripts in the node and gates each step on its verify script", async () => {
    // The public lesson carries no verify script and no background script.
    const owner = lab.server.client();
    const publicLesson = ZLesson.parse((await owner.request("GET", `/api/lessons/${ID}`)).body);
    assert.equal(publicLesson.format, "killercoda");
    assert.equal(publicLesson.gated, true);
    assert.deepEqual(
      publicLesson.steps.map((s) => s.title),
      ["Create the marker", "Read what was prepared", "Clean up"],
    );
    assert.doesNotMatch(JSON.stringify(publicLesson), /test -f|prepared-by-background/);

    await owner.loginAsGuest("Kim");
    const page = await browser.newPage();
    await logInPageAs(page, owner, lab.publicUrl);
    await page.goto(`${lab.publicUrl}/lab/${ID}`);
    await page.locator("[data-testid=terminal-node1][data-status=connected]").waitFor({ timeout: 120_000 });
    const sessionId = (await page.locator("[data-testid=session-bar]").getAttribute("data-session-id")) ?? "";
    const node1 = `kubelab-${sessionId}-node1`;

    // The intro's foreground script is typed into node1's terminal; its background script ran there.
    await waitFor("the foreground script's output", async () => /foreground-42/.test(await terminalText(page)), 30_000);
    const prepared = await waitFor(
      "the background script's file in node1",
      async () => {
        const read = await execIn(node1, ["cat", "/root/prepared.txt"]);
        return read.exitCode === 0 ? read.output : undefined;
      },
      60_000,
      500,
    );
    assert.match(prepared, /prepared-by-background/);

    // Step 1: gated. Its check fails until the {{exec}} block has run, and Next stays shut.
    const step = page.locator("[data-testid=lesson-step]");
    assert.equal(await step.getAttribute("data-step-index"), "0");
    const next = page.locator("[data-testid=step-next]");
    assert.equal(await next.isDisabled(), true, "Next is closed before the step is verified");
    const check = page.locator("[data-testid=check]").first();
    await pressCheck(page, check, "fail");
    assert.equal(await next.isDisabled(), true);

    await step.locator("[data-testid=block-run]").first().click();
    await waitFor(
      "the marker file in node1",
      async () => (await execIn(node1, ["test", "-f", "/root/kc-marker"])).exitCode === 0 || undefined,
      20_000,
      250,
    );
    await pressCheck(page, check, "pass");
    await page.locator("[data-testid=step-next]:not([disabled])").waitFor({ timeout: 10_000 });
    await next.click();
    await page.locator("[data-testid=lesson-step][data-step-index='1']").waitFor();

    // The server keeps the gate too: past the unverified step 2 is refused, and step 1 is verified.
    const progress = ZLessonProgress.parse((await owner.request("GET", `/api/lessons/${ID}/progress`)).body);
    assert.deepEqual(progress.verifiedSteps, [0]);
    const skip = await owner.request("PUT", `/api/lessons/${ID}/progress`, {
      currentStep: 2,
      doneSteps: [0],
    });
    assert.equal(skip.status, 409, JSON.stringify(skip.body));
    assert.equal((skip.body as TApiErrorBody).error.code, "step_not_verified");
  });
});

// Terminals outlive a restart of Kubelab (issue 19, threat 21): each shell is held in its node by
// Kubelab's terminal holder, and a new Kubelab process attaches to it again. One server, one session and one lab page
// in Chromium serve every case, restarted in turn by SIGTERM and by SIGKILL.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { ApiClient } from "./support/api-client";
import { launchBrowser } from "./support/browser";
import { docker, execIn } from "./support/docker-objects";
import { useKubelab } from "./support/lab-fixture";
import { KubelabServer } from "./support/kubelab-server";
import { TerminalClient } from "./support/terminal-client";
import { openLessonAsGuest, typeIn, waitConnected, waitForLine } from "./support/lab-page-terminals";
import { waitFor } from "./support/wait-for";

const LESSON = "kubernetes-para-principiantes";
const NODE_IMAGE = process.env.KUBELAB_TEST_NODE_IMAGE ?? "kubelab/node-offline:latest";

interface Hello {
  terminal: string;
  created: boolean;
  seq: number;
}

/** The login shells running in a node (the held shells; a second shell per terminal would be a leak). */
async function loginShells(container: string): Promise<string[]> {
  const { output } = await execIn(container, ["ps", "-eo", "pid=,args="]);
  return output
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => /^\d+ (-?bash|bash -l)$/.test(line));
}

describe("terminals outlive a restart of Kubelab", () => {
  let browser: Browser;
  let page: Page;
  let sessionId: string;
  let node1: string;
  const hellos: Hello[] = [];
  // Gaps the page was told of: none, as long as the holder still has what the shell printed.
  const gaps: unknown[] = [];
  const lab = useKubelab({
    env: { WEB_ENABLED: "true", NODE_IMAGES: NODE_IMAGE },
    browserOrigin: true,
  });
  let second: KubelabServer | undefined;

  before(async () => {
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    // Every hello the page receives, from every terminal socket it opens.
    page.on("websocket", (ws) => {
      ws.on("framereceived", ({ payload }) => {
        if (typeof payload !== "string") return;
        const message = JSON.parse(payload) as { type: string } & Hello;
        if (message.type === "hello") hellos.push(message);
        if (message.type === "gap") gaps.push(message);
      });
    });
    sessionId = await openLessonAsGuest(page, lab.publicUrl, LESSON, "Ada");
    const [container] = await docker.listContainers({
      filters: { label: [`kubelab.session=${sessionId}`, "kubelab.node=node1"] },
    });
    assert.ok(container, "node1's container");
    node1 = container.Id;
  });

  after(async () => {
    await second?.stop();
    await browser?.close();
  });

  /** Restarts the server and waits until the page shows every view connected again. */
  async function restart(how: "stop" | "kill", views: string[]): Promise<number> {
    const before = hellos.length;
    await lab.server[how]();
    lab.server = await lab.server.restart();
    for (const view of views) await waitConnected(page, view);
    await waitFor("a hello for every view", () => (hellos.length >= before + views.length ? true : undefined));
    return before;
  }

  it("SIGTERM: the page reconnects to the same shell, whose command keeps running", async () => {
    await typeIn(page, "node1", "echo shell-$$; sleep 20; echo done-$((6*7))\n");
    const [, pid] = await waitForLine(page, "node1", /^shell-(\d+)\s*$/m);
    assert.ok(
      hellos.some((h) => h.terminal === "main" && h.created),
      "the page started the shell",
    );

    const from = await restart("stop", ["node1"]);
    const after = hellos.slice(from).filter((h) => h.terminal === "main");
    assert.ok(after.length > 0 && after.every((h) => !h.created), `hellos after the restart: ${JSON.stringify(after)}`);
    await waitForLine(page, "node1", /^done-42\s*$/m, 40_000);
    await typeIn(page, "node1", "echo again-$$\n");
    const [, again] = await waitForLine(page, "node1", /^again-(\d+)\s*$/m);
    assert.equal(again, pid, "the same shell");
    assert.equal((await loginShells(node1)).length, 1, "one shell, not two");
  });

  it("SIGKILL with two terminals on one node: both come back, each to its own shell", async () => {
    await page.locator("[data-testid=terminal-new]").click();
    await page.locator("[data-testid=terminal-new-node1]").click();
    await waitConnected(page, "node1-t2");
    await typeIn(page, "node1-t2", "echo second-$$; sleep 20; echo done2-$((7*8))\n");
    const [, secondPid] = await waitForLine(page, "node1-t2", /^second-(\d+)\s*$/m);
    await typeIn(page, "node1", "echo first-$$; sleep 20; echo done1-$((5*9))\n");
    const [, firstPid] = await waitForLine(page, "node1", /^first-(\d+)\s*$/m);
    assert.notEqual(firstPid, secondPid);

    const from = await restart("kill", ["node1", "node1-t2"]);
    const after = hellos.slice(from);
    assert.ok(
      after.length >= 2 && after.every((h) => !h.created),
      `hellos after the restart: ${JSON.stringify(after)}`,
    );
    await waitForLine(page, "node1", /^done1-45\s*$/m, 40_000);
    await waitForLine(page, "node1-t2", /^done2-56\s*$/m, 40_000);
    await typeIn(page, "node1-t2", "echo again2-$$\n");
    assert.equal((await waitForLine(page, "node1-t2", /^again2-(\d+)\s*$/m))[1], secondPid);
    assert.equal((await loginShells(node1)).length, 2, "two terminals, two shells");
    // The killed server's attach commands ended with its connections: one holder and one client
    // (the new server's) per terminal.
    const count = async (name: string): Promise<string> =>
      (await execIn(node1, ["pgrep", "-c", "-x", name])).output.trim();
    await waitFor("one holder and one attached client per terminal", async () =>
      (await count("kubelab-hold")) === "2" && (await count("kubelab-attach")) === "2" ? true : undefined,
    ).catch(async () =>
      assert.fail(`holders ${await count("kubelab-hold")}, clients ${await count("kubelab-attach")} in node1`),
    );
    assert.deepEqual(gaps, [], "nothing the shells printed was lost across the restarts");
  });

  it("a second Kubelab process on the same database attaches to a shell the first started", async () => {
    second = await KubelabServer.start({
      databaseUrl: lab.db.url,
      instanceId: lab.server.instanceId,
      env: { WEB_ENABLED: "false", NODE_IMAGES: NODE_IMAGE, PUBLIC_URL: lab.publicUrl },
    });
    const cookies = await page.context().cookies(lab.publicUrl);
    const client = new ApiClient(second.url);
    client.setCookieHeader(cookies.map((c) => `${c.name}=${c.value}`).join("; "));
    const terminal = await TerminalClient.connect(client, lab.publicUrl, sessionId, "node1", { resume: 0 });
    assert.equal(terminal.last("hello")?.created, false, "the first process's shell was found");
    terminal.send("echo from-second-$$\n");
    const [, pid] = await terminal.waitForOutput(/from-second-(\d+)\r?\n/);
    await typeIn(page, "node1", "echo from-first-$$\n");
    assert.equal((await waitForLine(page, "node1", /^from-first-(\d+)\s*$/m))[1], pid, "one shell, two processes");
    assert.equal((await loginShells(node1)).length, 2, "no shell was added");
    terminal.drop();
  });
});

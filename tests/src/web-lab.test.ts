// The lab page in a real Chromium against the real server, database and Docker nodes.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser } from "./support/browser";
import { docker, execIn } from "./support/docker-objects";
import { useDatabaseClient } from "./support/database-client";
import { useKubelab } from "./support/lab-fixture";
import { HEADER_ECHO_APP, startNodeApp } from "./support/node-apps";
import { waitFor } from "./support/wait-for";

const LESSON = "kubernetes-para-principiantes";

/** The text the page mirrors from a terminal's buffer (hidden <pre>, kept by the terminal view). */
async function terminalText(page: Page, node: string): Promise<string> {
  return (await page.locator(`[data-testid=terminal-text-${node}]`).textContent()) ?? "";
}

async function waitForTerminalLine(page: Page, node: string, line: RegExp, timeoutMs = 30_000): Promise<string> {
  return waitFor(
    `${node}'s terminal to show ${line}`,
    async () => {
      const text = await terminalText(page, node);
      return line.test(text) ? text : undefined;
    },
    timeoutMs,
    100,
  );
}

async function openLab(context: BrowserContext, baseUrl: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/`);
  await page.locator(`[data-testid=lesson-card][data-lesson-id=${LESSON}] [data-testid=lesson-action]`).click();
  await page.waitForURL(/\/login/);
  await page.locator("[data-testid=guest-name]").fill("Ada");
  await page.locator("[data-testid=guest-login-submit]").click();
  await page.waitForURL(new RegExp(`/lab/${LESSON}`));
  await page
    .locator("[data-testid=terminal-node1][data-status=connected]")
    .waitFor({ state: "attached", timeout: 120_000 });
  return page;
}

describe("lab page in Chromium", () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  // The seed lesson asks for the CentOS image, which cannot be built here; sessions use the offline image.
  const lab = useKubelab({
    // Limits below their defaults (8 terminals, 50 MiB): the page must take them from the server.
    env: {
      WEB_ENABLED: "true",
      NODE_IMAGES: "kubelab/node-offline:latest",
      MAX_TERMINALS_PER_NODE: "2",
      UPLOAD_MAX_SIZE: "1m",
    },
    browserOrigin: true,
  });

  before(async () => {
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await openLab(context, lab.publicUrl);
  });

  after(async () => {
    await browser?.close();
  });

  it("runs lesson blocks in the right node's terminal with one click", async () => {
    const run1 = page.locator("[data-block-id=s0-b0] [data-testid=block-run]");
    assert.equal(await run1.getAttribute("data-node"), "node1");
    await run1.click();
    await waitForTerminalLine(page, "node1", /^node1\s*$/m);
    const run2 = page.locator("[data-block-id=s0-b2] [data-testid=block-run]");
    assert.equal(await run2.getAttribute("data-node"), "node2");
    await page
      .locator("[data-testid=terminal-node2][data-status=connected]")
      .waitFor({ state: "attached", timeout: 60_000 });
    await run2.click();
    await waitForTerminalLine(page, "node2", /^node2\s*$/m);
  });

  it("says that the nodes run another image than the lesson's", async () => {
    // The seed lesson asks for the CentOS image, which NODE_IMAGES here does not offer.
    const notice = page.locator("[data-testid=image-fallback-notice]");
    const text = await notice.innerText();
    assert.match(text, /written for nodes running kubelab\/node-centos:latest/);
    assert.match(text, /your nodes run kubelab\/node-offline:latest/);
  });

  it("takes typing, and resizing the window resizes the TTY", async () => {
    await page.locator("[data-testid=terminal-tab-node1]").click();
    await page.locator("[data-testid=terminal-node1] .xterm").click();
    await page.keyboard.type("echo typed-$((2+3))\n");
    await waitForTerminalLine(page, "node1", /^typed-5\s*$/m);
    const size = async (): Promise<string> => {
      const marker = `size-${Date.now()}`;
      await page.keyboard.type(`echo ${marker} $(stty size)\n`);
      const text = await waitForTerminalLine(page, "node1", new RegExp(`^${marker} \\d+ \\d+\\s*$`, "m"));
      return new RegExp(`^${marker} (\\d+ \\d+)`, "m").exec(text)![1]!;
    };
    const before = await size();
    await page.setViewportSize({ width: 1900, height: 1150 });
    await page.waitForTimeout(800);
    const after = await size();
    assert.notEqual(after, before, `stty size stayed ${before}`);
    const [rowsBefore, colsBefore] = before.split(" ").map(Number) as [number, number];
    const [rowsAfter, colsAfter] = after.split(" ").map(Number) as [number, number];
    assert.ok(rowsAfter > rowsBefore && colsAfter > colsBefore, `${before} → ${after}`);
  });

  it("reconnects after the connection drops and continues without duplicated output", async () => {
    await page.keyboard.type("echo before-$((10+1))\n");
    await waitForTerminalLine(page, "node1", /^before-11\s*$/m);
    // Record every status the terminal goes through, however briefly.
    // (A string, because the tests compile without DOM types.)
    await page.evaluate(`(() => {
      const view = document.querySelector("[data-testid=terminal-node1]");
      window.statuses = [];
      new MutationObserver(() => window.statuses.push(view.dataset.status)).observe(view, {
        attributes: true,
        attributeFilter: ["data-status"],
      });
    })()`);
    // Chromium's offline emulation leaves open WebSockets alone, so cut the TCP connections
    // to the server abruptly (as a Wi-Fi drop or a proxy restart would), with ss -K.
    execFileSync("ss", ["-K", "-tn", `( sport = :${lab.server.port} )`]);
    await waitFor(
      "the terminal to reconnect",
      async () => {
        const statuses = await page.evaluate<string[]>("window.statuses");
        const status = await page.locator("[data-testid=terminal-node1]").getAttribute("data-status");
        return statuses.includes("reconnecting") && status === "connected" ? true : undefined;
      },
      60_000,
    );
    await page.locator("[data-testid=terminal-node1] .xterm").click();
    await page.keyboard.type("echo after-$((20+2))\n");
    const text = await waitForTerminalLine(page, "node1", /^after-22\s*$/m);
    assert.equal(text.match(/^before-11\s*$/gm)?.length, 1, "earlier output is not repeated");
    assert.equal(text.match(/^typed-5\s*$/gm)?.length, 1, "earlier output is not repeated");
  });

  it("shows a port opened in node1 as a chip that opens the app through the proxy, and drops it when it stops", async (t) => {
    const sessionId = (await page.locator("[data-testid=session-bar]").getAttribute("data-session-id")) ?? "";
    const node1 = `kubelab-${sessionId}-node1`;
    const chip = page.locator("[data-testid=port-chip][data-node=node1][data-port='8000']");
    assert.equal(await chip.count(), 0, "nothing listens on 8000 before the app starts");
    const started = Date.now();
    await startNodeApp(node1, HEADER_ECHO_APP, 8000);
    // Discovery polls every 3 s while the page's event stream is open; 10 s leaves room for the exec and the push.
    await chip.waitFor({ state: "visible", timeout: 10_000 });
    t.diagnostic(`chip visible ${Date.now() - started} ms after the app started`);
    assert.equal((await chip.textContent())?.trim(), "node1:8000");

    const [tab] = await Promise.all([context.waitForEvent("page"), chip.click()]);
    await tab.waitForLoadState();
    assert.equal(tab.url(), `${lab.publicUrl}/ports/${sessionId}/node1/8000/`);
    // The echo app answers with what reached it: the request went through the proxy, not straight to the node.
    // Chromium shows JSON in a <pre> (and may add a pretty-printed copy next to it).
    const echo = JSON.parse((await tab.locator("pre").first().textContent()) ?? "") as {
      path: string;
      headers: Record<string, string>;
    };
    assert.equal(echo.path, "/");
    assert.equal(echo.headers["x-forwarded-host"], new URL(lab.publicUrl).host);
    await tab.close();

    // The server pushes the whole list again when a port goes away.
    const stopped = Date.now();
    assert.equal((await execIn(node1, ["pkill", "-f", "/tmp/app-8000.py"])).exitCode, 0, "the app was running");
    await chip.waitFor({ state: "detached", timeout: 10_000 });
    t.diagnostic(`chip gone ${Date.now() - stopped} ms after the app stopped`);
  });

  it("shares a port through its chip with a link anyone can open, and makes it private again", async () => {
    const sessionId = (await page.locator("[data-testid=session-bar]").getAttribute("data-session-id")) ?? "";
    const node1 = `kubelab-${sessionId}-node1`;
    const link = `${lab.publicUrl}/ports/${sessionId}/node1/8000/`;
    // A classmate without a Kubelab login: a plain HTTP client with no cookie.
    const anonymous = () => fetch(link, { headers: { accept: "application/json" }, redirect: "manual" });
    const group = page.locator("[data-testid=port-chip-group][data-node=node1][data-port='8000']");
    const share = group.locator("[data-testid=port-share]");

    await startNodeApp(node1, HEADER_ECHO_APP, 8000);
    await group.waitFor({ state: "visible", timeout: 10_000 });
    assert.equal(await share.getAttribute("aria-pressed"), "false");
    assert.equal((await anonymous()).status, 401, "private until shared");

    await share.click();
    await page
      .locator("[data-testid=port-chip-group][data-port='8000'][data-public=true]")
      .waitFor({ timeout: 10_000 });
    assert.equal(await share.getAttribute("aria-pressed"), "true");
    const shared = await anonymous();
    assert.equal(shared.status, 200);
    assert.equal(((await shared.json()) as { path: string }).path, "/");

    // The copy button puts the same absolute link on the clipboard.
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: lab.publicUrl });
    await group.locator("[data-testid=port-copy-link]").click();
    await waitFor("the link on the clipboard", async () => {
      const text = await page.evaluate<string>("navigator.clipboard.readText()");
      return text === link ? text : undefined;
    });

    // A public port stays listed after its app stops, so it can still be made private.
    assert.equal((await execIn(node1, ["pkill", "-f", "/tmp/app-8000.py"])).exitCode, 0, "the app was running");
    await page
      .locator("[data-testid=port-chip-group][data-port='8000'][data-detected=false]")
      .waitFor({ timeout: 10_000 });
    await share.click();
    await group.waitFor({ state: "detached", timeout: 10_000 });
    assert.equal((await anonymous()).status, 401, "private again");
  });

  it("switches the interface and the lesson to Spanish", async () => {
    await page.locator("header select").first().selectOption("es");
    await page.locator("[data-testid=lesson-panel][lang=es]").waitFor({ timeout: 30_000 });
    assert.equal(await page.locator("html").getAttribute("lang"), "es");
    assert.match((await page.locator("[data-testid=lesson-panel]").textContent()) ?? "", /Empezando/);
    await page.locator("header select").first().selectOption("en");
    await page.locator("[data-testid=lesson-panel][lang=en]").waitFor({ timeout: 30_000 });
  });

  it("explains a quota refusal in Spanish from its code, with the server's English only as a folded detail", async () => {
    const spanish = await browser.newContext({ locale: "es-ES" });
    try {
      const bea = lab.server.client();
      await bea.loginAsGuest("Bea");
      const other = await bea.createSession(); // no lesson: it blocks the lesson's lab under a quota of 1
      const page = await spanish.newPage();
      await spanish.addCookies(
        (bea.cookieHeader ?? "").split("; ").map((pair) => {
          const at = pair.indexOf("=");
          return { name: pair.slice(0, at), value: pair.slice(at + 1), url: lab.publicUrl };
        }),
      );
      await page.goto(`${lab.publicUrl}/lab/${LESSON}`);
      const panel = page.locator("[data-testid=session-state][data-state=quota]");
      await panel.waitFor({ timeout: 30_000 });
      const visible = await panel.innerText();
      assert.match(visible, /Ya tienes un laboratorio activo/);
      const detail = panel.locator("[data-testid=error-detail]");
      const serverWords = ((await detail.locator("p").textContent()) ?? "").trim();
      assert.ok(serverWords.length > 0, "the server's message is kept as a detail");
      assert.ok(!visible.includes(serverWords), "the English message is not shown in the Spanish page");
      await detail.locator("summary").click();
      assert.ok((await panel.innerText()).includes(serverWords), "and can be unfolded for a bug report");
      assert.equal((await bea.request("DELETE", `/api/sessions/${other.id}`)).status, 204);
    } finally {
      await spanish.close();
    }
  });

  it("words a failed session's reason in Spanish from its code, with the server's English only folded away", async () => {
    const spanish = await browser.newContext({ locale: "es-ES", viewport: { width: 1400, height: 900 } });
    try {
      const page = await openLab(spanish, lab.publicUrl);
      const sessionId = await page.locator("[data-testid=session-bar]").getAttribute("data-session-id");
      await docker.getContainer(`kubelab-${sessionId}-node2`).kill();
      const panel = page.locator("[data-testid=session-state][data-state=failed]");
      await panel.waitFor({ timeout: 30_000 });
      const reason = panel.locator("[data-testid=session-reason]");
      assert.equal(await reason.getAttribute("data-reason-code"), "node_died");
      const visible = await panel.innerText();
      assert.match(
        visible,
        /Dejó de funcionar de forma inesperada: node2\. El laboratorio se detuvo\. \(código de salida 137\)/,
      );
      const detail = panel.locator("[data-testid=session-reason-detail]");
      const serverWords = ((await detail.locator("p").textContent()) ?? "").trim();
      assert.match(serverWords, /node2 stopped \(exit code 137\)/);
      assert.ok(!visible.includes(serverWords), "the English reason is not shown in the Spanish page");
      await detail.locator("summary").click();
      assert.ok((await panel.innerText()).includes(serverWords), "and can be unfolded for a bug report");
    } finally {
      await spanish.close();
    }
  });

  it("applies the server's limits: MAX_TERMINALS_PER_NODE to new terminals, UPLOAD_MAX_SIZE to dropped files", async () => {
    await page.locator("[data-testid=terminal-new]").click();
    await page.locator("[data-testid=terminal-new-node1]").click();
    await page.locator("[data-testid=terminal-node1-t2][data-status=connected]").waitFor({ state: "attached" });
    await page.locator("[data-testid=terminal-new]").click();
    const node1 = page.locator("[data-testid=terminal-new-node1]");
    assert.equal(await node1.isDisabled(), true, "node1 has its 2 terminals");
    assert.equal(await node1.getAttribute("title"), "A node runs at most 2 terminals");
    assert.equal(await page.locator("[data-testid=terminal-new-node2]").isDisabled(), false);
    await page.keyboard.press("Escape");

    // A string: DataTransfer exists in the page, not in the tests' (Node) types.
    const files = await page.evaluateHandle(`(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(1024 * 1024 + 1)], "big.bin"));
      transfer.items.add(new File(["hello"], "small.txt"));
      return transfer;
    })()`);
    await page.locator("[data-testid=terminal-node1-t2]").dispatchEvent("drop", { dataTransfer: files });
    const refused = page.locator("[data-testid=toast][data-kind=error]", { hasText: "big.bin" });
    await refused.waitFor();
    assert.match(await refused.innerText(), /big\.bin is larger than 1 MB/);
    // Below the limit: sent to the server, which stores it.
    await page.locator("[data-testid=toast][data-kind=success]", { hasText: "small.txt" }).waitFor({ timeout: 30_000 });
    const sessionId = await page.locator("[data-testid=session-bar]").getAttribute("data-session-id");
    const stored = await execIn(`kubelab-${sessionId}-node1`, ["cat", "/root/small.txt"]);
    assert.equal(stored.output, "hello");
  });

  it("extends the session, then ends it after confirmation", async () => {
    const countdown = page.locator("[data-testid=session-countdown]");
    const before = Date.parse((await countdown.getAttribute("datetime")) ?? "");
    await page.locator("[data-testid=session-extend]").click();
    await waitFor("a later expiry", async () => {
      const now = Date.parse((await countdown.getAttribute("datetime")) ?? "");
      return now > before ? now : undefined;
    });
    const sessionId = await page.locator("[data-testid=session-bar]").getAttribute("data-session-id");
    await page.locator("[data-testid=session-end]").click();
    await page.locator("[data-testid=end-session-confirm]").click();
    await page.waitForURL((url) => !url.pathname.startsWith("/lab"), { timeout: 60_000 });
    const cookies = await context.cookies();
    const client = lab.server.client();
    client.setCookieHeader(cookies.map((c) => `${c.name}=${c.value}`).join("; "));
    assert.equal((await client.getSession(sessionId!)).status, "ended");
  });
});

// One server for a session's whole life on the page when it comes from the warm pool: the claim shows
// terminals at once, and its time (SESSION_DURATION) counts from the claim, not from when it was built.
describe("lab page: a session claimed from the warm pool, until it expires", () => {
  let browser: Browser;
  const lab = useKubelab({
    env: {
      WEB_ENABLED: "true",
      NODE_IMAGES: "kubelab/node-offline:latest",
      SESSION_DURATION: "45s",
      POOL_SIZE: "1",
      // The pool builds while the suite waits; a busy CI host may need more than the default.
      NODE_READY_TIMEOUT: "240s",
    },
    browserOrigin: true,
  });
  const db = useDatabaseClient(lab);

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  it("shows the terminals of a claimed session at once, never the provisioning state", async () => {
    const pooledId = await waitFor(
      "a pooled session",
      async () =>
        (await db.client.query<{ id: string }>("SELECT id FROM lab_sessions WHERE status = 'pooled'")).rows[0]?.id,
      240_000,
      250,
    );
    // Built 20 s before the claim: if the claim did not restart its time, it would expire 20 s early.
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    const context = await browser.newContext();
    // Every state the right pane ever takes, recorded in the page from its first paint.
    // (A string: the page's DOM types are not in the tests' Node types.)
    await context.addInitScript(`(() => {
      const seen = (window.kubelabStates = []);
      new MutationObserver(() => {
        for (const panel of document.querySelectorAll("[data-testid=session-state]")) {
          const state = panel.getAttribute("data-state") ?? "";
          if (seen.at(-1) !== state) seen.push(state);
        }
      }).observe(document, { subtree: true, childList: true, attributes: true });
    })()`);
    const clicked = Date.now();
    const page = await openLab(context, lab.publicUrl);
    console.log(`lesson click to a connected terminal (login included): ${Date.now() - clicked} ms`);
    assert.equal(await page.locator("[data-testid=session-bar]").getAttribute("data-session-id"), pooledId);
    const states = await page.evaluate<string[]>("window.kubelabStates");
    assert.ok(
      states.every((state) => state === "starting"),
      `only the request's own spinner may have shown, not ${JSON.stringify(states)}`,
    );

    const claimedAt = Date.now();
    await page.locator("[data-testid=session-state][data-state=ended]").waitFor({ state: "visible", timeout: 90_000 });
    const lived = Date.now() - claimedAt;
    assert.ok(lived > 30_000, `the claimed session expired ${lived} ms after the claim, not 45 s`);
    assert.match((await page.locator("[data-testid=session-state]").textContent()) ?? "", /expire/i);
    await page.locator("[data-testid=session-start-new]").waitFor();
  });
});

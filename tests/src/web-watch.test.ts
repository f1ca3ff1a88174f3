// Watching an attendee's terminal (issue 16) in a real Chromium against the real server, database
// and Docker nodes: an attendee (Spanish) types in her lab page and the instructor's watch page
// shows it within a second; the watch page's keyboard does nothing until she allows take-over on
// her "is watching" notice, then it reaches her shell; "Done" resolves a help request.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ZMyHelp, type TMeResponse, type TMyHelpRequest } from "@kubelab/shared";
import type { Page } from "playwright-core";
import type { ApiClient } from "./support/api-client";
import { logInPageAs, useBrowser } from "./support/browser";
import { createRunningEvent, EVENT_LESSON } from "./support/classroom";
import { useDatabaseClient } from "./support/database-client";
import { useKubelab } from "./support/lab-fixture";

/** The bound, from the attendee's Enter to the line on the instructor's screen. */
const WATCH_DELAY_MS = 1_000;

describe("watching an attendee's terminal in Chromium", () => {
  const lab = useKubelab({
    env: { WEB_ENABLED: "true", NODE_IMAGES: "kubelab/node-offline:latest", GUEST_LOGIN: "true" },
    browserOrigin: true,
  });
  const db = useDatabaseClient(lab);
  const { newPage } = useBrowser();
  let teacher: ApiClient;

  before(async () => {
    teacher = lab.server.client();
    const me: TMeResponse = await teacher.loginAsGuest("Teacher");
    await db.client.query("UPDATE users SET role = 'instructor' WHERE id = $1", [me.id]);
  });

  const terminalText = async (page: Page, testId: string): Promise<string> =>
    (await page.locator(`[data-testid=${testId}]`).textContent()) ?? "";

  /** Waits for a terminal's text mirror to match, checking every `pollMs` in the page. */
  const waitForLine = (page: Page, testId: string, pattern: RegExp, pollMs: number) =>
    page.waitForFunction(
      `${String(pattern)}.test(document.querySelector("[data-testid=${testId}]")?.textContent ?? "")`,
      undefined,
      { polling: pollMs, timeout: 10_000 },
    );

  it("shows the attendee's typing within a second, and types only after she allows take-over", async () => {
    const event = await createRunningEvent(teacher, { title: "Watch class" });

    // Ana joins with the link and gets her lab page with a connected terminal.
    const ana = await newPage({ locale: "es-ES" });
    await ana.goto(`${lab.publicUrl}${event.joinPath}`);
    await ana.locator("[data-testid=join-name]").fill("Ana");
    await ana.locator("[data-testid=join-submit]").click();
    await ana.waitForURL(new RegExp(`/lab/${EVENT_LESSON}$`), { waitUntil: "commit" });
    await ana
      .locator("[data-testid=terminal-node1][data-status=connected]")
      .waitFor({ state: "attached", timeout: 120_000 });
    const sessionId = await ana.locator("[data-testid=session-bar]").getAttribute("data-session-id");
    assert.ok(sessionId);
    assert.equal(await ana.locator("[data-testid=watchers-notice]").count(), 0, "nobody watches yet");

    // The instructor opens the watch page: read-only, "Take over" disabled; Ana is told.
    const watcher = await newPage({ locale: "en-US" });
    await logInPageAs(watcher, teacher, lab.publicUrl);
    await watcher.goto(`${lab.publicUrl}/events/${event.id}/watch/${sessionId}`);
    assert.match(await watcher.locator("h1").innerText(), /Watching Ana/);
    await watcher.locator("[data-testid=watch-terminal][data-watch-status=readOnly]").waitFor({ timeout: 15_000 });
    assert.match(await watcher.locator("[data-testid=watch-status]").innerText(), /Ana has not allowed take-over/);
    assert.equal(await watcher.locator("[data-testid=watch-takeover]").isDisabled(), true);
    const notice = ana.locator("[data-testid=watcher]");
    await notice.waitFor({ timeout: 5_000 });
    assert.equal(await notice.innerText(), "Teacher está observando");

    // Ana types; the line shows on the watch page within a second of her Enter.
    await ana.locator("[data-testid=terminal-node1] .xterm").click();
    await ana.keyboard.type("echo hello-from-ana");
    const entered = Date.now();
    await ana.keyboard.press("Enter");
    await waitForLine(watcher, "watch-text", /^hello-from-ana\s*$/m, 10);
    const shownMs = Date.now() - entered;
    console.log(`# attendee's Enter to the line on the watch page: ${shownMs} ms`);
    assert.ok(shownMs <= WATCH_DELAY_MS, `took ${shownMs} ms`);

    // The instructor's keystrokes go nowhere while Ana has not allowed take-over.
    await watcher.locator("[data-testid=watch-screen]").click();
    await watcher.keyboard.type("echo from-watcher-$((6*7))\n");
    await sleep(1_000);
    assert.doesNotMatch(await terminalText(ana, "terminal-text-node1"), /from-watcher/);

    // Ana allows it: "Take over" enables, the instructor takes over, Ana sees who types.
    await ana.locator("[data-testid=allow-takeover]").check();
    await watcher.locator("[data-testid=watch-terminal][data-watch-status=allowed]").waitFor({ timeout: 5_000 });
    await watcher.locator("[data-testid=watch-takeover]").click();
    await watcher.locator("[data-testid=watch-terminal][data-watch-status=typing]").waitFor({ timeout: 5_000 });
    await ana.locator("[data-testid=watcher][data-typing=true]").waitFor({ timeout: 5_000 });
    assert.equal(await notice.innerText(), "Teacher está escribiendo");
    await watcher.locator("[data-testid=watch-screen]").click();
    await watcher.keyboard.type("echo from-watcher-$((6*7))\n");
    await waitForLine(ana, "terminal-text-node1", /^from-watcher-42\s*$/m, 50);

    // Opened from the help queue: "Done" resolves Ana's request.
    const raised = await ana.evaluate(async (id) => {
      const res = await fetch(`/api/sessions/${id}/help`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      return (await res.json()) as TMyHelpRequest;
    }, sessionId);
    await watcher.goto(`${lab.publicUrl}/events/${event.id}/watch/${sessionId}?help=${raised.id}`);
    await watcher.locator("[data-testid=watch-done]").click();
    await watcher.locator("[data-testid=watch-help-done]").waitFor({ timeout: 5_000 });
    const mine = await ana.evaluate(async (id) => (await fetch(`/api/sessions/${id}/help`)).json(), sessionId);
    assert.equal(ZMyHelp.parse(mine).request, null, "resolved");

    // Leaving the watch page empties Ana's notice (the switch stays while take-over is allowed).
    await watcher.close();
    await ana.locator("[data-testid=watcher]").waitFor({ state: "detached", timeout: 5_000 });
    assert.equal(await ana.locator("[data-testid=allow-takeover]").isChecked(), true);
    assert.equal((await teacher.request("POST", `/api/events/${event.id}/end`)).status, 200);
  });
});

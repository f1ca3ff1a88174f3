// The instructor's live room page (issue 16) in a real Chromium against the real server, database
// and Docker nodes: one instructor, two guest attendees in a running event. A raised hand reaches
// the page's help queue within a second (the stream pushes at once) and "Done" resolves it; "Help"
// claims it and opens the watch page; a step marked done moves the progress board; the broadcast
// form posts what attendees read; the CSV link downloads one line per attendee; the stuck filter.
// The bulk-action buttons call routes built on another branch: their requests are unit-tested
// (apps/web/lib/room/room-actions.spec.ts), not clicked here.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import {
  ZEventRoom,
  ZMyHelp,
  ZSessionBroadcast,
  type TEvent,
  type TEventJoinResponse,
  type TMeResponse,
  type TMyHelpRequest,
} from "@kubelab/shared";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import type { ApiClient } from "./support/api-client";
import { launchBrowser } from "./support/browser";
import { createRunningEvent, EVENT_LESSON as LESSON } from "./support/classroom";
import { useDatabaseClient } from "./support/database-client";
import { useKubelab } from "./support/lab-fixture";
import { pageSummary } from "./support/page-wait";
import { TerminalClient } from "./support/terminal-client";
import { userWithRole } from "./support/user-roles";

/** The figure: a raised hand shows in the queue within a second of the API's answer. */
const HAND_MS = 1_000;

describe("the instructor's room page in Chromium", () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const lab = useKubelab({
    env: { WEB_ENABLED: "true", NODE_IMAGES: "kubelab/node-offline:latest", GUEST_LOGIN: "true" },
    browserOrigin: true,
  });
  const db = useDatabaseClient(lab);
  let teacher: ApiClient;
  let event: TEvent;
  const attendees = new Map<string, { client: ApiClient; sessionId: string; userId: string }>();

  before(async () => {
    browser = await launchBrowser();
    teacher = await userWithRole(lab, db, "Teacher", "instructor");
    event = await createRunningEvent(teacher, { title: "Room in Chromium", capacity: 2 });
    for (const name of ["Ana", "Bea"]) {
      const client = lab.server.client();
      const joined = await client.request<TEventJoinResponse>("POST", "/api/events/join", {
        code: event.accessCode,
        name,
      });
      assert.equal(joined.status, 200, JSON.stringify(joined.body));
      const me = await client.request<TMeResponse>("GET", "/api/me");
      assert.equal(me.status, 200, JSON.stringify(me.body));
      attendees.set(name, { client, sessionId: joined.body.session.id, userId: me.body.id });
    }
    for (const a of attendees.values()) {
      const settled = await a.client.waitUntilSettled(a.sessionId);
      assert.equal(settled.status, "ready", JSON.stringify(settled));
    }
  });

  after(async () => {
    await browser?.close();
  });

  function attendee(name: string) {
    const a = attendees.get(name);
    assert.ok(a, name);
    return a;
  }

  async function instructorPage(options: { fakeClock?: boolean } = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: "en-US" });
    contexts.push(context);
    const header = teacher.cookieHeader ?? "";
    const at = header.indexOf("=");
    assert.ok(at > 0, "the teacher is logged in");
    await context.addCookies([{ name: header.slice(0, at), value: header.slice(at + 1), url: lab.publicUrl }]);
    if (options.fakeClock) await context.clock.install();
    return context.newPage();
  }

  /** An attribute of each element a locator matches, in order. */
  async function attributes(locator: Locator, name: string): Promise<(string | null)[]> {
    return Promise.all((await locator.all()).map((element) => element.getAttribute(name)));
  }

  it("shows raised hands at once, moves the board, broadcasts, exports and finds who is stuck", async () => {
    const ana = attendee("Ana");
    const bea = attendee("Bea");
    const page = await instructorPage();
    // The "Room" action of the events list opens the room.
    await page.goto(`${lab.publicUrl}/events`);
    const roomAction = page.locator(`[data-testid=event-row][data-event-id='${event.id}'] [data-testid=event-room]`);
    // In 2 of 8 CI runs the event's row had not appeared 30 s after the page loaded; the cause is not
    // found yet (web-events.test.ts checks the list itself). Say what the page showed, then reload, so
    // that such a run shows the cause and still tests the room.
    const shownInTime = await roomAction.waitFor({ timeout: 15_000 }).then(
      () => true,
      () => false,
    );
    if (!shownInTime) {
      console.log(`# events page without the event's row after 15 s: ${await pageSummary(page)}`);
      await page.reload();
    }
    await roomAction.click();
    await page.waitForURL(new RegExp(`/events/${event.id}/room$`));
    await page.locator("[data-testid=room-page][data-stream=live]").waitFor({ timeout: 15_000 });
    const rows = page.locator("[data-testid=room-roster] [data-testid=room-attendee]");
    await rows.nth(1).waitFor();
    assert.deepEqual(await rows.locator("[data-testid=room-attendee-name]").allTextContents(), ["Ana", "Bea"]);
    await page.locator("[data-testid=room-summary]", { hasText: /Joined2Started2/ }).waitFor({ timeout: 5_000 });
    // A click lets the page play sound (browsers allow audio after a user gesture).
    await page.locator("h1").click();
    const help = page.locator("[data-testid=room-help]");
    assert.equal(await help.getAttribute("data-beeps"), "0");

    // A raised hand: in the queue within a second of the API's answer, highlighted, with a beep.
    const raised = await ana.client.request<TMyHelpRequest>("POST", `/api/sessions/${ana.sessionId}/help`, {
      message: "kubectl hangs",
      step: 1,
    });
    const answered = Date.now();
    assert.equal(raised.status, 201, JSON.stringify(raised.body));
    const request = page.locator(`[data-testid=room-help-request][data-request-id='${raised.body.id}']`);
    await request.waitFor({ timeout: 5_000 });
    const handMs = Date.now() - answered;
    console.log(`# raised hand: API answer to the room page's queue: ${handMs} ms`);
    assert.ok(handMs <= HAND_MS, `the hand took ${handMs} ms to show (at most ${HAND_MS})`);
    assert.equal(await request.getAttribute("data-fresh"), "true", "highlighted");
    assert.match((await request.textContent()) ?? "", /Ana.*kubectl hangs/);
    assert.equal(await help.getAttribute("data-beeps"), "1", "one beep");
    await rows.filter({ hasText: "Ana" }).locator(".badge", { hasText: "asking" }).waitFor({ timeout: 5_000 });

    // "Help": claimed (the attendee sees someone is looking) and the watch page opens in a tab.
    const [popup] = await Promise.all([
      page.context().waitForEvent("page"),
      request.locator("[data-testid=room-help-claim]").click(),
    ]);
    await popup.waitForURL(/\/watch\//, { timeout: 10_000 });
    assert.equal(
      new URL(popup.url()).pathname + new URL(popup.url()).search,
      `/events/${event.id}/watch/${ana.sessionId}?help=${raised.body.id}`,
    );
    await popup.close();
    await request.locator("[data-testid=room-help-claimed]", { hasText: "Teacher is looking" }).waitFor();
    const mine = ZMyHelp.parse((await ana.client.request("GET", `/api/sessions/${ana.sessionId}/help`)).body);
    assert.equal(mine.request?.claimedBy, "Teacher");

    // "Done" resolves it: it leaves the queue and the attendee's request is closed.
    await request.locator("[data-testid=room-help-resolve]").click();
    await request.waitFor({ state: "detached", timeout: 5_000 });
    const closed = ZMyHelp.parse((await ana.client.request("GET", `/api/sessions/${ana.sessionId}/help`)).body);
    assert.equal(closed.request, null);

    // A step marked done moves the progress board (at the stream's next one-second rebuild).
    const boardRow = page.locator(`[data-testid=room-board-row][data-user-id='${bea.userId}']`);
    assert.equal(await boardRow.locator("td").first().getAttribute("data-cell"), "current");
    const progress = await bea.client.request("PUT", `/api/lessons/${LESSON}/progress`, {
      currentStep: 1,
      doneSteps: [0],
    });
    const saved = Date.now();
    assert.equal(progress.status, 200, JSON.stringify(progress.body));
    await page.locator("[data-testid=room-board-done] td[data-step='0'][data-count='1']").waitFor({ timeout: 5_000 });
    console.log(`# step marked done: API answer to the progress board: ${Date.now() - saved} ms`);
    assert.deepEqual((await attributes(boardRow.locator("td"), "data-cell")).slice(0, 3), ["done", "current", "todo"]);
    assert.equal(
      await page.locator("[data-testid=room-board-on-it] td[data-step='1']").getAttribute("data-count"),
      "1",
    );
    assert.equal(await rows.filter({ hasText: "Bea" }).locator("[data-testid=room-attendee-done]").textContent(), "1");

    // The broadcast form: what the attendees' lab pages read.
    await page.locator("[data-testid=room-broadcast-message]").fill("Go to step 2, please");
    await page.locator("[data-testid=room-broadcast-step]").fill("2");
    await page.locator("[data-testid=room-broadcast-send]").click();
    await page.locator("[data-testid=room-broadcast]", { hasText: "Go to step 2, please" }).waitFor({ timeout: 5_000 });
    for (const a of [ana, bea]) {
      const read = await a.client.request("GET", `/api/sessions/${a.sessionId}/broadcast`);
      assert.equal(read.status, 200);
      const broadcast = ZSessionBroadcast.parse(read.body).broadcast;
      assert.deepEqual(
        [broadcast?.message, broadcast?.step, broadcast?.author],
        ["Go to step 2, please", 1, "Teacher"],
      );
    }

    // The CSV link downloads one line per attendee with their steps and help requests.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.locator("[data-testid=room-export]").click(),
    ]);
    const csv = await fs.readFile(await download.path(), "utf8");
    const lines = csv.trimEnd().split("\r\n");
    assert.equal(lines[0], "name,login,status,steps_done,current_step,time_spent_seconds,help_requests");
    assert.deepEqual(
      lines
        .slice(1)
        .map((line) => line.split(","))
        .map((c) => [c[0], c[2], c[3], c[4], c[6]]),
      [
        ["Ana", "ready", "0", "0", "1"],
        ["Bea", "ready", "1", "1", "0"],
      ],
    );

    // Stuck: Ana types, then nobody does anything for 11 minutes (the page's clock jumps ahead).
    const terminal = await TerminalClient.connect(ana.client, lab.publicUrl, ana.sessionId, "node1");
    terminal.send("echo hello-from-ana\r");
    await terminal.waitForOutput(/hello-from-ana\r?\n/);
    terminal.close();
    await rows
      .filter({ hasText: "Ana" })
      .locator("[data-testid=room-attendee-idle]", { hasText: "just now" })
      .waitFor({ timeout: 5_000 });
    const later = await instructorPage({ fakeClock: true });
    await later.goto(`${lab.publicUrl}/events/${event.id}/room`);
    await later.locator("[data-testid=room-page][data-stream=live]").waitFor({ timeout: 15_000 });
    const laterRows = later.locator("[data-testid=room-roster] [data-testid=room-attendee]");
    await laterRows.nth(1).waitFor();
    await later.locator("[data-testid=room-filter]").selectOption("stuck");
    await later.locator("[data-testid=room-roster-count]", { hasText: "0 of 2" }).waitFor();
    await later.clock.fastForward("11:00");
    // Ana was idle 11 minutes; Bea never typed, so she is stuck only if her step is timed (stepSince).
    const room = ZEventRoom.parse((await teacher.request("GET", `/api/events/${event.id}/room`)).body);
    const beaSince = room.attendees.find((a) => a.name === "Bea")?.stepSince;
    const beaTimed = typeof beaSince === "string";
    const expected = beaTimed ? ["Ana", "Bea"] : ["Ana"];
    await later
      .locator("[data-testid=room-roster-count]", { hasText: `${expected.length} of 2` })
      .waitFor({ timeout: 5_000 });
    assert.deepEqual(
      await laterRows.locator("[data-testid=room-attendee-name]").allTextContents(),
      expected.map((n) => `${n}stuck`),
    );
    assert.ok((await attributes(laterRows, "data-stuck")).every((s) => s === "true"));
    // N chosen on the page: 20 minutes, and nobody is stuck yet.
    await later.locator("[data-testid=room-stuck-minutes]").fill("20");
    await later.locator("[data-testid=room-roster-count]", { hasText: "0 of 2" }).waitFor({ timeout: 5_000 });
    await later.locator("[data-testid=room-filter]").selectOption("all");
    await later.locator("[data-testid=room-roster-count]", { hasText: "2 of 2" }).waitFor();
  });
});

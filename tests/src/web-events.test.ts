// Joining a classroom event (issue 15) in a real Chromium against the real server, database and
// Docker nodes: the waiting page before the start, guests taking the event's reserved sessions
// through the /join/<code> link straight into a reserved session, a full event, a wrong code; the
// instructor's /events page creating, editing, ending and deleting events.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ZEvent, ZEventList, type TEvent, type TMeResponse } from "@kubelab/shared";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { ApiClient } from "./support/api-client";
import { launchBrowser } from "./support/browser";
import { useDatabaseClient } from "./support/database-client";
import { useKubelab } from "./support/lab-fixture";
import { waitOnPage } from "./support/page-wait";
import { waitFor } from "./support/wait-for";

const LESSON = "kubernetes-para-principiantes";
/**
 * The figure is 2 s from the click on "Join" to a terminal connected in node1; it is printed
 * and recorded in docs/benchmarks.md, not asserted (timed assertions fail on a loaded CI host: 2067 ms
 * was seen at load 6.9). What makes the join instant is asserted instead: both guests get the
 * event's reserved, already running sessions and nothing is built for them. The bound below only
 * catches a page that hangs.
 */
const JOIN_SANITY_MS = 15_000;

describe("joining an event in Chromium", () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const lab = useKubelab({
    env: {
      WEB_ENABLED: "true",
      NODE_IMAGES: "kubelab/node-offline:latest",
      GUEST_LOGIN: "true",
      REAPER_INTERVAL: "1s",
      POOL_CONCURRENCY: "2",
    },
    browserOrigin: true,
  });
  const db = useDatabaseClient(lab);
  let teacher: ApiClient;

  before(async () => {
    browser = await launchBrowser();
    teacher = lab.server.client();
    const me: TMeResponse = await teacher.loginAsGuest("Teacher");
    await db.client.query("UPDATE users SET role = 'instructor' WHERE id = $1", [me.id]);
  });

  after(async () => {
    await browser?.close();
  });

  /** The teacher's login cookie, for the browser (the API client logged in over HTTP). */
  function teacherCookies(): { name: string; value: string; url: string }[] {
    const header = teacher.cookieHeader ?? "";
    const at = header.indexOf("=");
    assert.ok(at > 0, "the teacher is logged in");
    return [{ name: header.slice(0, at), value: header.slice(at + 1), url: lab.publicUrl }];
  }

  async function createEvent(body: Record<string, unknown>): Promise<TEvent> {
    const res = await teacher.request("POST", "/api/events", {
      title: "Kubernetes 101",
      lessonId: LESSON,
      language: "es",
      ...body,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return ZEvent.parse(res.body);
  }

  async function newPage(options: { locale?: string; timezoneId?: string } = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, ...options });
    contexts.push(context);
    return context.newPage();
  }

  it("shows the start in the viewer's zone and language, opens the lab by itself, warns before the end", async () => {
    const startsAt = new Date(Date.now() + 15_000);
    // Ends 5 minutes after its start: the lab page warns at once that the event ends within 10.
    const event = await createEvent({
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 5 * 60_000).toISOString(),
      capacity: 1,
      reservedSessions: 0,
    });
    const page = await newPage({ locale: "es-ES", timezoneId: "America/Mexico_City" });
    await page.goto(`${lab.publicUrl}${event.joinPath}`);
    await page.locator("[data-testid=join-name]").fill("Temprana");
    await page.locator("[data-testid=join-submit]").click();
    const waiting = page.locator("[data-testid=join-waiting]");
    await waiting.waitFor({ timeout: 10_000 });
    assert.match((await waiting.textContent()) ?? "", /El evento aún no ha empezado/);
    const expected = new Intl.DateTimeFormat("es", {
      hour: "numeric",
      minute: "2-digit",
      timeZone: "America/Mexico_City",
    }).format(startsAt);
    const shown = (await page.locator("[data-testid=join-start-time]").textContent()) ?? "";
    assert.ok(shown.includes(expected), `"${shown}" names the start in Mexico City time (${expected})`);
    // At the start the page joins by itself (a cold start: no reserved sessions).
    await page.waitForURL(new RegExp(`/lab/${LESSON}`), { timeout: 30_000 });
    assert.ok(Date.now() >= startsAt.getTime() - 1_000, "not before the start");
    await page
      .locator("[data-testid=terminal-node1][data-status=connected]")
      .waitFor({ state: "attached", timeout: 120_000 });
    const sessionId = await page.locator("[data-testid=session-bar]").getAttribute("data-session-id");
    const row = await db.client.query<{ event_id: string | null }>("SELECT event_id FROM lab_sessions WHERE id = $1", [
      sessionId,
    ]);
    assert.equal(row.rows[0]?.event_id, event.id, "the lab page shows the event's session");
    const warning = page.locator("[data-testid=event-ending]");
    assert.equal(await warning.getAttribute("data-warning"), "ten_minutes");
    assert.match((await warning.textContent()) ?? "", /termina en menos de 10 minutos/);
    assert.equal(await page.locator("[data-testid=session-expiring]").count(), 0, "no 'extend it' next to it");
    // The instructor brings the end forward: the next look at the session shows the last minute.
    const sooner = await teacher.request("PATCH", `/api/events/${event.id}`, {
      endsAt: new Date(Date.now() + 50_000).toISOString(),
    });
    assert.equal(sooner.status, 200, JSON.stringify(sooner.body));
    await page.reload();
    await page.locator("[data-testid=event-ending][data-warning=one_minute]").waitFor({ timeout: 30_000 });
    // Ended by its instructor: the attendee's nodes go, leaving the host to the next test's event.
    assert.equal((await teacher.request("POST", `/api/events/${event.id}/end`)).status, 200);
  });

  it("puts two guests straight into the event's reserved sessions and tells a third it is full", async () => {
    // The instructor fills the /events form in Madrid time: starts in an hour and prepares two
    // hours ahead, so its reserve is built now.
    const instructor = await newPage({ locale: "en-US", timezoneId: "Europe/Madrid" });
    await instructor.context().addCookies(teacherCookies());
    await instructor.goto(`${lab.publicUrl}/`);
    await instructor.locator("[data-testid=events-link]").click();
    await instructor.waitForURL(/\/events$/);
    await instructor.locator("[data-testid=event-new]").click();
    const start = new Date(Date.now() + 3600_000);
    start.setUTCSeconds(0, 0);
    const madrid = (d: Date) =>
      new Intl.DateTimeFormat("sv-SE", {
        timeZone: "Europe/Madrid",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
      })
        .format(d)
        .replace(" ", "T");
    await instructor.locator("[data-testid=event-title]").fill("Classroom in Chromium");
    await instructor.locator("[data-testid=event-lessonId]").selectOption(LESSON);
    await instructor.locator("[data-testid=event-language]").selectOption("es");
    await instructor.locator("[data-testid=event-startsAt]").fill(madrid(start));
    await instructor.locator("[data-testid=event-endsAt]").fill(madrid(new Date(start.getTime() + 3600_000)));
    await instructor.locator("[data-testid=event-capacity]").fill("2");
    await instructor.locator("[data-testid=event-reservedSessions]").fill("2");
    await instructor.locator("[data-testid=event-prepareMinutes]").fill("120");
    await instructor.locator("[data-testid=event-save]").click();
    const row = instructor.locator("[data-testid=event-row]", { hasText: "Classroom in Chromium" });
    await row.waitFor({ timeout: 10_000 });
    const list = ZEventList.parse((await teacher.request("GET", "/api/events")).body);
    const event = list.events.find((e) => e.title === "Classroom in Chromium");
    assert.ok(event, "the form created the event");
    assert.equal(event.startsAt, start.toISOString(), "the Madrid wall time became the right instant");
    assert.equal(event.capacity, 2);
    assert.equal(event.reservedSessions, 2);
    assert.equal(event.prepareSeconds, 7200);
    assert.equal(event.joinPolicy, "guests");
    assert.equal(
      (await row.locator("[data-testid=event-code]").textContent())?.replace("-", ""),
      event.accessCode,
      "the list shows the code",
    );
    assert.equal(await row.locator("[data-testid=event-join-link]").getAttribute("href"), event.joinPath);

    const eventRows = async () =>
      (
        await db.client.query<{ id: string; status: string; owner_id: string | null }>(
          "SELECT id, status::text, owner_id FROM lab_sessions WHERE event_id = $1 ORDER BY created_at",
          [event.id],
        )
      ).rows;
    const reserved = await waitFor(
      "both reserved sessions pooled",
      async () => {
        const rows = await eventRows();
        return rows.length === 2 && rows.every((r) => r.status === "pooled") ? rows : undefined;
      },
      240_000,
    );
    const started = await teacher.request("PATCH", `/api/events/${event.id}`, { startsAt: new Date().toISOString() });
    assert.equal(started.status, 200, JSON.stringify(started.body));

    const timings: number[] = [];
    const guests: Page[] = [];
    for (const name of ["Ana", "Bruno"]) {
      const page = await newPage({ locale: "en-US" });
      guests.push(page);
      await page.goto(`${lab.publicUrl}${event.joinPath}`);
      await page.locator("[data-testid=join-name]").fill(name);
      const clicked = Date.now();
      await page.locator("[data-testid=join-submit]").click();
      await page.waitForURL(new RegExp(`/lab/${LESSON}$`), { waitUntil: "commit" });
      const atLab = Date.now() - clicked;
      await waitOnPage(page, page.locator("[data-testid=terminal-node1]"), `${name}'s node1 terminal`);
      const atTerminal = Date.now() - clicked;
      await waitOnPage(
        page,
        page.locator("[data-testid=terminal-node1][data-status=connected]"),
        `${name}'s connected node1 terminal`,
      );
      const ms = Date.now() - clicked;
      timings.push(ms);
      console.log(
        `# ${name}: join click to connected node1 terminal: ${ms} ms (lab page ${atLab} ms, terminal shown ${atTerminal} ms)`,
      );
      assert.match(page.url(), new RegExp(`/lab/${LESSON}$`));
    }
    const rows = await eventRows();
    assert.deepEqual(
      rows.map((r) => r.id).sort(),
      reserved.map((r) => r.id).sort(),
      "both guests got a reserved session; no other session was made",
    );
    assert.ok(rows.every((r) => r.owner_id !== null && r.status === "ready"));
    for (const ms of timings) assert.ok(ms <= JOIN_SANITY_MS, `${ms} ms from the click to a connected terminal`);

    // Attendees have no events page: no header link, and /events is a 404 for them.
    const attendee = await newPage({ locale: "en-US" });
    await attendee.context().addCookies(await guests[1]!.context().cookies());
    const notThere = await attendee.goto(`${lab.publicUrl}/events`);
    assert.equal(notThere?.status(), 404);
    await attendee.goto(`${lab.publicUrl}/`);
    assert.match((await attendee.locator("[data-testid=user-name]").textContent()) ?? "", /Bruno$/);
    assert.equal(await attendee.locator("[data-testid=events-link]").count(), 0);

    const userCount = async () =>
      (await db.client.query<{ n: number }>("SELECT count(*)::int AS n FROM users")).rows[0]!.n;
    const usersBefore = await userCount();
    const third = await newPage({ locale: "en-US" });
    await third.goto(`${lab.publicUrl}/join`);
    await third.locator("[data-testid=join-code]").fill(event.accessCode.toLowerCase());
    await third.locator("[data-testid=join-name]").fill("Cai");
    await third.locator("[data-testid=join-submit]").click();
    const full = third.locator("[data-testid=join-full]");
    await full.waitFor({ timeout: 10_000 });
    assert.match((await full.textContent()) ?? "", /This event is full/);
    assert.equal((await eventRows()).length, 2, "a full event creates no session");
    assert.equal(await userCount(), usersBefore, "nor a login");

    // The projector view: the code large and a QR code of the join link.
    await row.locator("[data-testid=event-projector]").click();
    await instructor.waitForURL(new RegExp(`/events/${event.id}/projector$`));
    const code = (await instructor.locator("[data-testid=projector-code]").textContent()) ?? "";
    assert.equal(code.replace("-", ""), event.accessCode);
    // The link and its QR code need the page's origin, known once the page runs in the browser.
    const qr = instructor.locator("svg[data-testid=projector-qr]");
    await qr.waitFor();
    assert.equal(
      await instructor.locator("[data-testid=projector-link]").textContent(),
      `${lab.publicUrl}${event.joinPath}`,
    );
    const box = await qr.boundingBox();
    assert.ok(box && box.width > 200, `a QR code big enough for the room (${box?.width} px)`);
    assert.match((await qr.locator("path").getAttribute("d")) ?? "", /^M\d+ \d+h1v1h-1z/);

    // Ended early from the list: the attendees' sessions end, and the link says so.
    await instructor.goto(`${lab.publicUrl}/events`);
    instructor.once("dialog", (dialog) => void dialog.accept());
    await instructor
      .locator("[data-testid=event-row]", { hasText: "Classroom in Chromium" })
      .locator("[data-testid=event-end]")
      .click();
    await instructor
      .locator("[data-testid=event-row]", { hasText: "Classroom in Chromium" })
      .locator("[data-testid=event-status][data-status=ended]")
      .waitFor({ timeout: 30_000 });
    assert.ok(
      (await eventRows()).every((r) => r.status === "ended"),
      "both attendee sessions ended",
    );
    const late = await newPage({ locale: "es-ES" });
    await late.goto(`${lab.publicUrl}${event.joinPath}`);
    await late.locator("[data-testid=join-name]").fill("Tarde");
    await late.locator("[data-testid=join-submit]").click();
    const ended = late.locator("[data-testid=join-ended]");
    await ended.waitFor({ timeout: 10_000 });
    assert.match((await ended.textContent()) ?? "", /Este evento ha terminado/);
  });

  it("edits an event's title and capacity through the form and deletes an event after confirming", async () => {
    // A day ahead (nothing is built for them), and at a time with seconds, which the form's
    // datetime-local inputs cannot show: saving other fields must not move it.
    const startsAt = new Date(Date.now() + 86_400_000);
    startsAt.setUTCSeconds(17, 0);
    const edited = await createEvent({
      title: "Edit me",
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 2 * 3600_000).toISOString(),
      capacity: 5,
      reservedSessions: 3,
    });
    const removed = await createEvent({
      title: "Delete me",
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 3600_000).toISOString(),
      capacity: 1,
      reservedSessions: 0,
    });
    const instructor = await newPage({ locale: "en-US" });
    await instructor.context().addCookies(teacherCookies());
    await instructor.goto(`${lab.publicUrl}/events`);
    const rowOf = (id: string) => instructor.locator(`[data-testid=event-row][data-event-id='${id}']`);

    await rowOf(edited.id).locator("[data-testid=event-edit]").click();
    const form = instructor.locator("[data-testid=event-form]");
    assert.equal(await form.locator("[data-testid=event-title]").inputValue(), "Edit me");
    assert.equal(await form.locator("[data-testid=event-capacity]").inputValue(), "5");
    await form.locator("[data-testid=event-title]").fill("Edited in Chromium");
    // Below the 3 reserved sessions: the reserve follows the capacity down, as over the API.
    await form.locator("[data-testid=event-capacity]").fill("2");
    await form.locator("[data-testid=event-save]").click();
    await rowOf(edited.id).locator("h2", { hasText: "Edited in Chromium" }).waitFor({ timeout: 10_000 });
    assert.equal(await form.count(), 0, "the form closes once saved");
    const fetched = await teacher.request("GET", `/api/events/${edited.id}`);
    assert.equal(fetched.status, 200, JSON.stringify(fetched.body));
    const saved = ZEvent.parse(fetched.body);
    assert.equal(saved.title, "Edited in Chromium");
    assert.equal(saved.capacity, 2);
    assert.equal(saved.reservedSessions, 2);
    assert.deepEqual(
      { ...saved, title: edited.title, capacity: edited.capacity, reservedSessions: edited.reservedSessions },
      { ...edited, updatedAt: saved.updatedAt },
      "nothing else changed, the start's seconds included",
    );

    // Deleting asks first: dismissed, the event stays.
    instructor.once("dialog", (dialog) => void dialog.dismiss());
    await rowOf(removed.id).locator("[data-testid=event-delete]").click();
    assert.equal((await teacher.request("GET", `/api/events/${removed.id}`)).status, 200);
    instructor.once("dialog", (dialog) => {
      assert.match(dialog.message(), /Delete me/);
      void dialog.accept();
    });
    await rowOf(removed.id).locator("[data-testid=event-delete]").click();
    await rowOf(removed.id).waitFor({ state: "detached", timeout: 10_000 });
    assert.equal((await teacher.request("GET", `/api/events/${removed.id}`)).status, 404);
    assert.equal(await rowOf(edited.id).count(), 1, "only that event went");
  });

  it("says a wrong code is wrong, and catches typos before asking the server", async () => {
    const page = await newPage({ locale: "en-US" });
    await page.goto(`${lab.publicUrl}/join`);
    await page.locator("[data-testid=join-code]").fill("K7M3-QX9O");
    await page.locator("[data-testid=join-name]").fill("Dee");
    await page.locator("[data-testid=join-submit]").click();
    assert.match((await page.locator("[data-testid=join-error]").textContent()) ?? "", /not an event code/);
    await page.locator("[data-testid=join-code]").fill("K7M3-QX9P");
    await page.locator("[data-testid=join-submit]").click();
    await page.locator("[data-testid=join-error]", { hasText: "No event has this code" }).waitFor({ timeout: 10_000 });
  });

  it("tells a client that guessed too many codes to wait", async () => {
    const page = await newPage({ locale: "es-ES" });
    await page.goto(`${lab.publicUrl}/join/K7M3QX9P`);
    await page.locator("[data-testid=join-name]").fill("Eva");
    const error = page.locator("[data-testid=join-error]");
    // The previous test spent one wrong code from this address; ten within a minute, then 429.
    for (let attempt = 0; attempt < 12; attempt++) {
      await page.locator("[data-testid=join-submit]").click();
      await page.locator("[data-testid=join-submit]:not([disabled])").waitFor();
      if (/Espera \d+ segundos/.test((await error.textContent()) ?? "")) return;
    }
    assert.fail(`no rate-limit message: ${await error.textContent()}`);
  });
});

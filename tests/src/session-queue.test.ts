// The waiting queue (issue 14): with every place under MAX_SESSIONS taken, a create waits in
// `queued` instead of failing, starts by itself when a place frees, survives a restart, and leaves
// on DELETE, on leaving or closing the lab page, or when its owner stops polling. One server lineage on one
// database (MAX_SESSIONS=1, so at most one lab runs at a time on this 2-core machine).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TSession } from "@kubelab/shared";
import type pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { ApiClient } from "./support/api-client";
import { launchBrowser } from "./support/browser";
import { countLabelled } from "./support/docker-objects";
import { useDatabaseClient } from "./support/database-client";
import { useKubelab } from "./support/lab-fixture";
import { KubelabServer } from "./support/kubelab-server";
import { waitFor } from "./support/wait-for";

const LESSON = "kubernetes-para-principiantes";
const ENV = {
  WEB_ENABLED: "true",
  // The seed lesson asks for the CentOS image, which cannot be built here; sessions use the offline image.
  NODE_IMAGES: "kubelab/node-offline:latest",
  MAX_SESSIONS: "1",
  MAX_QUEUE: "3",
  REAPER_INTERVAL: "2s",
  // API clients below poll only now and then; the heartbeat is tested after the restart.
  QUEUE_HEARTBEAT: "600s",
  NODE_READY_TIMEOUT: "300s",
  // A range of its own: other test files on this engine create networks (some overlapping on purpose).
  NODE_SUBNETS: "10.219.96.0/26",
};

type ErrorBody = { error: { code: string; message: string } };

async function guest(server: KubelabServer, name: string): Promise<ApiClient> {
  const client = server.client();
  await client.loginAsGuest(name);
  return client;
}

/** Logs a new browser context in as a guest through the catalog and opens the lesson's lab page. */
async function openLab(
  browser: Browser,
  baseUrl: string,
  name: string,
  locale = "en-US",
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/`);
  await page.locator(`[data-testid=lesson-card][data-lesson-id=${LESSON}] [data-testid=lesson-action]`).click();
  await page.waitForURL(/\/login/);
  await page.locator("[data-testid=guest-name]").fill(name);
  await page.locator("[data-testid=guest-login-submit]").click();
  await page.waitForURL(new RegExp(`/lab/${LESSON}`));
  return { context, page };
}

/** An API client with the browser's login cookie: the same user as the page. */
async function clientOf(context: BrowserContext, baseUrl: string): Promise<ApiClient> {
  const client = new ApiClient(baseUrl);
  client.setCookieHeader((await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; "));
  return client;
}

async function mySession(client: ApiClient): Promise<TSession> {
  const listed = await client.request<{ sessions: TSession[] }>("GET", "/api/sessions");
  assert.equal(listed.body.sessions.length, 1, JSON.stringify(listed.body));
  return client.getSession(listed.body.sessions[0]!.id);
}

/** Waits (5 s at most: no QUEUE_HEARTBEAT wait) for a queued session to be ended as left_queue. */
async function leavesQueueSoon(client: ApiClient, sessionId: string, who: string): Promise<void> {
  const gone = await waitFor(
    `${who}'s place to be given up`,
    async () => {
      const s = await client.getSession(sessionId);
      return s.status === "ended" ? s : undefined;
    },
    5_000,
    100,
  );
  assert.equal(gone.stopReason?.code, "left_queue");
}

/**
 * Deletes `holder`'s session and checks that `waiter`'s queued session starts by itself (leaves
 * `queued`) within 10 s of the deletion (the DELETE's 204, which waits for the Docker cleanup);
 * returns it as first seen started.
 */
async function startsWhenFreed(
  holder: ApiClient,
  held: TSession,
  waiter: ApiClient,
  waiting: TSession,
): Promise<TSession> {
  assert.equal((await holder.request("DELETE", `/api/sessions/${held.id}`)).status, 204);
  const started = Date.now();
  const promoted = await waitFor(
    `session ${waiting.id} to leave the queue`,
    async () => {
      const s = await waiter.getSession(waiting.id);
      return s.status === "queued" ? undefined : s;
    },
    10_000,
    100,
  );
  const waited = Date.now() - started;
  assert.ok(waited <= 10_000, `${waited} ms`);
  assert.ok(["provisioning", "ready"].includes(promoted.status), promoted.status);
  return promoted;
}

describe("waiting queue", () => {
  const lab = useKubelab({ env: ENV, browserOrigin: true });
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  // Shared along the suite (each step builds on the previous one).
  let alice: ApiClient;
  let aliceSession: TSession;
  let bob: ApiClient; // in Chromium
  let bobPage: Page;
  let bobSession: TSession;
  let carol: ApiClient;
  let dave: ApiClient;
  let daveSession: TSession;

  const db = useDatabaseClient(lab);
  const query = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> =>
    (await db.client.query<T>(sql, params)).rows;

  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await browser?.close();
  });

  it("queues a create when the installation is full: position 1 in the API and on the lab page (Chromium)", async () => {
    alice = await guest(lab.server, "Alice");
    aliceSession = await alice.createSession();
    assert.equal(aliceSession.status, "provisioning");
    assert.equal(aliceSession.queue, null);
    // Ready first, so a failure of hers (which would free the place) shows here, not as a missing queue.
    const aliceReady = await alice.waitUntilSettled(aliceSession.id);
    assert.equal(aliceReady.status, "ready", aliceReady.reason ?? "");

    const opened = await openLab(browser, lab.publicUrl, "Bob");
    contexts.push(opened.context);
    bobPage = opened.page;
    const position = bobPage.locator("[data-testid=queue-position]");
    await position.waitFor({ timeout: 60_000 });
    assert.equal(await position.getAttribute("data-position"), "1");
    // Alice's session holds the only place for SESSION_DURATION (2 h): that is the estimate.
    assert.match((await position.textContent()) ?? "", /^You are number 1; about 1[12]\d minutes$/);
    bob = await clientOf(opened.context, lab.publicUrl);
    bobSession = await mySession(bob);
    assert.equal(bobSession.status, "queued");
    assert.equal(bobSession.lesson, LESSON);
    assert.equal(bobSession.queue?.position, 1);
    assert.ok(Math.abs(bobSession.queue.estimateSeconds - 7200) < 120, String(bobSession.queue.estimateSeconds));
    // No Docker objects and no subnet for a queued session: only Alice's.
    const bobs = await countLabelled(lab.server.instanceId, bobSession.id);
    assert.deepEqual(bobs, { containers: 0, networks: 0, volumes: 0 });
  });

  it("gives the next user position 2; one place per user (same lesson: the same session; another: 409)", async () => {
    carol = await guest(lab.server, "Carol");
    const first = await carol.request<TSession>("POST", "/api/sessions", {});
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.status, "queued");
    assert.deepEqual(first.body.queue?.position, 2);
    const again = await carol.request<TSession>("POST", "/api/sessions", {});
    assert.equal(again.status, 201);
    assert.equal(again.body.id, first.body.id, "the same place, not a second one");
    const other = await carol.request<ErrorBody>("POST", "/api/sessions", { lesson: LESSON });
    assert.equal(other.status, 409);
    assert.equal(other.body.error.code, "already_queued");

    dave = await guest(lab.server, "Dave");
    daveSession = await dave.createSession();
    assert.equal(daveSession.queue?.position, 3);
  });

  it("answers 503 no_capacity once MAX_QUEUE sessions wait", async () => {
    const erin = await guest(lab.server, "Erin");
    const refused = await erin.request<ErrorBody>("POST", "/api/sessions", {});
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error.code, "no_capacity");
    assert.deepEqual((await erin.request<{ sessions: TSession[] }>("GET", "/api/sessions")).body.sessions, []);
  });

  it("DELETE of a queued session leaves the queue and moves those behind it up", async () => {
    const carols = await mySession(carol);
    assert.equal((await carol.request("DELETE", `/api/sessions/${carols.id}`)).status, 204);
    const left = await carol.getSession(carols.id);
    assert.equal(left.status, "ended");
    assert.equal(left.stopReason?.code, "left_queue");
    assert.equal(left.queue, null);
    daveSession = await dave.getSession(daveSession.id);
    assert.equal(daveSession.queue?.position, 2);
    assert.equal((await bob.getSession(bobSession.id)).queue?.position, 1);
  });

  it("starts the first in line within 10 s of a place freeing, and the page shows the terminals", async () => {
    const started = Date.now();
    const promoted = await startsWhenFreed(alice, aliceSession, bob, bobSession);
    // Its time starts at the promotion.
    assert.ok(Date.parse(promoted.createdAt) >= started - 1000);
    assert.equal((await dave.getSession(daveSession.id)).queue?.position, 1);
    await bobPage
      .locator("[data-testid=terminal-node1][data-status=connected]")
      .waitFor({ state: "attached", timeout: 180_000 });
    assert.equal((await bob.getSession(bobSession.id)).status, "ready");
    assert.equal(await bobPage.locator("[data-testid=queue-position]").count(), 0);
    // A queue leave sent as the page went away, arriving after the promotion, ends nothing.
    const late = await bob.request<{ error: { code: string } }>(
      "DELETE",
      `/api/sessions/${bobSession.id}?ifQueued=true`,
    );
    assert.equal(late.status, 409);
    assert.equal(late.body.error.code, "conflict");
    assert.equal((await bob.getSession(bobSession.id)).status, "ready");
  });

  it("keeps the queue across a restart; leaving or closing a queued lab page or not polling gives up the place", async () => {
    await lab.server.stop();
    // Same database, instance and port (the browser's origin); a short heartbeat from now on.
    lab.server = await KubelabServer.start({
      databaseUrl: lab.db.url,
      env: { ...ENV, PUBLIC_URL: lab.publicUrl, QUEUE_HEARTBEAT: "8s" },
      port: Number(new URL(lab.publicUrl).port),
      instanceId: lab.server.instanceId,
    });
    const kept = await dave.getSession(daveSession.id);
    assert.equal(kept.status, "queued");
    assert.equal(kept.queue?.position, 1);
    // Dave keeps polling, as his lab page would.
    const polling = setInterval(() => void dave.getSession(daveSession.id).catch(() => undefined), 1000);
    try {
      // Frank (in Spanish) opens the lab page and is queued behind Dave.
      const opened = await openLab(browser, lab.publicUrl, "Frank", "es-ES");
      contexts.push(opened.context);
      const position = opened.page.locator("[data-testid=queue-position]");
      await position.waitFor({ timeout: 60_000 });
      assert.equal(await position.getAttribute("data-position"), "2");
      assert.match((await position.textContent()) ?? "", /^Eres el número 2; /);
      const frank = await clientOf(opened.context, lab.publicUrl);
      const before = await mySession(frank);

      // Grace asks via the API once and never again: QUEUE_HEARTBEAT (8 s) later her place is gone,
      // while Dave (polling) and Frank (his page polls) keep theirs.
      const grace = await guest(lab.server, "Grace");
      const graces = await grace.createSession();
      assert.equal(graces.queue?.position, 3);

      // Frank reloads: the page leaves the queue at pagehide, and the reloaded page takes the same
      // place back (its old queued_at), ahead of Grace who joined after him.
      await opened.page.reload();
      await opened.page.locator("[data-testid=queue-position]").waitFor({ timeout: 60_000 });
      const franks = await mySession(frank);
      assert.notEqual(franks.id, before.id);
      assert.equal((await frank.getSession(before.id)).stopReason?.code, "left_queue");
      const queuedAt = await query<{ id: string; queued_at: Date }>(
        "SELECT id, queued_at FROM lab_sessions WHERE id = ANY($1)",
        [[before.id, franks.id]],
      );
      assert.equal(queuedAt.length, 2);
      assert.equal(queuedAt[0]!.queued_at.getTime(), queuedAt[1]!.queued_at.getTime());
      assert.equal(franks.queue?.position, 2);
      const dropped = await waitFor(
        "Grace's unpolled place to be dropped",
        async () => {
          const rows = await query<{ status: string; status_reason: string | null }>(
            "SELECT status::text, status_reason FROM lab_sessions WHERE id = $1",
            [graces.id],
          );
          return rows[0]?.status === "ended" ? rows[0] : undefined;
        },
        30_000,
        250,
      );
      assert.equal(dropped.status_reason, "queue_abandoned");
      assert.equal((await dave.getSession(daveSession.id)).status, "queued", "Dave kept polling and his place");
      assert.equal((await frank.getSession(franks.id)).queue?.position, 2);

      // Capacity frees after the restart: Dave starts by himself, and Frank's page moves up live.
      await startsWhenFreed(bob, bobSession, dave, daveSession);
      await opened.page.locator("[data-testid=queue-position][data-position='1']").waitFor({ timeout: 10_000 });
      assert.match((await position.textContent()) ?? "", /^Eres el número 1; /);

      // Henry queues behind Frank.
      const henryOpened = await openLab(browser, lab.publicUrl, "Henry");
      contexts.push(henryOpened.context);
      const henryPosition = henryOpened.page.locator("[data-testid=queue-position]");
      await henryPosition.waitFor({ timeout: 60_000 });
      assert.equal(await henryPosition.getAttribute("data-position"), "2");
      const henry = await clientOf(henryOpened.context, lab.publicUrl);
      const henrys = await mySession(henry);

      // Frank goes back to the catalog through the header: a client-side navigation (the page's
      // window survives it, so no pagehide was sent) whose unmount leaves the queue at once.
      await opened.page.evaluate("window.kubelabSamePage = true");
      await opened.page.locator("header.site-header a.brand").click();
      await opened.page.locator("[data-testid=lesson-card]").first().waitFor();
      assert.equal(
        await opened.page.evaluate<boolean>("window.kubelabSamePage === true"),
        true,
        "a client-side navigation",
      );
      await leavesQueueSoon(frank, franks.id, "Frank");
      // Henry moves up, on his page too (it polls every 2 s).
      assert.equal((await henry.getSession(henrys.id)).queue?.position, 1);
      await henryOpened.page.locator("[data-testid=queue-position][data-position='1']").waitFor({ timeout: 5_000 });

      // Henry closes the tab: pagehide leaves the queue at once (no QUEUE_HEARTBEAT wait).
      await henryOpened.page.close({ runBeforeUnload: true });
      await leavesQueueSoon(henry, henrys.id, "Henry");
    } finally {
      clearInterval(polling);
    }
    assert.equal((await dave.waitUntilSettled(daveSession.id, 300_000)).status, "ready");
  });

  it("leaves no Docker objects behind", async () => {
    assert.equal((await dave.request("DELETE", `/api/sessions/${daveSession.id}`)).status, 204);
    await waitFor(
      "every object of the instance to be removed",
      async () => {
        const left = await countLabelled(lab.server.instanceId);
        return left.containers + left.networks + left.volumes === 0 ? true : undefined;
      },
      60_000,
    );
    const live = await query<{ n: string }>(
      "SELECT count(*)::text AS n FROM lab_sessions WHERE status NOT IN ('ended', 'failed')",
    );
    assert.equal(live[0]!.n, "0");
    await waitFor("every subnet block to be free", async () =>
      (await query<{ n: string }>("SELECT count(*)::text AS n FROM session_subnets"))[0]!.n === "0" ? true : undefined,
    );
  });
});

describe("waiting queue and the warm pool", () => {
  const lab = useKubelab({
    env: { MAX_SESSIONS: "1", POOL_SIZE: "1", REAPER_INTERVAL: "1s", NODE_SUBNETS: "10.219.96.64/26" },
  });
  const db = useDatabaseClient(lab);
  const poolSessions = async (): Promise<string[]> =>
    (
      await db.client.query<{ status: string }>(
        "SELECT status::text FROM lab_sessions WHERE owner_id IS NULL AND status IN ('provisioning', 'pooled')",
      )
    ).rows.map((r) => r.status);

  it("a freed place goes to the queue, not to a pool refill; the pool refills once nobody waits", async () => {
    await waitFor("the pool to hold its session", async () =>
      (await poolSessions()).join() === "pooled" ? true : undefined,
    );
    const first = await guest(lab.server, "First");
    const claimed = await first.createSession();
    assert.equal(claimed.status, "ready", "taken from the pool");
    const second = await guest(lab.server, "Second");
    const queued = await second.createSession();
    assert.equal(queued.status, "queued");
    assert.equal(queued.queue?.position, 1);
    await startsWhenFreed(first, claimed, second, queued);
    // The pool saw the freed place too (its timer runs every second) but never built into it.
    assert.deepEqual(await poolSessions(), []);
    assert.equal((await second.waitUntilSettled(queued.id)).status, "ready");
    assert.equal((await second.request("DELETE", `/api/sessions/${queued.id}`)).status, 204);
    await waitFor("the pool to refill", async () => ((await poolSessions()).join() === "pooled" ? true : undefined));
  });
});

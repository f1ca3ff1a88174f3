// The admin's images page, admin home and usage report (issue 17) against a real server, database,
// Docker engine and Chromium: an allowed image that is not built shows as missing and its lesson as a
// warning on the admin home; usage figures and the CSV come from session rows with known times,
// inserted straight into the database; attendees and instructors are kept out of routes and pages.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { before, describe, it } from "node:test";
import { ZAdminImageList, ZAdminUsage, type TApiErrorBody, type TMeResponse } from "@kubelab/shared";
import type { ApiClient } from "./support/api-client";
import { logInPageAs, useBrowser } from "./support/browser";
import { useDatabaseClient } from "./support/database-client";
import { useKubelab } from "./support/lab-fixture";
import { userWithRole } from "./support/user-roles";

const OFFLINE = "kubelab/node-offline:latest";
// Allowed, but never built: a production image the admin forgot to build on this engine.
const MISSING = "kubelab/node-not-built:usage-test";
// Rows of another instance: this server's reconciler and reaper leave them alone.
const FIXTURE_INSTANCE = "usage-fixture";

function lesson(title: string, image: string): string {
  return (
    `---\ntitle: ${title}\ndescription: Test.\nduration: 20\ndifficulty: beginner\nnodes: [node1]\n` +
    `image: ${image}\ntags: [test]\n---\n## Step\n\ntext\n`
  );
}

function writeLessons(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-usage-lessons-"));
  for (const [id, image] of [
    ["on-offline", OFFLINE],
    ["on-unbuilt", MISSING],
  ] as const) {
    fs.mkdirSync(path.join(dir, id));
    fs.writeFileSync(path.join(dir, id, "en.md"), lesson(id, image));
  }
  return dir;
}

describe("admin images, home and usage", () => {
  const lab = useKubelab({
    env: {
      WEB_ENABLED: "true",
      GUEST_LOGIN: "true",
      LESSONS_DIR: writeLessons(),
      NODE_IMAGES: `${OFFLINE},${MISSING}`,
      // A pool whose image is missing: nothing is built (and no CPU is spent).
      POOL_SIZES: `${MISSING}=2`,
    },
    browserOrigin: true,
  });
  const db = useDatabaseClient(lab);
  const { newPage } = useBrowser();
  let admin: ApiClient;
  let attendee: ApiClient;
  let instructor: ApiClient;

  before(async () => {
    admin = await userWithRole(lab, db, "Admin", "admin");
    attendee = await userWithRole(lab, db, "Attendee", "attendee");
    instructor = await userWithRole(lab, db, "Instructor", "instructor");
  });

  it("lists the allowed images, present or missing on the engine, with pool and lessons", async () => {
    // The pool of a missing image is left as it is (never built, never shrunk): rows stand for one
    // pooled session and one being built, without any container.
    for (const [id, status] of [
      ["b2000000000000000000000000000001", "pooled"],
      ["b2000000000000000000000000000002", "provisioning"],
    ] as const) {
      await db.client.query(
        `INSERT INTO lab_sessions (id, instance_id, image, status, pool_key, pooled_at, expires_at)
         VALUES ($1, $2, $3, $4, $3, now(), now() + interval '1 day')`,
        [id, lab.server.instanceId, MISSING, status],
      );
    }
    const res = await admin.request("GET", "/api/admin/images");
    assert.equal(res.status, 200);
    const { images, warnings } = ZAdminImageList.parse(res.body);
    assert.deepEqual(
      images.map((i) => i.image),
      [OFFLINE, MISSING],
    );
    const [offline, missing] = images;
    assert.equal(offline!.present, true);
    assert.equal(offline!.isDefault, true);
    assert.ok(offline!.sizeBytes! > 10 * 1024 ** 2, `size ${offline!.sizeBytes}`);
    assert.ok(Date.parse(offline!.createdAt!) < Date.now());
    assert.deepEqual(offline!.lessons, ["on-offline"]);
    assert.deepEqual(offline!.pool, { wanted: 0, ready: 0, building: 0 });
    assert.equal(missing!.present, false);
    assert.equal(missing!.sizeBytes, null);
    assert.deepEqual(missing!.lessons, ["on-unbuilt"]);
    assert.deepEqual(missing!.pool, { wanted: 2, ready: 1, building: 1 });
    assert.deepEqual(warnings, [{ code: "lesson_image_missing", lessonId: "on-unbuilt", image: MISSING }]);
  });

  it("counts sessions per day, node-hours, per event and per user, and exports them as CSV", async () => {
    const adminId = (await admin.request<TMeResponse>("GET", "/api/me")).body.id;
    const anaId = (await attendee.request<TMeResponse>("GET", "/api/me")).body.id;
    const beaId = (await instructor.request<TMeResponse>("GET", "/api/me")).body.id;
    await db.client.query("UPDATE users SET name = 'Ana, la alumna' WHERE id = $1", [anaId]);
    // A name a spreadsheet would run as a formula: the CSV defuses it.
    await db.client.query("UPDATE users SET name = '=SUM(A1)' WHERE id = $1", [beaId]);
    const event = await db.client.query<{ id: string }>(
      `INSERT INTO events (id, owner_id, title, lesson_id, language, starts_at, ends_at, capacity, session_seconds,
         max_extensions, reserved_sessions, prepare_seconds, access_code, updated_at)
       VALUES (gen_random_uuid(), $1, 'Taller K8s', 'on-offline', 'en', '2026-01-10T08:00Z', '2026-01-11T08:00Z',
         10, 3600, 0, 0, 0, 'USAGETEST', now())
       RETURNING id`,
      [adminId],
    );
    const eventId = event.rows[0]!.id;
    const sessions: [string, string | null, string | null, number, string | null, string | null][] = [
      // id, owner, event, nodes, ready, ended
      ["a1000000000000000000000000000001", anaId, eventId, 2, "2026-01-10T09:00Z", "2026-01-10T10:30Z"],
      ["a1000000000000000000000000000002", beaId, eventId, 3, "2026-01-10T23:00Z", "2026-01-11T01:00Z"],
      ["a1000000000000000000000000000003", anaId, null, 1, "2026-01-11T12:00Z", "2026-01-11T14:00Z"],
      // Outside the range, never ready, and a pool session nobody claimed: none of them count.
      ["a1000000000000000000000000000004", anaId, null, 2, "2026-01-05T09:00Z", "2026-01-05T10:00Z"],
      ["a1000000000000000000000000000005", beaId, null, 2, null, "2026-01-10T12:00Z"],
      ["a1000000000000000000000000000006", null, null, 2, "2026-01-10T12:00Z", "2026-01-10T13:00Z"],
    ];
    for (const [id, owner, eventOf, nodes, ready, ended] of sessions) {
      await db.client.query(
        `INSERT INTO lab_sessions (id, owner_id, instance_id, image, status, created_at, ready_at, expires_at, ended_at, event_id)
         VALUES ($1, $2, $3, $4, $5, COALESCE($6::timestamptz, $7::timestamptz) - interval '1 minute', $6, $7, $7, $8)`,
        [id, owner, FIXTURE_INSTANCE, OFFLINE, ready ? "ended" : "failed", ready, ended, eventOf],
      );
      for (let n = 1; n <= nodes; n++) {
        await db.client.query("INSERT INTO lab_nodes (session_id, name, status) VALUES ($1, $2, 'removed')", [
          id,
          `node${n}`,
        ]);
      }
    }

    const res = await admin.request("GET", "/api/admin/usage?from=2026-01-10&to=2026-01-11");
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const usage = ZAdminUsage.parse(res.body);
    assert.deepEqual(usage.totals, { sessions: 3, nodeHours: 11 });
    assert.deepEqual(usage.days, [
      { day: "2026-01-10", sessions: 2, started: 2, nodeHours: 6 },
      { day: "2026-01-11", sessions: 2, started: 1, nodeHours: 5 },
    ]);
    assert.deepEqual(usage.events, [{ eventId, title: "Taller K8s", sessions: 2, nodeHours: 9 }]);
    assert.deepEqual(
      usage.users.map((u) => [u.userId, u.name, u.sessions, u.nodeHours]),
      [
        [beaId, "=SUM(A1)", 1, 6],
        [anaId, "Ana, la alumna", 2, 5],
      ],
    );

    const csv = await fetch(`${lab.server.url}/api/admin/usage.csv?from=2026-01-10&to=2026-01-11`, {
      headers: { cookie: admin.cookieHeader! },
    });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get("content-type") ?? "", /^text\/csv/);
    assert.match(csv.headers.get("content-disposition") ?? "", /kubelab-usage-2026-01-10-2026-01-11\.csv/);
    assert.deepEqual((await csv.text()).split("\r\n"), [
      "session_id,user,login,event,lesson,image,nodes,live_from,ended_at,node_hours",
      `a1000000000000000000000000000001,"Ana, la alumna",,Taller K8s,,${OFFLINE},2,2026-01-10T09:00:00.000Z,2026-01-10T10:30:00.000Z,3`,
      `a1000000000000000000000000000002,'=SUM(A1),,Taller K8s,,${OFFLINE},3,2026-01-10T23:00:00.000Z,2026-01-11T01:00:00.000Z,6`,
      `a1000000000000000000000000000003,"Ana, la alumna",,,,${OFFLINE},1,2026-01-11T12:00:00.000Z,2026-01-11T14:00:00.000Z,2`,
      "",
    ]);

    for (const [query, field] of [
      ["from=2026-02-30", "from"],
      ["from=2026-01-11&to=2026-01-10", "to"],
      ["from=yesterday", "from"],
    ] as const) {
      const bad = await admin.request<TApiErrorBody>("GET", `/api/admin/usage?${query}`);
      assert.equal(bad.status, 400, query);
      assert.equal(bad.body.error.code, "bad_request");
      assert.match(bad.body.error.message, new RegExp(`\\b${field}\\b`), query);
    }
  });

  it("keeps attendees and instructors out of the routes", async () => {
    for (const client of [attendee, instructor]) {
      for (const route of ["/api/admin/images", "/api/admin/usage", "/api/admin/usage.csv"]) {
        const res = await client.request<TApiErrorBody>("GET", route);
        assert.equal(res.status, 403, route);
        assert.equal(res.body.error.code, "forbidden");
      }
    }
  });

  it("shows the admin home's warning, the images and the usage in Chromium, and no admin page to others", async () => {
    const page = await newPage({ locale: "es-ES" });
    await logInPageAs(page, admin, lab.publicUrl);
    await page.goto(`${lab.publicUrl}/admin`);
    const warning = page.locator("[data-testid=admin-warnings] li[data-warning=lesson_image_missing]");
    assert.equal(await warning.getAttribute("data-lesson"), "on-unbuilt");
    assert.match((await warning.textContent()) ?? "", /on-unbuilt.*node-not-built:usage-test.*no está en el motor/);
    for (const target of ["settings", "sessions", "images", "usage", "audit", "users", "security"]) {
      assert.equal(await page.locator(`[data-testid=admin-home-${target}]`).getAttribute("href"), `/admin/${target}`);
    }

    await page.locator("[data-testid=admin-home-images]").click();
    await page.waitForURL(/\/admin\/images$/);
    const missingRow = page.locator(`[data-testid=admin-images] tr[data-image="${MISSING}"]`);
    assert.equal(await missingRow.getAttribute("data-present"), "false");
    assert.match((await missingRow.textContent()) ?? "", /Ausente/);
    assert.equal(
      await page.locator(`[data-testid=admin-images] tr[data-image="${OFFLINE}"]`).getAttribute("data-present"),
      "true",
    );
    assert.equal(await page.locator("[data-testid=admin-nav-images]").getAttribute("aria-current"), "page");

    await page.goto(`${lab.publicUrl}/admin/usage?from=2026-01-10&to=2026-01-11`);
    const totals = page.locator("[data-testid=admin-usage-totals]");
    assert.equal(await totals.getAttribute("data-sessions"), "3");
    assert.equal(await totals.getAttribute("data-node-hours"), "11");
    assert.match((await totals.textContent()) ?? "", /3 sesiones, 11 horas-nodo/);
    assert.equal(
      await page.locator("[data-testid=admin-usage-csv]").getAttribute("href"),
      "/api/admin/usage.csv?from=2026-01-10&to=2026-01-11",
    );
    assert.equal(await page.locator("[data-testid=admin-usage-users] tbody tr").count(), 2);

    // The admin layout answers 404 to everyone else (the API's routes are invisible to them too).
    for (const client of [attendee, instructor]) {
      const other = await newPage();
      await logInPageAs(other, client, lab.publicUrl);
      for (const target of ["/admin", "/admin/images", "/admin/usage"]) {
        const response = await other.goto(`${lab.publicUrl}${target}`);
        assert.equal(response?.status(), 404, target);
        assert.equal(await other.locator("[data-testid=admin-images], [data-testid=admin-usage-totals]").count(), 0);
      }
    }
  });
});

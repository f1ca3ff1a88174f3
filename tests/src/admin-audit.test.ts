// The admin audit log (issue 17): every audited admin/instructor action leaves one entry with its
// actor, before/after and client address; admins read it through GET /api/admin/audit and the
// /admin/audit page (Chromium), nobody else can; no route changes or deletes an entry, the table
// refuses it even to the database owner, and only the server's AUDIT_RETENTION pruning removes
// entries, and only those past the retention.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ZAuditEntry, ZAuditList, type TApiErrorBody, type TAuditEntry, type TMeResponse } from "@kubelab/shared";
import type { ApiClient } from "./support/api-client";
import { logInPageAs, useBrowser } from "./support/browser";
import { useDatabaseClient } from "./support/database-client";
import { useKubelab } from "./support/lab-fixture";
import { userWithRole } from "./support/user-roles";
import { waitFor } from "./support/wait-for";

const LESSON = "kubernetes-para-principiantes";
const DAY_MS = 24 * 3600 * 1000;

describe("admin audit log", () => {
  // One ready session, for the port case (a port's visibility is set on a running node).
  const lab = useKubelab({
    env: { WEB_ENABLED: "true", GUEST_LOGIN: "true", AUDIT_RETENTION: "30d" },
    browserOrigin: true,
    withReadySession: true,
  });
  const db = useDatabaseClient(lab);
  const browser = useBrowser();
  const clients = {} as { admin: ApiClient; adminId: string };

  async function admin(): Promise<{ client: ApiClient; id: string }> {
    if (!clients.admin) {
      clients.admin = await userWithRole(lab, db, "Audit Admin", "admin");
      clients.adminId = (await clients.admin.request<TMeResponse>("GET", "/api/me")).body.id;
    }
    return { client: clients.admin, id: clients.adminId };
  }

  async function entries(query: string): Promise<TAuditEntry[]> {
    const res = await (await admin()).client.request("GET", `/api/admin/audit?${query}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return ZAuditList.parse(res.body).entries;
  }

  it("records role change, ban and unban with the admin, before/after and client address", async () => {
    const { client, id: adminId } = await admin();
    const target = await userWithRole(lab, db, "Audited Attendee", "attendee");
    const targetId = (await target.request<TMeResponse>("GET", "/api/me")).body.id;
    for (const change of [{ role: "instructor" }, { banned: true }, { banned: false }, { role: "instructor" }]) {
      const res = await client.request("PATCH", `/api/admin/users/${targetId}`, change);
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    const list = await entries(`target=user:${targetId}`);
    // Newest first; setting the same role again changes nothing and records nothing.
    assert.deepEqual(
      list.map((e) => e.action),
      ["user.unbanned", "user.banned", "user.role_changed"],
    );
    for (const entry of list) {
      assert.equal(entry.actor?.id, adminId);
      assert.equal(entry.actor?.name, "Audit Admin");
      assert.equal(entry.actor?.provider, "guest");
      assert.equal(entry.clientAddress, "127.0.0.1");
      assert.equal(entry.targetType, "user");
      assert.equal(entry.detail.name, "Audited Attendee");
    }
    const [unbanned, banned, role] = list;
    assert.deepEqual(role!.detail.before, { role: "attendee" });
    assert.deepEqual(role!.detail.after, { role: "instructor" });
    assert.deepEqual(banned!.detail.before, { bannedAt: null });
    const bannedAt = (banned!.detail.after as { bannedAt: string }).bannedAt;
    assert.ok(!Number.isNaN(Date.parse(bannedAt)));
    assert.deepEqual(unbanned!.detail.before, { bannedAt });
    assert.deepEqual(unbanned!.detail.after, { bannedAt: null });
  });

  it("records an event created, changed, ended and deleted by its instructor", async () => {
    const teacher = await userWithRole(lab, db, "Audit Teacher", "instructor");
    const teacherId = (await teacher.request<TMeResponse>("GET", "/api/me")).body.id;
    const startsAt = new Date(Date.now() + 3 * DAY_MS);
    const created = await teacher.request<{ id: string; accessCode: string }>("POST", "/api/events", {
      title: "Audit 101",
      lessonId: LESSON,
      language: "es",
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 2 * 3600 * 1000).toISOString(),
      capacity: 3,
      reservedSessions: 0,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const eventId = created.body.id;
    const changed = await teacher.request("PATCH", `/api/events/${eventId}`, { title: "Audit 102", capacity: 4 });
    assert.equal(changed.status, 200);
    assert.equal((await teacher.request("POST", `/api/events/${eventId}/end`)).status, 200);
    assert.equal((await teacher.request("DELETE", `/api/events/${eventId}`)).status, 204);

    const list = await entries(`target=event:${eventId}`);
    assert.deepEqual(
      list.map((e) => e.action),
      ["event.deleted", "event.ended", "event.changed", "event.created"],
    );
    for (const entry of list) {
      assert.equal(entry.actor?.id, teacherId);
      assert.equal(entry.clientAddress, "127.0.0.1");
    }
    const [deleted, ended, change, create] = list;
    assert.equal(create!.detail.before, null);
    const after = create!.detail.after as Record<string, unknown>;
    assert.equal(after.title, "Audit 101");
    assert.equal(after.capacity, 3);
    assert.ok(!JSON.stringify(create!.detail).includes(created.body.accessCode), "the join code stays out of the log");
    assert.deepEqual(change!.detail.before, { title: "Audit 101", capacity: 3 });
    assert.deepEqual(change!.detail.after, { title: "Audit 102", capacity: 4 });
    const endedAfter = ended!.detail.after as { startsAt: string; endsAt: string };
    assert.equal((ended!.detail.before as { startsAt: string }).startsAt, startsAt.toISOString());
    assert.ok(Date.parse(endedAfter.endsAt) <= Date.now(), "the end moved to the moment it was ended");
    assert.equal((deleted!.detail.before as { title: string }).title, "Audit 102");
    assert.equal(deleted!.detail.after, null);
  });

  it("records a port made public and private again by the session's owner", async () => {
    const path = `/api/sessions/${lab.session.id}/nodes/node1/ports/8080`;
    for (const visibility of [true, true, false, false]) {
      const res = await lab.owner.request("PUT", path, { public: visibility });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    const ownerId = (await lab.owner.request<TMeResponse>("GET", "/api/me")).body.id;
    const list = await entries("action=port.");
    // Setting the visibility it already has records nothing.
    assert.deepEqual(
      list.map((e) => [e.action, e.targetType, e.targetId, e.actor?.id, e.detail.before, e.detail.after]),
      [
        ["port.made_private", "port", `${lab.session.id}/node1/8080`, ownerId, { public: true }, { public: false }],
        ["port.made_public", "port", `${lab.session.id}/node1/8080`, ownerId, { public: false }, { public: true }],
      ],
    );
    assert.equal(list[0]!.clientAddress, "127.0.0.1");
  });

  it("filters by action, actor, target and time, pages newest first, and reads one entry", async () => {
    const all = await entries("limit=200");
    assert.ok(all.length >= 9, `${all.length} entries`);
    const times = all.map((e) => Date.parse(e.createdAt));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      "newest first",
    );
    assert.ok((await entries("action=user.banned")).every((e) => e.action === "user.banned"));
    assert.equal((await entries("action=event.")).length, 4);
    const byName = await entries("actor=audit%20teacher");
    assert.equal(byName.length, 4);
    assert.ok(byName.every((e) => e.actor?.name === "Audit Teacher"));
    const byId = await entries(`actor=${byName[0]!.actor!.id}`);
    assert.deepEqual(
      byId.map((e) => e.id),
      byName.map((e) => e.id),
    );
    assert.equal((await entries("target=event")).length, 4);
    assert.equal((await entries("actor=nobody-like-this")).length, 0);
    const future = new Date(Date.now() + 60_000).toISOString();
    assert.equal((await entries(`from=${encodeURIComponent(future)}`)).length, 0);
    assert.equal((await entries(`to=${encodeURIComponent(future)}&limit=200`)).length, all.length);
    const middle = all[4]!.createdAt;
    const older = await entries(`to=${encodeURIComponent(middle)}&limit=200`);
    assert.ok(older.length > 0 && older.every((e) => e.createdAt < middle));

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await (
        await admin()
      ).client.request("GET", `/api/admin/audit?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      const page = ZAuditList.parse(res.body);
      assert.ok(page.entries.length <= 2);
      seen.push(...page.entries.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(
      seen,
      all.map((e) => e.id),
      "pages neither skip nor repeat",
    );

    const one = await (await admin()).client.request("GET", `/api/admin/audit/${all[0]!.id}`);
    assert.equal(one.status, 200);
    assert.deepEqual(ZAuditEntry.parse(one.body), all[0]);
    for (const bad of ["action=DROP%20TABLE", "limit=0", "from=yesterday", "cursor=abc"]) {
      const res = await (await admin()).client.request<TApiErrorBody>("GET", `/api/admin/audit?${bad}`);
      assert.equal(res.status, 400, bad);
    }
    assert.equal((await (await admin()).client.request("GET", "/api/admin/audit/999999999")).status, 404);
    assert.equal((await (await admin()).client.request("GET", "/api/admin/audit/nope")).status, 404);
  });

  it("has no route that changes or deletes an entry", async () => {
    const { client } = await admin();
    const [entry] = await entries("limit=1");
    for (const path of ["/api/admin/audit", `/api/admin/audit/${entry!.id}`]) {
      for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
        const res = await client.request(method, path, { action: "tampered" });
        assert.ok([404, 405].includes(res.status), `${method} ${path}: ${res.status}`);
      }
    }
    const again = await (await admin()).client.request("GET", `/api/admin/audit/${entry!.id}`);
    assert.deepEqual(again.body, entry);
  });

  it("answers 403 to attendees and instructors and 401 to anonymous callers", async () => {
    for (const role of ["attendee", "instructor"] as const) {
      const client = await userWithRole(lab, db, `Curious ${role}`, role);
      for (const path of ["/api/admin/audit", "/api/admin/audit/1", "/api/admin/audit?action=user.banned"]) {
        const res = await client.request<TApiErrorBody>("GET", path);
        assert.equal(res.status, 403, `${role} ${path}`);
        assert.equal(res.body.error.code, "forbidden");
      }
    }
    assert.equal((await lab.server.client().request("GET", "/api/admin/audit")).status, 401);
  });

  it("lists and filters entries on /admin/audit in Chromium, in English and Spanish", async () => {
    const { client } = await admin();
    const page = await browser.newPage({ locale: "en-US" });
    await logInPageAs(page, client, lab.publicUrl);
    await page.goto(`${lab.publicUrl}/admin/audit`);
    await page.getByRole("heading", { name: "Audit log" }).waitFor();
    const rows = page.getByTestId("audit-row");
    assert.ok((await rows.count()) >= 9);
    const role = page.locator('[data-testid="audit-row"][data-action="user.role_changed"]');
    assert.equal(await role.count(), 1);
    const text = await role.innerText();
    for (const part of ["Audit Admin", "Role changed", "attendee", "instructor", "127.0.0.1", "Audited Attendee"]) {
      assert.ok(text.includes(part), `${part} in ${text}`);
    }

    await page.locator('select[name="action"]').selectOption("event.changed");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/action=event\.changed/);
    assert.equal(await rows.count(), 1);
    assert.equal(await rows.first().getAttribute("data-action"), "event.changed");
    const changes = await page.getByTestId("audit-changes").innerText();
    assert.match(changes, /title: Audit 101 → Audit 102/);
    assert.match(changes, /capacity: 3 → 4/);

    await page.goto(`${lab.publicUrl}/admin/audit?actor=Audit+Teacher`);
    assert.equal(await rows.count(), 4);
    await page.goto(`${lab.publicUrl}/admin/audit?from=2999-01-01T00:00`);
    await page.getByTestId("audit-empty").waitFor();

    const es = await browser.newPage({ locale: "es-ES" });
    await logInPageAs(es, client, lab.publicUrl);
    await es.goto(`${lab.publicUrl}/admin/audit?action=user.banned`);
    await es.getByRole("heading", { name: "Registro de auditoría" }).waitFor();
    assert.ok((await es.getByTestId("audit-row").innerText()).includes("Usuario bloqueado"));

    // Not for instructors: the admin pages are invisible to them.
    const instructor = await userWithRole(lab, db, "Page Instructor", "instructor");
    const other = await browser.newPage({ locale: "en-US" });
    await logInPageAs(other, instructor, lab.publicUrl);
    const res = await other.goto(`${lab.publicUrl}/admin/audit`);
    assert.equal(res?.status(), 404);
  });

  it("is append-only even for the database owner; only the server's pruning removes entries past the retention", async () => {
    const c = db.client;
    const [{ id: newest }] = (await c.query<{ id: string }>("SELECT max(id)::text AS id FROM audit_log")).rows as [
      { id: string },
    ];
    for (const sql of [
      `DELETE FROM audit_log WHERE id = ${newest}`,
      `UPDATE audit_log SET action = 'tampered' WHERE id = ${newest}`,
      "TRUNCATE audit_log",
    ]) {
      await assert.rejects(c.query(sql), /append-only/, sql);
    }
    // The pruning's setting does not open recent rows (the cutoff must be a day old at least)…
    await c.query("BEGIN");
    await c.query("SELECT set_config('kubelab.audit_prune', (now() - interval '1 hour')::text, true)");
    await assert.rejects(c.query(`DELETE FROM audit_log WHERE id = ${newest}`), /append-only/);
    await c.query("ROLLBACK");
    // …nor rows younger than the cutoff it names.
    await c.query("BEGIN");
    await c.query("SELECT set_config('kubelab.audit_prune', (now() - interval '5 days')::text, true)");
    await assert.rejects(c.query(`DELETE FROM audit_log WHERE id = ${newest}`), /append-only/);
    await c.query("ROLLBACK");

    // Entries from long ago (inserting is what the log allows), then the server starts again and prunes.
    const insert =
      "INSERT INTO audit_log (created_at, action, target_type, target_id) VALUES (now() - $1::interval, $2, 'test', $2)";
    await c.query(insert, ["400 days", "test.ancient"]);
    await c.query(insert, ["31 days", "test.old"]);
    await c.query(insert, ["29 days", "test.kept"]);
    const before = Number((await c.query<{ count: string }>("SELECT count(*) FROM audit_log")).rows[0]!.count);

    await lab.server.stop();
    lab.server = await lab.server.restart();
    await waitFor("the pruning of entries older than AUDIT_RETENTION=30d", async () => {
      const { rows } = await c.query<{ count: string }>(
        "SELECT count(*) FROM audit_log WHERE action IN ('test.ancient', 'test.old')",
      );
      return Number(rows[0]!.count) === 0 ? true : undefined;
    });
    const { rows } = await c.query<{ action: string }>("SELECT action FROM audit_log WHERE target_type = 'test'");
    assert.deepEqual(
      rows.map((r) => r.action),
      ["test.kept"],
    );
    assert.equal(
      Number((await c.query<{ count: string }>("SELECT count(*) FROM audit_log")).rows[0]!.count),
      before - 2,
    );
    // Outside the pruning's transaction the table is append-only again.
    await assert.rejects(c.query("DELETE FROM audit_log WHERE action = 'test.kept'"), /append-only/);
  });
});

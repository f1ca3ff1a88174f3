// The admin console's settings (issue 17): values that change without a restart, stored in
// PostgreSQL over the environment's defaults, applied from the next create and never to running
// sessions; per-user overrides of the sessions quota; validation like the configuration's.
// Real server, database, Docker and Chromium; two one-node sessions in all.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ZAdminSettings,
  type TAdminSettings,
  type TApiErrorBody,
  type TMeResponse,
  type TSession,
} from "@kubelab/shared";
import { logInPageAs, useBrowser } from "./support/browser";
import { useDatabaseClient } from "./support/database-client";
import { docker } from "./support/docker-objects";
import { useKubelab } from "./support/lab-fixture";
import { oneNodeLessons } from "./support/one-node-lessons";
import { userWithRole } from "./support/user-roles";
import { waitFor } from "./support/wait-for";

describe("admin settings", () => {
  const lab = useKubelab({
    env: {
      WEB_ENABLED: "true",
      LESSONS_DIR: oneNodeLessons(),
      // Sources: these two come from the environment, the rest are defaults.
      MAX_SESSIONS_PER_USER: "2",
      POOL_SIZE: "0",
      NODE_MEMORY: "512m",
    },
    browserOrigin: true,
  });
  const db = useDatabaseClient(lab);
  const browser = useBrowser();

  function setting(settings: TAdminSettings, key: string) {
    const found = settings.settings.find((s) => s.key === key);
    assert.ok(found, key);
    return found;
  }

  it("keeps attendees and instructors out of the settings routes", async () => {
    for (const role of ["attendee", "instructor"] as const) {
      const user = await userWithRole(lab, db, `Curious ${role}`, role);
      for (const [method, body] of [
        ["GET", undefined],
        ["PUT", { MAX_SESSIONS: "5" }],
      ] as const) {
        const res = await user.request<TApiErrorBody>(method, "/api/admin/settings", body);
        assert.equal(res.status, 403, `${role} ${method}`);
        assert.equal(res.body.error.code, "forbidden");
      }
      const patch = await user.request("PATCH", "/api/admin/users/00000000-0000-4000-8000-000000000000", {
        maxSessions: 3,
      });
      assert.equal(patch.status, 403, `${role} PATCH user`);
    }
  });

  it("shows each value with its source and refuses a bad value naming the field", async () => {
    const admin = await userWithRole(lab, db, "Settings Admin", "admin");
    const res = await admin.request<TAdminSettings>("GET", "/api/admin/settings");
    assert.equal(res.status, 200);
    const settings = ZAdminSettings.parse(res.body);
    assert.deepEqual(
      ["MAX_SESSIONS_PER_USER", "MAX_SESSIONS", "SESSION_DURATION", "NODE_MEMORY", "MAX_SESSIONS_PER_ADMIN"].map(
        (key) => {
          const s = setting(settings, key);
          return [key, s.value, s.source];
        },
      ),
      [
        ["MAX_SESSIONS_PER_USER", "2", "environment"],
        ["MAX_SESSIONS", "20", "default"],
        ["SESSION_DURATION", "2h", "default"],
        ["NODE_MEMORY", "512m", "environment"],
        ["MAX_SESSIONS_PER_ADMIN", "2", "default"],
      ],
    );

    for (const [body, field] of [
      [{ MAX_SESSIONS: "0" }, "MAX_SESSIONS"],
      [{ SESSION_DURATION: "forever" }, "SESSION_DURATION"],
      [{ SESSION_DURATION: "5h" }, "SESSION_DURATION"], // over SESSION_MAX_DURATION (4h)
      [{ NODE_MEMORY: "lots" }, "NODE_MEMORY"],
      [{ POOL_SIZES: "unknown/image:1=2" }, "POOL_SIZES"],
    ] as const) {
      const bad = await admin.request<TApiErrorBody>("PUT", "/api/admin/settings", body);
      assert.equal(bad.status, 400, JSON.stringify(body));
      assert.equal(bad.body.error.code, "bad_request");
      assert.match(bad.body.error.message, new RegExp(field), JSON.stringify(bad.body));
    }
    const unknown = await admin.request<TApiErrorBody>("PUT", "/api/admin/settings", { NOT_A_SETTING: "1" });
    assert.equal(unknown.status, 400);
    // Nothing of the refused changes was kept.
    const after = ZAdminSettings.parse((await admin.request("GET", "/api/admin/settings")).body);
    assert.ok(after.settings.every((s) => s.source !== "console"));
  });

  it("enforces a lower sessions-per-user at the next create, leaves running sessions alone, and honours a per-user override", async () => {
    const admin = await userWithRole(lab, db, "Quota Admin", "admin");
    const ana = lab.server.client();
    const me: TMeResponse = await ana.loginAsGuest("Ana");
    const first = await ana.request<TSession>("POST", "/api/sessions", { lesson: "solo" });
    assert.equal(first.status, 201, JSON.stringify(first.body));

    // Lowered from the environment's 2 to 1: Ana's running session stays; her next create is refused.
    const lowered = await admin.request<TAdminSettings>("PUT", "/api/admin/settings", {
      MAX_SESSIONS_PER_USER: "1",
      NODE_MEMORY: "640m",
    });
    assert.equal(lowered.status, 200, JSON.stringify(lowered.body));
    assert.deepEqual(
      [setting(lowered.body, "MAX_SESSIONS_PER_USER").source, setting(lowered.body, "MAX_SESSIONS_PER_USER").value],
      ["console", "1"],
    );
    assert.equal(setting(lowered.body, "MAX_SESSIONS_PER_USER").fallback, "2");
    const refused = await ana.request<TApiErrorBody>("POST", "/api/sessions", { lesson: "solo" });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, "quota_exceeded");
    const running = await ana.waitUntilSettled(first.body.id);
    assert.equal(running.status, "ready", running.reason ?? "");

    // The audit log has the change with its before and after.
    const audit = await db.client.query<{ actor_id: string; detail: Record<string, Record<string, unknown>> }>(
      "SELECT actor_id, detail FROM audit_log WHERE action = 'settings.changed'",
    );
    assert.equal(audit.rows.length, 1);
    assert.deepEqual(audit.rows[0]!.detail.before!.MAX_SESSIONS_PER_USER, { value: "2", source: "environment" });
    assert.deepEqual(audit.rows[0]!.detail.after!.MAX_SESSIONS_PER_USER, { value: "1", source: "console" });

    // Ana's own quota of 2 (Users page) beats the role's 1.
    const override = await admin.request<{ maxSessions: number | null }>("PATCH", `/api/admin/users/${me.id}`, {
      maxSessions: 2,
    });
    assert.equal(override.status, 200, JSON.stringify(override.body));
    assert.equal(override.body.maxSessions, 2);
    const second = await ana.request<TSession>("POST", "/api/sessions", { lesson: "solo" });
    assert.equal(second.status, 201, JSON.stringify(second.body));
    const userAudit = await db.client.query<{ detail: unknown }>(
      "SELECT detail FROM audit_log WHERE action = 'user.max_sessions_changed' AND target_id = $1",
      [me.id],
    );
    assert.deepEqual(userAudit.rows[0]?.detail, { before: { maxSessions: null }, after: { maxSessions: 2 } });

    // The node memory set in the console applies to the session built after it, not the running one.
    const memory = async (id: string) => (await docker.getContainer(`kubelab-${id}-node1`).inspect()).HostConfig.Memory;
    await ana.waitUntilSettled(second.body.id);
    assert.equal(await memory(second.body.id), 640 * 1024 ** 2);
    assert.equal(await memory(first.body.id), 512 * 1024 ** 2);
    assert.equal((await ana.getSession(first.body.id)).status, "ready");

    for (const id of [first.body.id, second.body.id])
      assert.equal((await ana.request("DELETE", `/api/sessions/${id}`)).status, 204);
    // Cleared: back to the environment's value.
    const cleared = await admin.request<TAdminSettings>("PUT", "/api/admin/settings", { MAX_SESSIONS_PER_USER: null });
    assert.deepEqual(
      [setting(cleared.body, "MAX_SESSIONS_PER_USER").value, setting(cleared.body, "MAX_SESSIONS_PER_USER").source],
      ["2", "environment"],
    );
  });

  it("saves a value from the /admin/settings page (Chromium)", async () => {
    const admin = await userWithRole(lab, db, "Page Admin", "admin");
    const page = await browser.newPage({ locale: "en-US" });
    await logInPageAs(page, admin, lab.publicUrl);
    await page.goto(`${lab.publicUrl}/admin/settings`);
    const input = page.getByTestId("setting-input-SESSION_EXTENSION");
    await input.fill("45m");
    await page.getByTestId("settings-save").click();
    await page.getByTestId("settings-saved").waitFor();
    await page.getByTestId("setting-source-SESSION_EXTENSION").getByText("console").waitFor();
    const settings = ZAdminSettings.parse((await admin.request("GET", "/api/admin/settings")).body);
    assert.deepEqual(
      [setting(settings, "SESSION_EXTENSION").value, setting(settings, "SESSION_EXTENSION").source],
      ["45m", "console"],
    );
    // A bad value is refused on the page, naming the field.
    await page.getByTestId("setting-input-MAX_SESSIONS").fill("zero");
    await page.getByTestId("settings-save").click();
    await page.getByTestId("settings-error").getByText("MAX_SESSIONS").waitFor();

    // A user's own quota from the Users page: saved, and the re-rendered page shows it.
    const person = await userWithRole(lab, db, "Quota Person", "attendee");
    const personId = (await person.request<{ id: string }>("GET", "/api/me")).body.id;
    await page.goto(`${lab.publicUrl}/admin/users?q=${encodeURIComponent("Quota Person")}`);
    const row = page.locator(`[data-testid=admin-user-row][data-user-id='${personId}']`);
    await row.getByTestId("admin-user-quota-input").fill("3");
    await row.getByTestId("admin-user-quota-save").click();
    await waitFor("the quota to be stored", async () => {
      const stored = await db.client.query<{ max_sessions: number | null }>(
        "SELECT max_sessions FROM users WHERE id = $1",
        [personId],
      );
      return stored.rows[0]?.max_sessions === 3 ? true : undefined;
    });
    await page.reload();
    assert.equal(await row.getByTestId("admin-user-quota-input").inputValue(), "3");

    // Not an admin: the page is not there for them (404), as the admin layout does for every admin page.
    for (const role of ["attendee", "instructor"] as const) {
      const other = await userWithRole(lab, db, `Page ${role}`, role);
      const theirs = await browser.newPage({ locale: "es-ES" });
      await logInPageAs(theirs, other, lab.publicUrl);
      const response = await theirs.goto(`${lab.publicUrl}/admin/settings`);
      assert.equal(response?.status(), 404, role);
    }
  });

  it("keeps console values across a restart and ignores a stored value that no longer validates", async () => {
    const admin = await userWithRole(lab, db, "Restart Admin", "admin");
    // As an older version might have stored it: the server must start, on the environment's value.
    await db.client.query("INSERT INTO admin_settings (key, value) VALUES ('MAX_SESSIONS', 'many')");
    await lab.server.stop();
    lab.server = await lab.server.restart();
    const settings = ZAdminSettings.parse((await admin.request("GET", "/api/admin/settings")).body);
    assert.deepEqual(
      [setting(settings, "SESSION_EXTENSION").value, setting(settings, "SESSION_EXTENSION").source],
      ["45m", "console"],
    );
    assert.deepEqual(
      [setting(settings, "MAX_SESSIONS").value, setting(settings, "MAX_SESSIONS").source],
      ["20", "default"],
    );
    assert.match(lab.server.logs(), /Console setting MAX_SESSIONS ignored/);
  });
});

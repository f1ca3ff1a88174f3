// Admin sessions page (issue 17): a node's memory seen rising while a program fills it, the host
// summary, an admin's extend and end of an attendee's session (audited, explained to the attendee),
// the attendee's own meters and an out-of-memory kill explained on the lab page, and the admin
// routes closed to attendees and instructors. Real server, Docker engine, PostgreSQL and Chromium.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ZAdminSession, ZAdminSessionList, ZSessionUsage, type TAdminSessionList } from "@kubelab/shared";
import type { ApiClient } from "./support/api-client";
import { logInPageAs, useBrowser } from "./support/browser";
import { useDatabaseClient } from "./support/database-client";
import { execIn } from "./support/docker-objects";
import { useKubelab } from "./support/lab-fixture";
import { userWithRole } from "./support/user-roles";
import { waitFor } from "./support/wait-for";

const MIB = 1024 * 1024;
// The seed lesson (two nodes); NODE_IMAGES replaces its CentOS image with the offline one.
const LESSON = "kubernetes-para-principiantes";

describe("admin sessions: node stats, end and extend, attendee meters", () => {
  const lab = useKubelab({
    env: {
      NODE_MEMORY: "512m",
      // The seed lesson asks 4g for node1; the admin's ceiling keeps every node at NODE_MEMORY here.
      NODE_MEMORY_MAX: "512m",
      NODE_DISK_LIMIT: "200m",
      NODE_STATS_INTERVAL: "1s",
      NODE_PIDS_LIMIT: "300",
      NODE_DISK_CHECK_INTERVAL: "2s",
      NODE_READY_TIMEOUT: "300s",
      NODE_IMAGES: "kubelab/node-offline:latest",
      WEB_ENABLED: "true",
    },
    browserOrigin: true,
  });
  const db = useDatabaseClient(lab);
  const browser = useBrowser();
  const node = (sessionId: string, name: string) => `kubelab-${sessionId}-${name}`;

  async function adminList(admin: ApiClient, query = ""): Promise<TAdminSessionList> {
    const res = await admin.request("GET", `/api/admin/sessions${query}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return ZAdminSessionList.parse(res.body);
  }

  it("shows memory rising, explains an OOM kill and an admin's end to the attendee, audits end and extend", async () => {
    const attendee = await userWithRole(lab, db, "Ada Attendee", "attendee");
    const instructor = await userWithRole(lab, db, "Ivo Instructor", "instructor");
    const admin = await userWithRole(lab, db, "Root Admin", "admin");

    // The attendee starts the lesson's lab in their browser (Spanish).
    const labPage = await browser.newPage({ locale: "es-ES" });
    await logInPageAs(labPage, attendee, lab.publicUrl);
    await labPage.goto(`${lab.publicUrl}/lab/${LESSON}`);
    await labPage.locator("[data-testid=session-bar][data-session-status=ready]").waitFor({ timeout: 300_000 });
    const sessionId = (await labPage.locator("[data-testid=session-bar]").getAttribute("data-session-id")) ?? "";
    assert.match(sessionId, /^[0-9a-f]{32}$/);

    // Attendees and instructors: 403 on every admin sessions route, 404 on the page.
    for (const client of [attendee, instructor]) {
      for (const [method, path] of [
        ["GET", "/api/admin/sessions"],
        ["POST", `/api/admin/sessions/${sessionId}/end`],
        ["POST", `/api/admin/sessions/${sessionId}/extend`],
      ] as const) {
        const res = await client.request<{ error: { code: string } }>(method, path, method === "POST" ? {} : undefined);
        assert.equal(res.status, 403, `${method} ${path}`);
        assert.equal(res.body.error.code, "forbidden");
      }
      const page = await browser.newPage();
      await logInPageAs(page, client, lab.publicUrl);
      const response = await page.goto(`${lab.publicUrl}/admin/sessions`);
      assert.equal(response?.status(), 404, "the admin sessions page is invisible to non-admins");
    }

    // The sampler fills in CPU and memory for both nodes; the disk monitor its disk figure.
    const sampled = await waitFor(
      "both nodes sampled",
      async () => {
        const list = await adminList(admin);
        const row = list.sessions.find((s) => s.id === sessionId);
        return row?.nodes.every((n) => n.memoryBytes !== null && n.diskBytes !== null && n.cpuPercent !== null)
          ? list
          : undefined;
      },
      60_000,
      500,
    );
    const row = sampled.sessions.find((s) => s.id === sessionId)!;
    assert.deepEqual(
      row.nodes.map((n) => n.name),
      ["node1", "node2"],
    );
    assert.equal(row.owner?.name, "Ada Attendee");
    assert.equal(row.lesson, LESSON);
    assert.equal(row.nodes[0]!.memoryLimitBytes, 512 * MIB);
    assert.ok(sampled.host.sessions.owned >= 1);
    assert.ok(sampled.host.engineVersion);
    assert.ok((sampled.host.hostMemoryBytes ?? 0) > 0);
    assert.ok(sampled.host.nodeMemoryBytes >= row.nodes[0]!.memoryBytes!);
    assert.ok((sampled.host.dataRootFreeBytes ?? 0) > 0, "the data root's free space is known");
    // Filter and sort: by owner name, and an unknown owner lists nothing.
    assert.deepEqual(
      (await adminList(admin, "?q=ada&sort=memory")).sessions.map((s) => s.id),
      [sessionId],
    );
    assert.deepEqual((await adminList(admin, "?q=nobody-like-this")).sessions, []);
    assert.equal((await admin.request("GET", "/api/admin/sessions?sort=bogus")).status, 400);

    // The attendee's own meters: their nodes' memory and disk against the limits.
    const usage = ZSessionUsage.parse((await attendee.request("GET", `/api/sessions/${sessionId}/usage`)).body);
    assert.equal(usage.nodes.length, 2);
    assert.equal(usage.nodes[0]!.memoryLimitBytes, 512 * MIB);
    assert.equal((await instructor.request("GET", `/api/sessions/${sessionId}/usage`)).status, 404);
    await labPage.locator("[data-testid=node-meter][data-node=node1][data-kind=memory]").waitFor();

    // The admin page: node1's memory before and while `tail` holds 250 MiB of one endless line.
    const adminPage = await browser.newPage();
    await logInPageAs(adminPage, admin, lab.publicUrl);
    await adminPage.goto(`${lab.publicUrl}/admin/sessions`);
    const node1 = adminPage.locator(
      `[data-testid=admin-session-row][data-session-id="${sessionId}"] [data-testid=admin-session-node][data-node=node1]`,
    );
    const memoryShown = async () => Number((await node1.getAttribute("data-memory-bytes")) || "0");
    const before = await memoryShown();
    assert.ok(before > 0, "the page shows node1's memory");
    assert.match((await adminPage.locator("[data-testid=admin-host-engine]").textContent()) ?? "", /\d+\.\d+/);
    const filling = execIn(node(sessionId, "node1"), [
      "sh",
      "-c",
      "(head -c 250m /dev/zero; sleep 20) | tail >/dev/null",
    ]);
    const during = await waitFor(
      "node1's memory on the admin page to rise by 200 MiB",
      async () => {
        const shown = await memoryShown();
        return shown >= before + 200 * MIB ? shown : undefined;
      },
      60_000,
      500,
    );
    assert.ok(during <= 512 * MIB);
    const filled = await filling;
    assert.equal(filled.exitCode, 0, filled.output);

    // A bigger allocation in node2 is killed at NODE_MEMORY; the attendee's page says where and why.
    const hog = await execIn(node(sessionId, "node2"), [
      "python3",
      "-c",
      "chunks = []\nwhile True: chunks.append(b'x' * (32 << 20))",
    ]);
    assert.equal(hog.exitCode, 137, `the hog was killed (SIGKILL): ${hog.output}`);
    const oom = labPage.locator("[data-testid=session-notice][data-code=oom_kill][data-node=node2]");
    await oom.waitFor({ timeout: 40_000 });
    assert.match((await oom.textContent()) ?? "", /proceso en node2 .*sin memoria/);

    // A fork loop in node2 runs into NODE_PIDS_LIMIT: Docker sends no event for it, so the stats
    // sampler notices the count at the limit and the page explains why new programs fail there.
    // bash gives up (exit 254, "fork: Resource temporarily unavailable") once fork keeps failing.
    const forks = await execIn(node(sessionId, "node2"), [
      "bash",
      "-c",
      "for i in $(seq 600); do sleep 25 >/dev/null 2>&1 & done",
    ]);
    assert.match(forks.output, /fork/, `the loop ran into the limit (exit ${forks.exitCode})`);
    const pidsNotice = labPage.locator("[data-testid=session-notice][data-code=pids_limit][data-node=node2]");
    await pidsNotice.waitFor({ timeout: 20_000 });
    assert.match((await pidsNotice.textContent()) ?? "", /node2 llegó a su límite de procesos/);
    const processes = labPage.locator("[data-testid=node-meter][data-node=node2][data-kind=processes]");
    await processes.waitFor({ timeout: 10_000 });
    assert.equal(await processes.getAttribute("data-near"), "true");
    assert.equal(
      await labPage.locator("[data-testid=node-meter][data-node=node1][data-kind=processes]").count(),
      0,
      "node1, far from its limit, shows no processes meter",
    );
    const pidsUsage = ZSessionUsage.parse((await attendee.request("GET", `/api/sessions/${sessionId}/usage`)).body);
    assert.equal(pidsUsage.nodes.find((n) => n.name === "node2")?.pidsLimit, 300);

    // Near a limit the attendee's meter warns: 185 MiB written in node1 is past 90 % of 200 MiB.
    const written = await execIn(node(sessionId, "node1"), [
      "dd",
      "if=/dev/zero",
      "of=/root/fill",
      "bs=1M",
      "count=185",
      "conv=fsync",
    ]);
    assert.equal(written.exitCode, 0, written.output);
    const warning = labPage.locator(
      "[data-testid=node-meter][data-node=node1][data-kind=disk][data-near=true] [data-testid=node-meter-warning]",
    );
    await warning.waitFor({ timeout: 30_000 });
    assert.match((await warning.textContent()) ?? "", /node1 está cerca de su límite de disco/);
    assert.equal(
      await labPage.locator("[data-testid=node-meter][data-node=node2][data-kind=disk]").getAttribute("data-near"),
      "false",
    );

    // Extend by an admin: 30 more minutes, audited with before and after.
    const { expiresAt: expiresBefore } = (await adminList(admin)).sessions.find((s) => s.id === sessionId)!;
    adminPage.once("dialog", (dialog) => void dialog.accept());
    await adminPage.reload();
    await adminPage
      .locator(`[data-testid=admin-session-row][data-session-id="${sessionId}"] [data-testid=admin-session-extend]`)
      .click();
    const extended = await waitFor("the extension", async () => {
      const s = (await adminList(admin)).sessions.find((x) => x.id === sessionId);
      return s && s.expiresAt !== expiresBefore ? s : undefined;
    });
    assert.equal(Date.parse(extended.expiresAt) - Date.parse(expiresBefore), 30 * 60 * 1000);
    const badExtend = await admin.request("POST", `/api/admin/sessions/${sessionId}/extend`, { minutes: 0 });
    assert.equal(badExtend.status, 400);
    const viaApi = await admin.request("POST", `/api/admin/sessions/${sessionId}/extend`, { minutes: 5 });
    assert.equal(
      ZAdminSession.parse(viaApi.body).expiresAt,
      new Date(Date.parse(extended.expiresAt) + 5 * 60_000).toISOString(),
    );

    // End by an admin from the page (after the confirmation); the attendee's page says an admin did it.
    adminPage.once("dialog", (dialog) => void dialog.accept());
    await adminPage
      .locator(`[data-testid=admin-session-row][data-session-id="${sessionId}"] [data-testid=admin-session-end]`)
      .click();
    const ended = await attendee.waitForStatus(sessionId, "ended");
    assert.equal(ended.stopReason?.code, "ended_by_admin");
    const explained = labPage.locator(
      "[data-testid=session-state][data-state=ended] [data-reason-code=ended_by_admin]",
    );
    await explained.waitFor({ timeout: 40_000 });
    assert.match((await explained.textContent()) ?? "", /administrador/);
    assert.equal((await admin.request("POST", "/api/admin/sessions/not-a-session/end")).status, 404);

    const audit = await db.client.query<{ action: string; actor_id: string; target_id: string; detail: unknown }>(
      "SELECT action, actor_id, target_id, detail FROM audit_log WHERE action LIKE 'session.%_by_admin' ORDER BY id",
    );
    const me = (await admin.request<{ id: string }>("GET", "/api/me")).body;
    assert.deepEqual(
      audit.rows.map((r) => [r.action, r.actor_id, r.target_id]),
      [
        ["session.extended_by_admin", me.id, sessionId],
        ["session.extended_by_admin", me.id, sessionId],
        ["session.ended_by_admin", me.id, sessionId],
      ],
    );
    assert.deepEqual((audit.rows[0]!.detail as { before: unknown }).before, { expiresAt: expiresBefore });
    assert.deepEqual((audit.rows[0]!.detail as { after: unknown }).after, { expiresAt: extended.expiresAt });
    assert.deepEqual((audit.rows[2]!.detail as { after: unknown }).after, {
      status: "ended",
      reason: "ended_by_admin",
    });

    // With nothing live, the sampler keeps nothing.
    const afterEnd = await waitFor("the ended session to leave the list", async () => {
      const list = await adminList(admin);
      return list.sessions.some((s) => s.id === sessionId) ? undefined : list;
    });
    assert.equal(afterEnd.host.nodeMemoryBytes, 0);
  });
});

// Roles and bans: admin-only endpoints, role changes, and what a ban does to
// a user's logins and running lab sessions (real Docker nodes).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ZNodeSecurityReport,
  type TAdminUser,
  type TAdminUserList,
  type TApiErrorBody,
  type TMeResponse,
  type TSession,
} from "@kubelab/shared";
import { ApiClient } from "./support/api-client";
import { countLabelled } from "./support/docker-objects";
import { GITHUB_ADMIN_ID, useLoginProviders } from "./support/identity/login-fixture";
import { OAuthWalker } from "./support/identity/oauth-walker";
import { waitFor } from "./support/wait-for";

const ATTENDEE = { id: 4242, login: "student42", name: "Student Forty-Two" };
const ADMIN = { id: GITHUB_ADMIN_ID, login: "octocat", name: "The Octocat" };

describe("admin user management, roles and bans", () => {
  const lab = useLoginProviders({ GUEST_LOGIN: "true" });

  /** Logs in through the GitHub stand-in as `who`; returns an API client with that login, and where it landed. */
  async function githubLogin(who: typeof ATTENDEE): Promise<{ client: ApiClient; landed: URL }> {
    await lab.github.control("user", who);
    const walker = new OAuthWalker(lab.publicUrl);
    const landed = await walker.callback(await walker.decideAtGithub(await walker.start("github"), "allow"));
    const client = new ApiClient(lab.publicUrl);
    const session = walker.cookies.get("kubelab_session");
    if (session) client.setCookieHeader(`kubelab_session=${session}`);
    return { client, landed };
  }

  it("keeps attendees out of admin endpoints", async () => {
    const guest = new ApiClient(lab.publicUrl);
    await guest.loginAsGuest("Curious Attendee");
    for (const [method, path, body] of [
      ["GET", "/api/admin/users", undefined],
      ["GET", "/api/admin/node-security", undefined],
      ["PATCH", `/api/admin/users/00000000-0000-4000-8000-000000000000`, { role: "admin" }],
    ] as const) {
      const res = await guest.request<TApiErrorBody>(method, path, body);
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.equal(res.body.error.code, "forbidden");
    }
    for (const path of ["/api/admin/users", "/api/admin/node-security"]) {
      const anonymous = await new ApiClient(lab.publicUrl).request<TApiErrorBody>("GET", path);
      assert.equal(anonymous.status, 401, path);
    }
  });

  it("tells admins how nodes are isolated and what root in a node can still do", async () => {
    const { client: admin } = await githubLogin(ADMIN);
    const res = await admin.request("GET", "/api/admin/node-security");
    assert.equal(res.status, 200);
    const report = ZNodeSecurityReport.parse(res.body);
    assert.equal(report.configuredProfile, "auto");
    assert.equal(report.profileError, null);
    // This host refuses privileged containers, so auto resolves to the hardened capability profile.
    assert.equal(report.activeProfile, "capabilities");
    assert.equal(report.cgroupNamespace, "private");
    assert.equal(report.seccomp, "kubelab");
    assert.ok(report.capabilities.includes("SYS_ADMIN"), "Docker in the node needs SYS_ADMIN, and the page says so");
    for (const dangerous of ["SYS_MODULE", "SYS_RAWIO", "SYS_TIME", "SYSLOG", "DAC_READ_SEARCH"]) {
      assert.ok(!report.capabilities.includes(dangerous), `${dangerous} is not granted`);
    }
    assert.deepEqual(report.residualRisks, ["shared_kernel", "sys_admin_remount", "internet_egress"]);
    assert.deepEqual(report.egress, { mode: "internet", allow: [] });
    assert.equal(report.diskLimitBytes, 10 * 1024 ** 3);
  });

  it("lets an admin list, search and change roles, but not their own", async () => {
    const { client: student } = await githubLogin(ATTENDEE);
    const studentMe = (await student.request<TMeResponse>("GET", "/api/me")).body;
    assert.equal(studentMe.role, "attendee");
    const { client: admin } = await githubLogin(ADMIN);
    const adminMe = (await admin.request<TMeResponse>("GET", "/api/me")).body;
    assert.equal(adminMe.role, "admin");

    const search = await admin.request<TAdminUserList>("GET", "/api/admin/users?q=STUDENT42");
    assert.equal(search.status, 200);
    assert.deepEqual(
      search.body.users.map((u) => [u.login, u.providerId, u.role]),
      [["student42", "4242", "attendee"]],
    );
    const page = await admin.request<TAdminUserList>("GET", "/api/admin/users?limit=1");
    assert.equal(page.body.users.length, 1);
    assert.ok(page.body.nextCursor, "more users than one page");
    const rest = await admin.request<TAdminUserList>(
      "GET",
      `/api/admin/users?limit=200&cursor=${page.body.nextCursor}`,
    );
    assert.ok(!rest.body.users.some((u) => u.id === page.body.users[0]!.id), "pages do not overlap");

    const promoted = await admin.request<TAdminUser>("PATCH", `/api/admin/users/${studentMe.id}`, {
      role: "instructor",
    });
    assert.equal(promoted.status, 200);
    assert.equal(promoted.body.role, "instructor");
    assert.equal((await student.request<TMeResponse>("GET", "/api/me")).body.role, "instructor");

    const self = await admin.request<TApiErrorBody>("PATCH", `/api/admin/users/${adminMe.id}`, { role: "attendee" });
    assert.equal(self.status, 409);
    assert.equal(self.body.error.code, "cannot_modify_self");
    for (const body of [{}, { role: "root" }, { banned: "yes" }, { role: "admin", extra: 1 }]) {
      const bad = await admin.request<TApiErrorBody>("PATCH", `/api/admin/users/${studentMe.id}`, body);
      assert.equal(bad.status, 400, JSON.stringify(body));
      assert.equal(bad.body.error.code, "bad_request");
    }
    const missing = await admin.request("PATCH", "/api/admin/users/00000000-0000-4000-8000-000000000000", {
      role: "admin",
    });
    assert.equal(missing.status, 404);
  });

  it("a ban ends the user's logins and lab sessions and refuses their next login until lifted", async () => {
    const { client: student } = await githubLogin(ATTENDEE);
    const studentId = (await student.request<TMeResponse>("GET", "/api/me")).body.id;
    const created = await student.request<TSession>("POST", "/api/sessions", {});
    assert.equal(created.status, 201);
    assert.equal((await student.waitUntilSettled(created.body.id)).status, "ready");
    const { client: admin } = await githubLogin(ADMIN);

    const banned = await admin.request<TAdminUser>("PATCH", `/api/admin/users/${studentId}`, { banned: true });
    assert.equal(banned.status, 200);
    assert.ok(banned.body.bannedAt);
    assert.equal(banned.body.activeSessions, 0);
    assert.equal((await student.request("GET", "/api/me")).status, 401, "their login ended");
    assert.deepEqual(await countLabelled(lab.server.instanceId, created.body.id), {
      containers: 0,
      networks: 0,
      volumes: 0,
    });

    const refused = await githubLogin(ATTENDEE);
    assert.equal(refused.landed.pathname, "/login");
    assert.equal(refused.landed.searchParams.get("error"), "account_banned");
    assert.equal((await refused.client.request("GET", "/api/me")).status, 401);

    const listed = await admin.request<TAdminUserList>("GET", "/api/admin/users?banned=true");
    assert.deepEqual(
      listed.body.users.map((u) => u.id),
      [studentId],
    );
    await admin.request("PATCH", `/api/admin/users/${studentId}`, { banned: false });
    const back = await githubLogin(ATTENDEE);
    assert.equal(back.landed.searchParams.get("error"), null);
    await waitFor("the unbanned user to be logged in", async () =>
      (await back.client.request("GET", "/api/me")).status === 200 ? true : undefined,
    );
  });
});

// Full browser logins in Chromium: GitHub (a local stand-in process, since
// GitHub itself cannot be reached from tests) and Docker ID (the OIDC preset,
// pointed at a real oidc-provider process).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import type { TMeResponse } from "@kubelab/shared";
import { launchBrowser } from "./support/browser";
import { ApiClient } from "./support/api-client";
import { useLoginProviders } from "./support/identity/login-fixture";
import { OAuthWalker } from "./support/identity/oauth-walker";
import { waitFor } from "./support/wait-for";

describe("login pages in Chromium", () => {
  let browser: Browser;
  const lab = useLoginProviders();

  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  async function freshPage(): Promise<Page> {
    const context = await browser.newContext();
    return context.newPage();
  }

  async function meIn(page: Page): Promise<TMeResponse> {
    return page.evaluate(async () => (await fetch("/api/me")).json() as Promise<TMeResponse>);
  }

  /** Signs in at the OIDC provider's own pages: its development login form, then consent. */
  async function loginAtOidcProvider(page: Page, login: string): Promise<void> {
    await page.locator("input[name=login]").fill(login);
    await page.locator("input[name=password]").fill("any password");
    await page.locator("button[type=submit]").click();
    await page.locator("button[type=submit]", { hasText: "Continue" }).click();
  }

  it("lists GitHub and Docker ID, and no guest form when providers are configured", async () => {
    const page = await freshPage();
    await page.goto(`${lab.publicUrl}/login`);
    assert.equal(await page.locator("[data-testid=login-with-github]").innerText(), "Continue with GitHub");
    assert.equal(await page.locator("[data-testid=login-with-dockerid]").innerText(), "Continue with Docker ID");
    assert.equal(await page.locator("[data-testid=guest-login-form]").count(), 0);
    await page.context().close();
  });

  it("logs in with GitHub and returns to the page that asked for a login", async () => {
    const page = await freshPage();
    await page.goto(`${lab.publicUrl}/lab/kubernetes-para-principiantes`);
    await page.waitForURL(/\/login\?next=/);
    await page.locator("[data-testid=login-with-github]").click();
    await page.waitForURL(`${lab.github.url}/login/oauth/authorize?**`);
    await page.locator("#authorize").click();
    await page.waitForURL(`${lab.publicUrl}/lab/kubernetes-para-principiantes`);
    assert.match(await page.locator("[data-testid=user-name]").innerText(), /The Octocat$/);
    // The GitHub avatar (served by the stand-in) is shown, really loaded, next to the name.
    const avatar = page.locator("header [data-testid=avatar]");
    assert.equal(await avatar.getAttribute("src"), `${lab.github.url}/avatars/u/583231`);
    await waitFor("the avatar to load", async () =>
      (await avatar.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)) > 0
        ? true
        : undefined,
    );
    const me = await meIn(page);
    assert.equal(me.provider, "github");
    assert.equal(me.login, "octocat");
    const cookies = await page.context().cookies(lab.publicUrl);
    const login = cookies.find((c) => c.name === "kubelab_session");
    assert.ok(login?.httpOnly && login.sameSite === "Lax");
    assert.equal(
      cookies.some((c) => c.name === "kubelab_login_state"),
      false,
    );
    await page.context().close();
  });

  it("logs in with Docker ID (OIDC), finds the same user again and refreshes the profile", async () => {
    const page = await freshPage();
    await page.goto(`${lab.publicUrl}/login`);
    await page.locator("[data-testid=login-with-dockerid]").click();
    await loginAtOidcProvider(page, "whale");
    await page.waitForURL(`${lab.publicUrl}/`);
    const first = await meIn(page);
    assert.equal(first.provider, "dockerid");
    assert.equal(first.name, "User whale");
    assert.equal(first.login, "whale");
    assert.equal(first.role, "attendee");
    // Its picture URL cannot load here (no internet): no broken image, just the name.
    assert.ok(first.avatarUrl?.startsWith("https://avatars.example.test/"));
    await page.locator("header [data-testid=avatar]").waitFor({ state: "detached", timeout: 10_000 });
    assert.match(await page.locator("[data-testid=user-name]").innerText(), /User whale$/);

    await lab.oidc.control("profile", { sub: "whale", name: "Moby Dock" });
    await page.locator("[data-testid=logout]").click();
    await page.locator("[data-testid=login-link]").waitFor();
    await page.goto(`${lab.publicUrl}/login`);
    await page.locator("[data-testid=login-with-dockerid]").click();
    // The provider remembers its own session; it may go straight back or ask again.
    await page.waitForURL((url) => url.origin === lab.publicUrl || url.origin === lab.oidc.url);
    if (new URL(page.url()).origin === lab.oidc.url) await loginAtOidcProvider(page, "whale");
    await page.waitForURL(`${lab.publicUrl}/`);
    const second = await meIn(page);
    assert.equal(second.id, first.id, "same provider + sub, same user");
    assert.equal(second.name, "Moby Dock");
    await page.context().close();
  });

  it("refuses an ID token whose nonce is not the one Kubelab sent, with a page that offers a retry", async () => {
    await lab.oidc.control("forge-nonce", { forge: true });
    const page = await freshPage();
    try {
      await page.goto(`${lab.publicUrl}/login?next=/lab/kubernetes-para-principiantes`);
      await page.locator("[data-testid=login-with-dockerid]").click();
      await loginAtOidcProvider(page, "mallory");
      await page.waitForURL(`${lab.publicUrl}/login?**`);
      const notice = page.locator("[data-testid=login-error-notice]");
      assert.equal(await notice.getAttribute("data-code"), "oauth_state_invalid");
      assert.match(await notice.innerText(), /could not be verified/);
      assert.equal(await page.evaluate(async () => (await fetch("/api/me")).status), 401);
    } finally {
      await lab.oidc.control("forge-nonce", { forge: false });
    }
    await page.locator("[data-testid=login-retry]").click();
    await page.locator("[data-testid=login-with-dockerid]").click();
    await page.waitForURL((url) => url.origin === lab.publicUrl || url.origin === lab.oidc.url);
    if (new URL(page.url()).origin === lab.oidc.url) await loginAtOidcProvider(page, "mallory");
    await page.waitForURL(`${lab.publicUrl}/lab/kubernetes-para-principiantes`);
    assert.equal((await meIn(page)).login, "mallory");
    await page.context().close();
  });

  it("explains a cancelled GitHub consent in Spanish too, and the retry works", async () => {
    const page = await freshPage();
    await page.context().addCookies([{ name: "kubelab_lang", value: "es", url: lab.publicUrl }]);
    await page.goto(`${lab.publicUrl}/login`);
    await page.locator("[data-testid=login-with-github]").click();
    await page.locator("#cancel").click();
    await page.waitForURL(`${lab.publicUrl}/login?error=oauth_denied`);
    const notice = page.locator("[data-testid=login-error-notice]");
    assert.match(await notice.innerText(), /Se canceló el inicio de sesión/);
    await page.locator("[data-testid=login-retry]").click();
    await page.locator("[data-testid=login-with-github]").click();
    await page.locator("#authorize").click();
    await page.waitForURL(`${lab.publicUrl}/`);
    assert.equal((await meIn(page)).login, "octocat");
    await page.context().close();
  });

  it("gives admins a users page to change roles and ban, and hides it from everyone else", async () => {
    // An attendee logs in over HTTP through the GitHub stand-in.
    await lab.github.control("user", { id: 7070, login: "learner", name: "Learner Lee" });
    const walker = new OAuthWalker(lab.publicUrl);
    await walker.callback(await walker.decideAtGithub(await walker.start("github"), "allow"));
    await lab.github.control("user", { id: 583231, login: "octocat", name: "The Octocat" });
    const learner = new ApiClient(lab.publicUrl);
    learner.setCookieHeader(`kubelab_session=${walker.cookies.get("kubelab_session")}`);
    assert.equal((await learner.request("GET", "/api/me")).status, 200);

    const page = await freshPage();
    await page
      .context()
      .addCookies([{ name: "kubelab_session", value: walker.cookies.get("kubelab_session")!, url: lab.publicUrl }]);
    const forbidden = await page.goto(`${lab.publicUrl}/admin/users`);
    assert.equal(forbidden?.status(), 404, "attendees do not see the admin page");
    const forbiddenSecurity = await page.goto(`${lab.publicUrl}/admin/security`);
    assert.equal(forbiddenSecurity?.status(), 404, "nor the node security page");
    assert.equal(await page.locator("[data-testid=admin-users-link]").count(), 0);
    await page.context().clearCookies();

    // The admin (ADMINS=github:583231) logs in in the browser and uses the page.
    await page.goto(`${lab.publicUrl}/login`);
    await page.locator("[data-testid=login-with-github]").click();
    await page.locator("#authorize").click();
    await page.waitForURL(`${lab.publicUrl}/`);
    await page.locator("[data-testid=admin-users-link]").click();
    await page.waitForURL(`${lab.publicUrl}/admin/users`);
    await page.locator("[data-testid=admin-user-row][data-login=octocat] [data-testid=avatar]").waitFor();
    const row = page.locator("[data-testid=admin-user-row][data-login=learner]");
    await row.locator("[data-testid=admin-role-select]").selectOption("instructor");
    await waitForRole(learner, "instructor");
    page.once("dialog", (dialog) => void dialog.accept());
    await row.locator("[data-testid=admin-ban]").click();
    await row.locator("[data-testid=admin-banned-badge]").waitFor();
    assert.equal((await learner.request("GET", "/api/me")).status, 401, "the ban ended their login");
    assert.equal(
      await page.locator("[data-testid=admin-user-row][data-login=octocat] [data-testid=admin-ban]").count(),
      0,
      "admins cannot ban themselves from the page",
    );

    // The node security page states the active profile and what root in a node can still do.
    await page.locator("[data-testid=admin-nav-security]").click();
    await page.waitForURL(`${lab.publicUrl}/admin/security`);
    assert.equal(
      await page.locator("[data-testid=security-active-profile]").getAttribute("data-profile"),
      "capabilities",
    );
    assert.equal(await page.locator("[data-testid=admin-nav-security]").getAttribute("aria-current"), "page");
    const risks = page.locator("[data-testid=security-risks] li");
    const riskCodes: (string | null)[] = [];
    for (let i = 0; i < (await risks.count()); i++) riskCodes.push(await risks.nth(i).getAttribute("data-risk"));
    assert.deepEqual(riskCodes, ["shared_kernel", "sys_admin_remount", "internet_egress"]);
    assert.match((await risks.first().textContent()) ?? "", /share the host's kernel/);
    await page.context().close();
  });
});

async function waitForRole(client: ApiClient, role: TMeResponse["role"]): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if ((await client.request<TMeResponse>("GET", "/api/me")).body.role === role) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`role did not become ${role}`);
}

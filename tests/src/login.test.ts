// Login with GitHub and OpenID Connect at the HTTP level, against the real
// server and database. GitHub is a local stand-in process (GitHub itself cannot
// be reached from tests); the OIDC provider is the real oidc-provider package.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TApiErrorBody, TLoginProvidersResponse, TMeResponse } from "@kubelab/shared";
import { ApiClient } from "./support/api-client";
import { GITHUB_ADMIN_ID, useLoginProviders } from "./support/identity/login-fixture";
import { OAuthWalker } from "./support/identity/oauth-walker";

interface GithubStats {
  tokenRequests: number;
  refusedCodes: number;
}

describe("login with GitHub (HTTP level)", () => {
  const lab = useLoginProviders({ GUEST_LOGIN: "true" });

  const walker = (): OAuthWalker => new OAuthWalker(lab.publicUrl);
  const me = async (w: OAuthWalker): Promise<{ status: number; body: TMeResponse }> => {
    const client = new ApiClient(lab.publicUrl);
    client.setCookieHeader(w.cookieHeader);
    return client.request<TMeResponse>("GET", "/api/me");
  };
  const stats = async (): Promise<GithubStats> => (await lab.github.control("stats", {})) as GithubStats;
  const loginWithGithub = async (w: OAuthWalker, next = "/"): Promise<URL> =>
    w.callback(await w.decideAtGithub(await w.start("github", next), "allow"));

  it("lists the configured providers, with guest login only because it is switched on", async () => {
    const res = await new ApiClient(lab.publicUrl).request<TLoginProvidersResponse>("GET", "/api/auth/providers");
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      providers: [
        { id: "github", name: "GitHub", kind: "github" },
        { id: "dockerid", name: "Docker ID", kind: "oidc" },
      ],
      guest: true,
    });
  });

  it("sends the browser to GitHub with state, PKCE and the registered callback", async () => {
    const w = walker();
    const authorize = await w.start("github");
    assert.equal(authorize.origin + authorize.pathname, `${lab.github.url}/login/oauth/authorize`);
    const p = authorize.searchParams;
    assert.equal(p.get("redirect_uri"), `${lab.publicUrl}/api/auth/github/callback`);
    assert.equal(p.get("code_challenge_method"), "S256");
    assert.match(p.get("state") ?? "", /^[A-Za-z0-9_-]{43}$/);
    assert.equal(p.get("scope"), "read:user,user:email");
    assert.equal(w.cookies.get("kubelab_login_state"), p.get("state"), "the state is bound to this browser");
  });

  it("logs in, creates the user once, refreshes the profile, and makes ADMINS entries admin", async () => {
    const w = walker();
    const landed = await loginWithGithub(w, "/lab/kubernetes-para-principiantes");
    assert.equal(landed.pathname, "/lab/kubernetes-para-principiantes");
    assert.equal(w.cookies.has("kubelab_login_state"), false, "the state cookie is cleared");
    const first = await me(w);
    assert.equal(first.status, 200);
    assert.equal(first.body.provider, "github");
    assert.equal(first.body.login, "octocat");
    assert.equal(first.body.name, "The Octocat");
    assert.equal(first.body.role, "admin", `ADMINS=github:${GITHUB_ADMIN_ID}`);
    assert.equal(first.body.avatarUrl, `${lab.github.url}/avatars/u/${GITHUB_ADMIN_ID}`);

    // Same GitHub id, new name and login: the same Kubelab user, profile updated.
    // An avatar that is not an http(s) URL is not kept: pages put it in an <img src>.
    await lab.github.control("user", {
      name: "Mona Renamed",
      login: "mona-renamed",
      avatar_url: "javascript:alert(document.cookie)",
    });
    const again = walker();
    await loginWithGithub(again);
    const second = await me(again);
    assert.equal(second.body.id, first.body.id);
    assert.equal(second.body.name, "Mona Renamed");
    assert.equal(second.body.login, "mona-renamed");
    assert.equal(second.body.avatarUrl, null);
    await lab.github.control("user", { name: "The Octocat", login: "octocat", avatar_url: first.body.avatarUrl });
  });

  it("sets the login cookie HttpOnly, SameSite=Lax, host-wide, and replaces any earlier login", async () => {
    const w = walker();
    const guest = new ApiClient(lab.publicUrl);
    await guest.loginAsGuest("Before Login");
    const planted = guest.cookieHeader!;
    w.cookies.set("kubelab_session", planted.split("=")[1]!);
    const authorize = await w.start("github");
    const callback = await w.decideAtGithub(authorize, "allow");
    const res = await w.get(callback.toString());
    const cookie = res.setCookies.find((c) => c.startsWith("kubelab_session=")) ?? "";
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.match(cookie, /Path=\//);
    assert.doesNotMatch(cookie, /Domain=/i, "host-only: port hosts must not receive it");
    assert.notEqual(w.cookies.get("kubelab_session"), planted.split("=")[1], "a new session id at login");
    const old = new ApiClient(lab.publicUrl);
    old.setCookieHeader(planted);
    assert.equal((await old.request("GET", "/api/me")).status, 401, "the session from before login is gone");
  });

  it("refuses a callback without state, with a state from another browser, or with no state cookie", async () => {
    const before = await stats();
    const w = walker();
    const callback = await w.decideAtGithub(await w.start("github"), "allow");
    const code = callback.searchParams.get("code")!;

    const noState = await w.callback(`${lab.publicUrl}/api/auth/github/callback?code=${code}`);
    assert.equal(noState.searchParams.get("error"), "oauth_state_invalid");

    const other = walker();
    await other.start("github");
    const swapped = new URL(callback);
    swapped.searchParams.set("state", other.cookies.get("kubelab_login_state")!);
    assert.equal((await w.callback(swapped)).searchParams.get("error"), "oauth_state_invalid");

    const cookieless = walker();
    assert.equal((await cookieless.callback(callback)).searchParams.get("error"), "oauth_state_invalid");
    assert.equal((await stats()).tokenRequests, before.tokenRequests, "no code was exchanged for a token");
    assert.equal((await me(w)).status, 401);
  });

  it("refuses a replayed callback and a replayed code", async () => {
    const w = walker();
    const callback = await w.decideAtGithub(await w.start("github"), "allow");
    const state = w.cookies.get("kubelab_login_state")!;
    assert.equal((await w.callback(callback)).searchParams.get("error"), null);
    const loggedIn = w.cookies.get("kubelab_session");

    // The same callback again, cookie restored: the attempt was used up.
    w.cookies.set("kubelab_login_state", state);
    assert.equal((await w.callback(callback)).searchParams.get("error"), "oauth_state_invalid");

    // The old code with a fresh, valid state: GitHub refuses the code, Kubelab refuses the login.
    const before = await stats();
    const fresh = walker();
    const freshState = new URL(await fresh.start("github")).searchParams.get("state")!;
    const replay = new URL(callback);
    replay.searchParams.set("state", freshState);
    assert.equal((await fresh.callback(replay)).searchParams.get("error"), "oauth_provider_error");
    assert.equal((await stats()).refusedCodes, before.refusedCodes + 1);
    assert.equal((await me(fresh)).status, 401);
    assert.equal(w.cookies.get("kubelab_session"), loggedIn);
  });

  it("explains a denied consent and keeps where the user was going", async () => {
    const w = walker();
    const callback = await w.decideAtGithub(await w.start("github", "/lab/kubernetes-para-principiantes"), "deny");
    const landed = await w.callback(callback);
    assert.equal(landed.pathname, "/login");
    assert.equal(landed.searchParams.get("error"), "oauth_denied");
    assert.equal(landed.searchParams.get("next"), "/lab/kubernetes-para-principiantes");
    assert.equal((await me(w)).status, 401);
  });

  it("reports GitHub being down as a provider error, and works again once it is back", async () => {
    const w = walker();
    const authorize = await w.start("github");
    const callback = await w.decideAtGithub(authorize, "allow");
    await lab.github.control("down", { down: true });
    try {
      assert.equal((await w.callback(callback)).searchParams.get("error"), "oauth_provider_error");
    } finally {
      await lab.github.control("down", { down: false });
    }
    await loginWithGithub(w);
    assert.equal((await me(w)).status, 200);
  });

  it("never redirects off-site after login", async () => {
    for (const next of ["https://evil.example/", "//evil.example/x", "/\\evil.example", "/ok\r\nSet-Cookie: x=y"]) {
      const w = walker();
      const landed = await loginWithGithub(w, next);
      assert.equal(landed.origin, lab.publicUrl, next);
      assert.equal(landed.pathname, "/", next);
    }
  });

  it("answers 404 for a provider that is not configured", async () => {
    const res = await walker().get(`${lab.publicUrl}/api/auth/gitlab/login`);
    assert.equal(res.status, 404);
    assert.equal((JSON.parse(res.body) as TApiErrorBody).error.code, "not_found");
  });
});

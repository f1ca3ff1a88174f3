/**
 * Walks an OAuth login the way a browser does, one redirect at a time, with a
 * cookie jar for Kubelab's origin. API-level login tests use it to replay,
 * drop or swap individual steps, which a real browser cannot be made to do.
 */
export class OAuthWalker {
  readonly cookies = new Map<string, string>();

  constructor(readonly kubelabUrl: string) {}

  /** The Cookie header for Kubelab (as an ApiClient's setCookieHeader wants it). */
  get cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /** GET without following redirects; Set-Cookie from Kubelab goes into the jar. */
  async get(url: string): Promise<{ status: number; location: string | null; body: string; setCookies: string[] }> {
    const isKubelab = url.startsWith(this.kubelabUrl);
    const res = await fetch(url, {
      redirect: "manual",
      headers: isKubelab && this.cookies.size ? { cookie: this.cookieHeader } : {},
    });
    const setCookies = res.headers.getSetCookie();
    if (isKubelab) this.remember(setCookies);
    return { status: res.status, location: res.headers.get("location"), body: await res.text(), setCookies };
  }

  /** Starts a login at Kubelab; returns the provider URL it redirects to. */
  async start(provider: string, next = "/"): Promise<URL> {
    const res = await this.get(`${this.kubelabUrl}/api/auth/${provider}/login?next=${encodeURIComponent(next)}`);
    if (res.status !== 302 || !res.location) throw new Error(`login did not redirect: ${res.status} ${res.body}`);
    return new URL(res.location);
  }

  /** At the GitHub stand-in: submits the consent form and returns the callback URL it redirects to. */
  async decideAtGithub(authorizeUrl: URL, decision: "allow" | "deny"): Promise<URL> {
    const page = await fetch(authorizeUrl);
    if (!page.ok) throw new Error(`authorize page: ${page.status} ${await page.text()}`);
    const p = authorizeUrl.searchParams;
    const form = new URLSearchParams({
      decision,
      redirect_uri: p.get("redirect_uri") ?? "",
      state: p.get("state") ?? "",
      code_challenge: p.get("code_challenge") ?? "",
      code_challenge_method: p.get("code_challenge_method") ?? "",
    });
    const res = await fetch(new URL("/login/oauth/authorize", authorizeUrl), {
      method: "POST",
      body: form,
      redirect: "manual",
    });
    const location = res.headers.get("location");
    if (res.status !== 302 || !location) throw new Error(`consent did not redirect: ${res.status}`);
    return new URL(location);
  }

  /** Follows the callback at Kubelab; returns where Kubelab sends the browser next. */
  async callback(callbackUrl: URL | string): Promise<URL> {
    const res = await this.get(callbackUrl.toString());
    if (res.status !== 302 || !res.location) throw new Error(`callback did not redirect: ${res.status} ${res.body}`);
    return new URL(res.location, this.kubelabUrl);
  }

  private remember(setCookies: string[]): void {
    for (const header of setCookies) {
      const [pair = "", ...attributes] = header.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const cleared = !value || attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (cleared) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

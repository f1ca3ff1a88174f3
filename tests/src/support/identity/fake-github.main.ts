// A stand-in for GitHub's OAuth endpoints and REST API, run as its own process
// by the login tests. GitHub itself cannot run here, so this implements what
// Kubelab uses of it, with GitHub's behaviour where it matters: the redirect
// URI must match the registered callback, codes are single-use and bound to
// the PKCE challenge, and errors come back as 200 + {"error": ...} as GitHub's
// token endpoint does. Test-only knobs live under /_control.
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import { readParams, sendJson } from "./json-body";

interface GithubUser {
  id: number;
  login: string;
  name: string | null;
  avatar_url: string;
  email: string | null;
}

interface IssuedCode {
  redirectUri: string;
  challenge: string | undefined;
  user: GithubUser;
  used: boolean;
}

const CLIENT_ID = process.env.FAKE_GITHUB_CLIENT_ID ?? "";
const CLIENT_SECRET = process.env.FAKE_GITHUB_CLIENT_SECRET ?? "";
const CALLBACK_URL = process.env.FAKE_GITHUB_CALLBACK_URL ?? "";

let user: GithubUser = {
  id: 583231,
  login: "octocat",
  name: "The Octocat",
  // Set to this server's own /avatars/ URL once it listens, so pages can really load it.
  avatar_url: "",
  email: "octocat@example.test",
};
let down = false;
const codes = new Map<string, IssuedCode>();
const tokens = new Map<string, GithubUser>();
const stats = { tokenRequests: 0, refusedCodes: 0 };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function authorizePage(params: URLSearchParams): string {
  const hidden = ["redirect_uri", "state", "code_challenge", "code_challenge_method"]
    .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(params.get(name) ?? "")}">`)
    .join("");
  return `<!doctype html><title>Authorize application</title>
<h1>Authorize Kubelab</h1><p>Signed in as <b id="login">${escapeHtml(user.login)}</b></p>
<form method="post" action="/login/oauth/authorize">${hidden}
<button name="decision" value="allow" id="authorize">Authorize</button>
<button name="decision" value="deny" id="cancel">Cancel</button></form>`;
}

function redirectBack(res: http.ServerResponse, redirectUri: string, params: Record<string, string>): void {
  const target = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value) target.searchParams.set(key, value);
  res.writeHead(302, { location: target.href });
  res.end();
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://fake-github");
  if (url.pathname.startsWith("/_control/")) return control(url.pathname.slice(10), req, res);
  if (down) return sendJson(res, 503, { message: "GitHub is down (test)" });

  if (url.pathname === "/login/oauth/authorize" && req.method === "GET") {
    const p = url.searchParams;
    if (p.get("client_id") !== CLIENT_ID) return sendJson(res, 404, { message: "unknown client_id" });
    if (p.get("redirect_uri") !== CALLBACK_URL) {
      return sendJson(res, 400, { message: "The redirect_uri is not associated with this application." });
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(authorizePage(p));
    return;
  }
  if (url.pathname === "/login/oauth/authorize" && req.method === "POST") {
    const form = await readParams(req);
    const redirectUri = form.redirect_uri ?? "";
    if (redirectUri !== CALLBACK_URL) return sendJson(res, 400, { message: "bad redirect_uri" });
    if (form.decision !== "allow") {
      return redirectBack(res, redirectUri, {
        error: "access_denied",
        error_description: "The user has denied your application access.",
        state: form.state ?? "",
      });
    }
    const code = randomBytes(10).toString("hex");
    codes.set(code, { redirectUri, challenge: form.code_challenge || undefined, user: { ...user }, used: false });
    return redirectBack(res, redirectUri, { code, state: form.state ?? "" });
  }
  if (url.pathname === "/login/oauth/access_token" && req.method === "POST") {
    stats.tokenRequests += 1;
    const form = await readParams(req);
    const issued = codes.get(form.code ?? "");
    const verifierOk =
      !issued?.challenge ||
      createHash("sha256")
        .update(form.code_verifier ?? "")
        .digest("base64url") === issued.challenge;
    if (form.client_id !== CLIENT_ID || form.client_secret !== CLIENT_SECRET) {
      return sendJson(res, 200, { error: "incorrect_client_credentials" });
    }
    if (!issued || issued.used || issued.redirectUri !== form.redirect_uri || !verifierOk) {
      stats.refusedCodes += 1;
      return sendJson(res, 200, {
        error: "bad_verification_code",
        error_description: "The code passed is incorrect or expired.",
      });
    }
    issued.used = true;
    const token = `gho_${randomBytes(16).toString("hex")}`;
    tokens.set(token, issued.user);
    return sendJson(res, 200, { access_token: token, token_type: "bearer", scope: "read:user,user:email" });
  }
  // GitHub serves avatars from its own host; one small SVG per id stands in for them.
  const avatar = /^\/avatars\/u\/([0-9]+)$/.exec(url.pathname);
  if (avatar && req.method === "GET") {
    res.writeHead(200, { "content-type": "image/svg+xml", "cache-control": "max-age=60" });
    res.end(
      `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="#${avatar[1]!.slice(0, 6).padEnd(6, "0")}"/></svg>`,
    );
    return;
  }
  const auth = /^(?:token|Bearer) (.+)$/i.exec(req.headers.authorization ?? "");
  const owner = auth ? tokens.get(auth[1]!) : undefined;
  if (url.pathname === "/user" || url.pathname === "/user/emails") {
    if (!owner) return sendJson(res, 401, { message: "Bad credentials" });
    if (url.pathname === "/user") return sendJson(res, 200, owner);
    return sendJson(res, 200, owner.email ? [{ email: owner.email, primary: true, verified: true }] : []);
  }
  sendJson(res, 404, { message: "Not Found" });
}

async function control(action: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const body = (await readParams(req)) as unknown as Record<string, unknown>;
  if (action === "user") user = { ...user, ...(body as Partial<GithubUser>) };
  else if (action === "down") down = body.down === true;
  else if (action !== "stats") return sendJson(res, 404, { message: "unknown control" });
  sendJson(res, 200, { user, down, ...stats });
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((error: Error) => sendJson(res, 500, { message: error.message }));
});
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as { port: number };
  user.avatar_url = `http://127.0.0.1:${port}/avatars/u/${user.id}`;
  console.log(`LISTENING ${port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));

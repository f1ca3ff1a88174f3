// A real OpenID Connect provider (the oidc-provider package, certified
// upstream) standing in for Docker ID in the login tests, run as its own
// process. Its built-in development login accepts any login name as the
// subject; profiles come from /_control/profile so tests can change them
// between logins. /_control/forge-nonce makes it sign ID tokens with a nonce
// Kubelab never sent, to stand in for a provider answering another login.
import http from "node:http";
import Provider from "oidc-provider";
import { readParams, sendJson } from "./json-body";

interface Profile {
  name: string;
  preferred_username: string;
  email: string;
  picture: string;
}

const CLIENT_ID = process.env.OIDC_TEST_CLIENT_ID ?? "";
const CLIENT_SECRET = process.env.OIDC_TEST_CLIENT_SECRET ?? "";
const REDIRECT_URI = process.env.OIDC_TEST_REDIRECT_URI ?? "";

const profiles = new Map<string, Partial<Profile>>();
let forgeNonce = false;

function profileFor(sub: string): Profile {
  return {
    name: `User ${sub}`,
    preferred_username: sub,
    email: `${sub}@example.test`,
    picture: `https://avatars.example.test/${sub}.png`,
    ...profiles.get(sub),
  };
}

let provider: Provider | undefined;

const server = http.createServer((req, res) => {
  if (req.url?.startsWith("/_control/")) {
    void control(req.url.slice(10), req, res).catch((error: Error) => sendJson(res, 500, { message: error.message }));
    return;
  }
  void provider!.callback()(req, res);
});

async function control(action: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const body = (await readParams(req)) as unknown as Record<string, unknown>;
  if (action === "profile") profiles.set(String(body.sub), body);
  else if (action === "forge-nonce") forgeNonce = body.forge === true;
  else return sendJson(res, 404, { message: "unknown control" });
  sendJson(res, 200, { ok: true });
}

server.listen(0, "127.0.0.1", () => {
  const port = (server.address() as { port: number }).port;
  provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [REDIRECT_URI],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    claims: {
      openid: ["sub"],
      profile: ["name", "preferred_username", "picture"],
      email: ["email", "email_verified"],
    },
    findAccount: (_ctx, sub) => ({
      accountId: sub,
      claims: () => ({ sub, email_verified: true, ...profileFor(sub) }),
    }),
    pkce: { required: () => true },
    cookies: { keys: ["kubelab-test-cookie-key"] },
    features: { devInteractions: { enabled: true } },
  });
  const idToken = provider.IdToken.prototype as unknown as {
    issue: (this: { extra: Record<string, unknown> }, options: { use: string }) => Promise<string>;
  };
  const issue = idToken.issue;
  idToken.issue = function (options) {
    if (forgeNonce && options.use === "idtoken") this.extra.nonce = "a-nonce-kubelab-never-sent";
    return issue.call(this, options);
  };
  console.log(`LISTENING ${port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));

// What goes over the wire around the port proxy: apps' headers are parsed strictly and filtered on
// both paths (plain responses, WebSocket 101 answers); the platform's own responses carry security
// headers that port responses never get; oversized bodies get 413. Real server, node, Chromium.
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import type { TApiErrorBody } from "@kubelab/shared";
import { launchBrowser } from "./support/browser";
import { KUBELAB_DATA_PATH_ONLY } from "./support/data-plane";
import { removeInstanceObjects } from "./support/docker-objects";
import { freePort } from "./support/free-port";
import { KubelabServer } from "./support/kubelab-server";
import { useKubelab } from "./support/lab-fixture";
import { HEADER_ECHO_APP, MALFORMED_HEADERS_APP, startNodeApp } from "./support/node-apps";
import { rawRequest } from "./support/raw-http";
import { startTestDatabase, type TestDatabase } from "./support/test-database";
import { waitFor } from "./support/wait-for";

const ECHO_PORT = 8000;
const TRICK_PORT = 8002;
const TRICKS = ["space", "tab", "fold", "fold-cookie", "lf", "cr"];
const container = (sessionId: string, node: string): string => `kubelab-${sessionId}-${node}`;

/** Sends a raw request and returns every byte the server sends back: the head of a 101, else all until close. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    let received = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within 10 s; got ${JSON.stringify(received)}`));
    }, 10_000);
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      if (received.startsWith("HTTP/1.1 101 ") && received.includes("\r\n\r\n")) socket.destroy();
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.on("error", reject);
    socket.write(request);
  });
}

function upgradeRequest(path: string, host: string, cookie: string): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
    `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nCookie: ${cookie}\r\n\r\n`
  );
}

const SECURITY_HEADERS = ["x-frame-options", "x-content-type-options", "referrer-policy", "strict-transport-security"];

describe("port proxy, security headers and body limits", () => {
  const lab = useKubelab({ env: { WEB_ENABLED: "true" }, withReadySession: true, browserOrigin: true });
  const pathOf = (p: number, rest: string): string => `/ports/${lab.session.id}/node1/${p}${rest}`;
  const host = (): string => new URL(lab.publicUrl).host;

  before(async () => {
    await startNodeApp(container(lab.session.id, "node1"), HEADER_ECHO_APP, ECHO_PORT);
    await startNodeApp(container(lab.session.id, "node1"), MALFORMED_HEADERS_APP, TRICK_PORT);
    await waitFor("the apps in node1 to listen", async () => {
      const cookie = lab.owner.cookieHeader ?? "";
      const [echo, tricks] = await Promise.all([
        rawRequest(lab.server.port, { path: pathOf(ECHO_PORT, "/"), headers: { cookie } }),
        rawRequest(lab.server.port, { path: pathOf(TRICK_PORT, "/http/clean"), headers: { cookie } }),
      ]);
      return echo.status === 200 && tricks.status === 200 ? true : undefined;
    });
  });

  it(
    "refuses WebSocket answers with malformed header lines (502) and filters well-formed ones",
    KUBELAB_DATA_PATH_ONLY,
    async () => {
      const cookie = lab.owner.cookieHeader ?? "";
      for (const trick of TRICKS) {
        const answer = await rawExchange(
          lab.server.port,
          upgradeRequest(pathOf(TRICK_PORT, `/ws/${trick}`), host(), cookie),
        );
        assert.match(answer, /^HTTP\/1\.1 502 /, `${trick}: ${answer}`);
        assert.doesNotMatch(answer, /set-cookie/i, trick);
        const body = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)) as TApiErrorBody;
        assert.equal(body.error.code, "port_bad_response", trick);
      }
      const clean = await rawExchange(lab.server.port, upgradeRequest(pathOf(TRICK_PORT, "/ws/clean"), host(), cookie));
      assert.match(clean, /^HTTP\/1\.1 101 /, clean);
      const cookies = clean.split("\r\n").filter((line) => /^set-cookie/i.test(line));
      assert.deepEqual(cookies, [`set-cookie: plain=1; Path=${pathOf(TRICK_PORT, "/")}`]);
      // An app that answers the upgrade with an ordinary response: passed on through the same filter.
      const declined = await rawExchange(
        lab.server.port,
        upgradeRequest(pathOf(TRICK_PORT, "/http/clean"), host(), cookie),
      );
      assert.match(declined, /^HTTP\/1\.1 200 OK\r\n/, declined);
      assert.deepEqual(
        declined.split("\r\n").filter((line) => /^set-cookie/i.test(line)),
        [`set-cookie: plain=1; Path=${pathOf(TRICK_PORT, "/")}`],
      );
      assert.match(declined, /\r\nconnection: close\r\n/i);
      assert.ok(declined.endsWith("\r\n\r\nok"), declined);
    },
  );

  it("refuses plain responses with the same malformed header lines (502)", KUBELAB_DATA_PATH_ONLY, async () => {
    for (const trick of TRICKS) {
      const res = await rawRequest(lab.server.port, {
        path: pathOf(TRICK_PORT, `/http/${trick}`),
        headers: { cookie: lab.owner.cookieHeader ?? "", accept: "application/json" },
      });
      assert.equal(res.status, 502, `${trick}: ${res.body}`);
      assert.equal(res.headers["set-cookie"], undefined, trick);
      assert.equal((JSON.parse(res.body) as TApiErrorBody).error.code, "port_bad_response", trick);
    }
  });

  it(
    "never lets Chromium store a cookie from a malformed WebSocket or HTTP answer",
    KUBELAB_DATA_PATH_ONLY,
    async () => {
      const browser = await launchBrowser();
      try {
        const context = await browser.newContext();
        const [name = "", value = ""] = (lab.owner.cookieHeader ?? "").split("=");
        await context.addCookies([{ name, value, url: lab.publicUrl }]);
        const page = await context.newPage();
        await page.goto(`${lab.publicUrl}/api/health`);
        const outcomes = await page.evaluate(
          async ({ base, tricks }) => {
            const results: string[] = [];
            for (const trick of tricks) {
              results.push(
                await new Promise<string>((resolve) => {
                  const ws = new WebSocket(`${base.replace(/^http/, "ws")}/ws/${trick}`);
                  ws.onopen = () => resolve(`${trick}: open`);
                  ws.onerror = () => resolve(`${trick}: refused`);
                }),
              );
              const res = await fetch(`${base}/http/${trick}`);
              results.push(`${trick}: http ${res.status}`);
            }
            return results;
          },
          { base: `${lab.publicUrl}${pathOf(TRICK_PORT, "")}`, tricks: TRICKS },
        );
        assert.deepEqual(
          outcomes,
          TRICKS.flatMap((t) => [`${t}: refused`, `${t}: http 502`]),
        );
        const stored = await context.cookies();
        assert.deepEqual(
          stored.map((c) => `${c.name}=${c.value}`),
          [`${name}=${value}`],
        );
      } finally {
        await browser.close();
      }
    },
  );

  it("sends security headers on pages, the API and static assets, and none on port responses", async () => {
    const home = await fetch(`${lab.server.url}/`);
    const html = await home.text();
    const asset = /\/_next\/static\/[^"']+\.js/.exec(html)?.[0];
    assert.ok(asset, "the home page links a static script");
    const platform = ["/", "/login", "/api/auth/providers", asset];
    for (const path of platform) {
      const res = await fetch(`${lab.server.url}${path}`);
      assert.equal(res.status, 200, path);
      assert.equal(
        res.headers.get("content-security-policy"),
        "frame-ancestors 'none'; object-src 'none'; base-uri 'self'",
        path,
      );
      assert.equal(res.headers.get("x-frame-options"), "DENY", path);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
      assert.equal(res.headers.get("referrer-policy"), "strict-origin-when-cross-origin", path);
      assert.equal(res.headers.get("strict-transport-security"), null, `${path}: no HSTS over an http PUBLIC_URL`);
    }
    const port = await rawRequest(lab.server.port, {
      path: pathOf(ECHO_PORT, "/"),
      headers: { cookie: lab.owner.cookieHeader ?? "" },
    });
    assert.equal(port.status, 200);
    for (const name of SECURITY_HEADERS) assert.equal(port.headers[name], undefined, name);
    // Only the path form's own sandbox policy, no frame-ancestors of the platform's.
    assert.match(String(port.headers["content-security-policy"]), /^sandbox allow-scripts[^,]*$/);
  });

  it("answers 413 payload_too_large to a 1 MiB JSON or form body, 400 to bad JSON", async () => {
    const big = JSON.stringify({ name: "x".repeat(1024 * 1024) });
    for (const [type, body] of [
      ["application/json", big],
      ["application/x-www-form-urlencoded", `name=${"x".repeat(1024 * 1024)}`],
    ] as const) {
      const res = await rawRequest(lab.server.port, {
        method: "POST",
        path: "/api/sessions",
        headers: { cookie: lab.owner.cookieHeader ?? "", "content-type": type },
        body,
      });
      assert.equal(res.status, 413, `${type}: ${res.body}`);
      const error = (JSON.parse(res.body) as TApiErrorBody).error;
      assert.equal(error.code, "payload_too_large");
      assert.match(error.message, /64 KiB/);
    }
    const bad = await rawRequest(lab.server.port, {
      method: "POST",
      path: "/api/sessions",
      headers: { cookie: lab.owner.cookieHeader ?? "", "content-type": "application/json" },
      body: "{not json",
    });
    assert.equal(bad.status, 400, bad.body);
    assert.equal((JSON.parse(bad.body) as TApiErrorBody).error.code, "bad_request");
  });
});

describe("HSTS under an https PUBLIC_URL", () => {
  let db: TestDatabase;
  let server: KubelabServer;

  before(async () => {
    db = await startTestDatabase();
    const port = await freePort();
    server = await KubelabServer.start({ databaseUrl: db.url, port, env: { PUBLIC_URL: `https://localhost:${port}` } });
  });

  after(async () => {
    await server?.stop();
    if (server) await removeInstanceObjects(server.instanceId);
    await db?.stop();
  });

  it("sends Strict-Transport-Security, even on a plain request from the TLS-terminating proxy", async () => {
    const res = await fetch(`${server.url}/api/auth/providers`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("strict-transport-security"), "max-age=31536000");
    assert.equal(res.headers.get("x-frame-options"), "DENY");
  });
});

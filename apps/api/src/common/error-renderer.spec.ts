import assert from "node:assert/strict";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
import { Logger, type LoggerService } from "@nestjs/common";
import { loadConfig } from "../config/app-config";
import { AppError } from "./app-error";
import { ErrorRenderer } from "./error-renderer.service";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Every level, so the test sees the log line of each error whatever its level.
const logged: string[] = [];
const capture: LoggerService = {
  log: (m: unknown) => void logged.push(String(m)),
  error: (m: unknown, stack?: string) => void logged.push(`${String(m)} ${stack ?? ""}`),
  warn: (m: unknown) => void logged.push(String(m)),
  debug: (m: unknown) => void logged.push(String(m)),
  verbose: (m: unknown) => void logged.push(String(m)),
};

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function idOf(res: Reply): string {
  const id = res.headers["x-request-id"];
  return typeof id === "string" ? id : "";
}

function collect(res: http.IncomingMessage): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("end", () =>
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
    );
    res.on("error", reject);
  });
}

describe("error renderer", () => {
  // Loopback is a trusted proxy here, so the incoming-id rule can be tested both ways.
  const trusting = new ErrorRenderer(loadConfig({ TRUSTED_PROXIES: "127.0.0.1" }));
  const plain = new ErrorRenderer(loadConfig({}));
  let renderer = plain;
  let failure: unknown;
  let options: Parameters<ErrorRenderer["http"]>[3];
  let server: http.Server;
  let port: number;

  before(async () => {
    Logger.overrideLogger(capture);
    server = http.createServer((req, res) => renderer.http(req, res, failure, options));
    server.on("upgrade", (req, socket) => renderer.socket(req, socket, failure));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.close();
    Logger.overrideLogger(false);
  });
  beforeEach(() => {
    renderer = plain;
    logged.length = 0;
    options = {};
  });

  function get(headers: Record<string, string> = {}): Promise<Reply> {
    return new Promise((resolve, reject) => {
      http
        .get({ host: "127.0.0.1", port, path: "/x?ticket=secret", headers, agent: false }, (res) => {
          collect(res).then(resolve, reject);
        })
        .on("error", reject);
    });
  }

  function upgrade(headers: Record<string, string> = {}): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = http.get({
        host: "127.0.0.1",
        port,
        path: "/ws",
        agent: false,
        headers: { connection: "Upgrade", upgrade: "websocket", ...headers },
      });
      req.on("response", (res) => void collect(res).then(resolve, reject));
      req.on("upgrade", () => reject(new Error("upgraded")));
      req.on("error", reject);
    });
  }

  it("answers API clients with the JSON body, a fresh request id and the same id in the log", async () => {
    failure = new AppError("quota_exceeded", "Too many");
    options = { format: "json" };
    const res = await get({ accept: "text/html" });
    assert.equal(res.status, 409);
    assert.match(res.headers["content-type"] ?? "", /^application\/json/);
    assert.deepEqual(JSON.parse(res.body), { error: { code: "quota_exceeded", message: "Too many" } });
    const id = idOf(res);
    assert.match(id, UUID);
    const line = logged.find((l) => l.includes(id));
    assert.ok(line, "the log names the request id");
    assert.match(line, /GET \/x -> 409 quota_exceeded/);
    assert.doesNotMatch(line, /secret/, "query strings (tickets) stay out of the log");
    assert.notEqual(idOf(await get()), id, "each error has its own id");
  });

  it("shows people the HTML page and programs that ask for it the JSON body", async () => {
    failure = new AppError("port_closed", "Nothing is listening on node1:8000 yet");
    options = { format: "negotiate", retry: true };
    const page = await get({ accept: "text/html,*/*" });
    assert.equal(page.status, 502);
    assert.match(page.headers["content-type"] ?? "", /^text\/html/);
    assert.equal(page.headers["content-security-policy"], "default-src 'none'; style-src 'unsafe-inline'");
    assert.match(page.body, /<h1>Nothing is listening on node1:8000 yet<\/h1>/);
    assert.match(page.body, /http-equiv="refresh"/);
    assert.match(idOf(page), UUID);
    const json = await get({ accept: "application/json" });
    assert.equal(json.status, 502);
    assert.deepEqual(JSON.parse(json.body), {
      error: { code: "port_closed", message: "Nothing is listening on node1:8000 yet" },
    });
    assert.match(idOf(json), UUID);
  });

  it("puts the same id in the body, the header and the logged stack of an unexpected error", async () => {
    failure = new TypeError("boom in the code");
    const res = await get();
    assert.equal(res.status, 500);
    const id = idOf(res);
    assert.equal((JSON.parse(res.body) as { error: { requestId?: string } }).error.requestId, id);
    assert.ok(logged.some((l) => l.includes(`request ${id}`) && l.includes("TypeError: boom in the code")));
  });

  it("sends Retry-After for rate limits", async () => {
    failure = new AppError("rate_limited", "Slow down", undefined, 1.5);
    const res = await get();
    assert.equal(res.status, 429);
    assert.equal(res.headers["retry-after"], "2");
  });

  it("keeps a trusted proxy's valid request id and ignores everyone else's", async () => {
    failure = new AppError("forbidden", "No");
    assert.match(idOf(await get({ "x-request-id": "proxy-id-1" })), UUID);
    renderer = trusting;
    assert.equal(idOf(await get({ "x-request-id": "proxy-id-1" })), "proxy-id-1");
    const forged = idOf(await get({ "x-request-id": "bad id;log" }));
    assert.match(forged, UUID, "ids that are not plain tokens are replaced");
  });

  it("refuses upgrades on the raw socket with a real status line, JSON body and request id", async () => {
    for (const [error, status, text] of [
      [new AppError("payload_too_large", "Too big"), 413, "Payload Too Large"],
      [new AppError("rate_limited", "Slow down"), 429, "Too Many Requests"],
      [new AppError("port_closed", "Nothing there"), 502, "Bad Gateway"],
      [new AppError("no_capacity", "Full"), 503, "Service Unavailable"],
      [new AppError("unauthenticated", "Log in first"), 401, "Unauthorized"],
    ] as const) {
      failure = error;
      logged.length = 0;
      const res = await upgrade();
      assert.equal(res.status, status);
      assert.equal(http.STATUS_CODES[status], text);
      assert.deepEqual(JSON.parse(res.body), { error: { code: error.code, message: error.message } });
      const id = idOf(res);
      assert.match(id, UUID);
      assert.ok(
        logged.some((l) => l.includes(id)),
        `log line for ${status}`,
      );
    }
  });
});

// Port forwarding: real server, real Docker nodes, real apps (python3) listening inside them.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import http from "node:http";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { TPortEntry, TPortList, TSession } from "@kubelab/shared";
import pg from "pg";
import WebSocket from "ws";
import type { ApiClient } from "./support/api-client";
import { docker, execIn, removeInstanceObjects } from "./support/docker-objects";
import { openEventStream } from "./support/event-stream-client";
import { freePort } from "./support/free-port";
import { KubelabServer } from "./support/kubelab-server";
import {
  HEADER_ECHO_APP,
  MALFORMED_HEADERS_APP,
  WEBSOCKET_ECHO_APP,
  downloadBody,
  largeDownloadApp,
  startNodeApp,
} from "./support/node-apps";
import { rawRequest, type RawResponse } from "./support/raw-http";
import { startTestDatabase, type TestDatabase } from "./support/test-database";
import { waitFor } from "./support/wait-for";

interface Echo {
  method: string;
  path: string;
  headers: Record<string, string>;
}

const container = (sessionId: string, node: string): string => `kubelab-${sessionId}-${node}`;
const DOWNLOAD_MIB = 24;
/** Node's server.keepAliveTimeout, which Kubelab keeps. */
const KEEP_ALIVE_MS = 5_000;
const PACED_DOWNLOAD_MIB = 12;
/** An app that answers with malformed header lines (node-apps.ts). */
const TRICK_PORT = 8004;
// An app the HAProxy-only tests stop.
const STOPPING_PORT = 8005;
// Lets the tests read /metrics on the main port.
const METRICS_TOKEN = "ports-test-metrics-token";

interface Download {
  status: number;
  bytes: number;
  digest: string;
}

/** A reader that stops reading for `ms` after every `every` bytes. */
interface Pauses {
  every: number;
  ms: number;
}
/**
 * About 12 MB/s: slow enough for the full-speed app that the socket buffers fill and the proxy's
 * writes to the client queue up.
 */
const SLOW_READER: Pauses = { every: 128 * 1024, ms: 10 };
/**
 * About 3 MB/s, slower than the paced app (8 KiB pieces): once the socket buffers are full, each
 * small read from the app arrives while the client's socket still queues earlier ones (below the
 * 64 KiB that pauses the app), which is when a read buffer must not be reused.
 */
const SLOWER_READER: Pauses = { every: 64 * 1024, ms: 20 };

/** One GET on its own connection, hashing the body as it arrives, read at full speed or with pauses. */
function download(port: number, path: string, headers: Record<string, string>, pauses?: Pauses): Promise<Download> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, headers, agent: false }, (res) => {
      const hash = createHash("sha256");
      let bytes = 0;
      let nextPause = pauses?.every ?? Infinity;
      res.on("data", (chunk: Buffer) => {
        hash.update(chunk);
        bytes += chunk.length;
        if (pauses && bytes >= nextPause) {
          nextPause += pauses.every;
          res.pause();
          setTimeout(() => res.resume(), pauses.ms);
        }
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, bytes, digest: hash.digest("hex") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

type DataPlane = "node" | "haproxy";

/** The pid of the HAProxy a Kubelab process started (under the shell that ends it with Kubelab). */
function haproxyUnder(serverPid: number): number | undefined {
  const rows = execFileSync("ps", ["-eo", "pid=,ppid=,comm="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .map(([pid, ppid, comm]) => ({ pid: Number(pid), ppid: Number(ppid), comm }));
  const shells = new Set(rows.filter((row) => row.ppid === serverPid).map((row) => row.pid));
  return rows.find((row) => shells.has(row.ppid) && row.comm === "haproxy")?.pid;
}

/** The folder of the HAProxy a Kubelab process started (configuration, map, admin socket). */
function haproxyFolder(serverPid: number): string {
  const pid = haproxyUnder(serverPid);
  assert.ok(pid, "HAProxy runs under the server");
  // Its command line is "haproxy -db -f <folder>/haproxy.cfg".
  const args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  return path.dirname(args[args.indexOf("-f") + 1]!);
}

/** Runs one command on the runtime API of the HAProxy a Kubelab process started; HAProxy's answer. */
async function haproxyAdmin(serverPid: number, command: string): Promise<string> {
  const socketPath = path.join(haproxyFolder(serverPid), "admin.sock");
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath, () => socket.end(`${command}\n`));
    let output = "";
    socket.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    socket.on("error", reject);
    socket.on("close", () => resolve(output));
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Every test of the data path runs twice: with Kubelab's own fast path and with HAProxy in front.
const portForwarding = (dataPlane: DataPlane) => (): void => {
  let db: TestDatabase;
  let server: KubelabServer;
  let port: number;
  let alice: ApiClient;
  let bob: ApiClient;
  let session: TSession;
  let bobSession: TSession;
  const planeIndependent =
    dataPlane === "haproxy" ? { skip: "not about the data path: runs with PORT_DATA_PLANE=node" } : {};

  const hostOf = (node: string, p: number, id = session.id): string => `${node}-${p}-${id}.localhost:${port}`;
  const pathOf = (node: string, p: number, rest = "/", id = session.id): string => `/ports/${id}/${node}/${p}${rest}`;
  const get = (path: string, headers: Record<string, string> = {}, host?: string): Promise<RawResponse> =>
    rawRequest(port, { path, headers, ...(host ? { host } : {}) });
  const cookieOf = (client: ApiClient): string => client.cookieHeader ?? "";

  /** The ticket flow a browser follows: platform /open → port host /__kubelab/auth → the port cookie. */
  async function portCookie(client: ApiClient, node: string, p: number): Promise<string> {
    const open = await get(`/api/sessions/${session.id}/nodes/${node}/ports/${p}/open?path=/echo`, {
      cookie: cookieOf(client),
    });
    assert.equal(open.status, 302, open.body);
    const location = new URL(open.headers.location ?? "");
    assert.equal(location.host, hostOf(node, p));
    assert.equal(location.pathname, "/__kubelab/auth");
    const auth = await get(`${location.pathname}${location.search}`, {}, location.host);
    assert.equal(auth.status, 302, auth.body);
    assert.equal(auth.headers.location, "/echo");
    const setCookie = auth.headers["set-cookie"]?.[0] ?? "";
    assert.match(setCookie, /^kubelab_port=[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
    return setCookie.split(";")[0]!;
  }

  before(async () => {
    db = await startTestDatabase();
    port = await freePort();
    server = await KubelabServer.start({
      databaseUrl: db.url,
      port,
      env: {
        PUBLIC_URL: `http://localhost:${port}`,
        SECRET_KEY: "test-secret-key-0123456789abcdef0123456789",
        PORT_DATA_PLANE: dataPlane,
        METRICS_TOKEN,
      },
    });
    alice = server.client();
    bob = server.client();
    await alice.loginAsGuest("Alice");
    await bob.loginAsGuest("Bob");
    [session, bobSession] = await Promise.all([alice.createSession(), bob.createSession()]);
    for (const [client, s] of [
      [alice, session],
      [bob, bobSession],
    ] as const) {
      const ready = await client.waitUntilSettled(s.id);
      assert.equal(ready.status, "ready", ready.reason ?? "");
    }
    await startNodeApp(container(session.id, "node1"), HEADER_ECHO_APP, 8000);
    await startNodeApp(container(session.id, "node1"), WEBSOCKET_ECHO_APP, 8001);
    await startNodeApp(container(bobSession.id, "node1"), HEADER_ECHO_APP, 8000);
    await startNodeApp(container(session.id, "node1"), largeDownloadApp(DOWNLOAD_MIB), 8002);
    await startNodeApp(
      container(session.id, "node1"),
      largeDownloadApp(PACED_DOWNLOAD_MIB, { pieceBytes: 8 * 1024, pauseMs: 1 }),
      8003,
    );
    await startNodeApp(container(session.id, "node1"), MALFORMED_HEADERS_APP, TRICK_PORT);
    await waitFor("the apps in node1 to listen", async () => {
      const res = await get(pathOf("node1", 8000, "/"), { cookie: cookieOf(alice) });
      return res.status === 200 ? true : undefined;
    });
  });

  after(async () => {
    await server?.stop();
    if (server) await removeInstanceObjects(server.instanceId);
    await db?.stop();
  });

  it("proxies the path form with the login cookie, stripped of platform cookies, inside a sandbox", async () => {
    const res = await get(pathOf("node1", 8000, "/echo?x=1"), {
      cookie: `${cookieOf(alice)}; kubelab_port=forged; theme=dark`,
      "x-forwarded-for": "6.6.6.6",
      "x-forwarded-host": "evil.example",
    });
    assert.equal(res.status, 200, res.body);
    const echo = JSON.parse(res.body) as Echo;
    assert.equal(echo.path, "/echo?x=1");
    assert.equal(echo.headers.cookie, "theme=dark");
    assert.equal(echo.headers["x-forwarded-for"], "127.0.0.1");
    assert.equal(echo.headers["x-forwarded-host"], `127.0.0.1:${port}`);
    assert.equal(echo.headers["x-forwarded-proto"], "http");
    assert.match(String(res.headers["content-security-policy"]), /^sandbox allow-scripts/);
    // Only the ordinary cookie survives, confined to the port's prefix.
    assert.deepEqual(res.headers["set-cookie"], [`app=ok; Path=/ports/${session.id}/node1/8000/`]);
  });

  it("redirects the bare prefix to the slash form and keeps app redirects inside the prefix", async () => {
    const bare = await get(pathOf("node1", 8000, "?a=b"), { cookie: cookieOf(alice) });
    assert.equal(bare.status, 308);
    assert.equal(bare.headers.location, pathOf("node1", 8000, "/?a=b"));
    const redirect = await get(pathOf("node1", 8000, "/redirect"), { cookie: cookieOf(alice) });
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.location, pathOf("node1", 8000, "/landed"));
  });

  it("proxies the host form after the ticket flow; the app sees neither platform cookie", async () => {
    const anonymousPage = await get("/echo", { accept: "text/html" }, hostOf("node1", 8000));
    assert.equal(anonymousPage.status, 302);
    assert.equal(
      anonymousPage.headers.location,
      `http://localhost:${port}/api/sessions/${session.id}/nodes/node1/ports/8000/open?path=%2Fecho`,
    );
    const anonymousJson = await get("/echo", { accept: "application/json" }, hostOf("node1", 8000));
    assert.equal(anonymousJson.status, 401);
    assert.equal((JSON.parse(anonymousJson.body) as { error: { code: string } }).error.code, "unauthenticated");

    const cookie = await portCookie(alice, "node1", 8000);
    const res = await get("/echo", { cookie: `${cookie}; ${cookieOf(alice)}; theme=dark` }, hostOf("node1", 8000));
    assert.equal(res.status, 200, res.body);
    const echo = JSON.parse(res.body) as Echo;
    assert.equal(echo.headers.cookie, "theme=dark");
    assert.equal(echo.headers.host, hostOf("node1", 8000));
    assert.equal(echo.headers["x-forwarded-host"], hostOf("node1", 8000));
    assert.deepEqual(res.headers["set-cookie"], ["app=ok; Path=/"]);
    assert.equal(res.headers["content-security-policy"], undefined);

    // The cookie is bound to its port: it opens nothing else.
    const otherPort = await get("/", { cookie, accept: "application/json" }, hostOf("node1", 8001));
    assert.equal(otherPort.status, 401);
    const otherNode = await get("/", { cookie, accept: "application/json" }, hostOf("node2", 8000));
    assert.equal(otherNode.status, 401);
  });

  it("refuses forged, expired-looking and misdirected tickets", async () => {
    const open = await get(`/api/sessions/${session.id}/nodes/node1/ports/8000/open`, { cookie: cookieOf(alice) });
    const location = new URL(open.headers.location ?? "");
    const onOtherPort = await get(
      `${location.pathname}${location.search}`,
      { accept: "application/json" },
      hostOf("node1", 9999),
    );
    assert.equal(onOtherPort.status, 403);
    const forged = await get(
      `/__kubelab/auth?ticket=${location.searchParams.get("ticket")}x&next=/`,
      {},
      location.host,
    );
    assert.equal(forged.status, 403);
    const offsite = new URL(location.href);
    offsite.searchParams.set("next", "//evil.example/");
    const sanitized = await get(`${offsite.pathname}${offsite.search}`, {}, location.host);
    assert.equal(sanitized.headers.location, "/");
    offsite.searchParams.set("next", "/x\r\nSet-Cookie: kubelab_session=planted");
    const injected = await get(`${offsite.pathname}${offsite.search}`, {}, location.host);
    assert.equal(injected.status, 302);
    assert.equal(injected.headers.location, "/");
  });

  it("proxies a WebSocket echo in both URL forms and filters the handshake's cookies", async () => {
    const cookie = await portCookie(alice, "node1", 8001);
    const cases = [
      { url: `ws://127.0.0.1:${port}${pathOf("node1", 8001, "/ws")}`, headers: { cookie: cookieOf(alice) } },
      { url: `ws://127.0.0.1:${port}/ws`, headers: { cookie, host: hostOf("node1", 8001) } },
    ];
    for (const { url, headers } of cases) {
      const ws = new WebSocket(url, { headers });
      // ws emits "open" right after "upgrade", in the same tick: both are awaited from the start.
      const upgraded = once(ws, "upgrade") as Promise<[http.IncomingMessage]>;
      const opened = once(ws, "open");
      const [upgrade] = await upgraded;
      assert.deepEqual(
        upgrade.headers["set-cookie"]?.map((c) => c.split(";")[0]),
        ["ws=ok"],
      );
      await opened;
      ws.send("hello through the proxy");
      const [data] = (await once(ws, "message")) as [Buffer];
      assert.equal(data.toString("utf8"), "echo:hello through the proxy");
      ws.close();
      await once(ws, "close");
    }
  });

  it("refuses WebSockets from other sites and from other users", async () => {
    const foreign = new WebSocket(`ws://127.0.0.1:${port}${pathOf("node1", 8001, "/ws")}`, {
      headers: { cookie: cookieOf(alice), origin: "http://evil.example" },
    });
    foreign.on("error", () => undefined);
    const [, refused] = (await once(foreign, "unexpected-response")) as [unknown, http.IncomingMessage];
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.statusMessage, "Forbidden");
    assert.match(String(refused.headers["x-request-id"]), /^[0-9a-f-]{36}$/);
    const other = new WebSocket(`ws://127.0.0.1:${port}${pathOf("node1", 8001, "/ws")}`, {
      headers: { cookie: cookieOf(bob) },
    });
    other.on("error", () => undefined);
    const [, notFound] = (await once(other, "unexpected-response")) as [unknown, http.IncomingMessage];
    assert.equal(notFound.statusCode, 404);
  });

  it("lets only the owner in until the port is made public, and again after it is made private", async () => {
    const asBob = () => get(pathOf("node1", 8000, "/"), { cookie: cookieOf(bob), accept: "application/json" });
    const anonymousHost = () => get("/", { accept: "application/json" }, hostOf("node1", 8000));
    assert.equal((await asBob()).status, 404);
    assert.equal((await anonymousHost()).status, 401);
    assert.equal(
      (await get(`/api/sessions/${session.id}/nodes/node1/ports/8000/open`, { cookie: cookieOf(bob) })).status,
      404,
    );
    assert.equal(
      (await bob.request("PUT", `/api/sessions/${session.id}/nodes/node1/ports/8000`, { public: true })).status,
      404,
    );

    const bad = await alice.request("PUT", `/api/sessions/${session.id}/nodes/node1/ports/8000`, { public: "yes" });
    assert.equal(bad.status, 400);
    const extra = await alice.request("PUT", `/api/sessions/${session.id}/nodes/node1/ports/8000`, {
      public: true,
      x: 1,
    });
    assert.equal(extra.status, 400);

    const shared = await alice.request<TPortEntry>("PUT", `/api/sessions/${session.id}/nodes/node1/ports/8000`, {
      public: true,
    });
    assert.equal(shared.status, 200);
    assert.equal(shared.body.public, true);
    assert.equal(shared.body.urls.host, `http://${hostOf("node1", 8000)}/`);
    assert.equal(shared.body.urls.path, `http://localhost:${port}${pathOf("node1", 8000)}`);
    assert.equal((await asBob()).status, 200);
    assert.equal((await anonymousHost()).status, 200);
    assert.equal((await get(pathOf("node1", 8000, "/"))).status, 200);

    await alice.request("PUT", `/api/sessions/${session.id}/nodes/node1/ports/8000`, { public: false });
    assert.equal((await asBob()).status, 404);
    assert.equal((await anonymousHost()).status, 401);
  });

  it("refuses everything outside the session: other sessions, addresses as node names, bad ports", async () => {
    const json = { cookie: cookieOf(alice), accept: "application/json" };
    const status = async (path: string, host?: string, headers = json) => (await get(path, headers, host)).status;
    assert.equal(await status(pathOf("node1", 8000, "/", bobSession.id)), 404);
    for (const node of ["127.0.0.1", "169.254.169.254", "localhost", "node9", "node1.evil", "..", "node1%2f..", "0"]) {
      assert.equal(await status(pathOf(node, 8000)), 404, node);
    }
    assert.equal(await status(pathOf("node1", 0)), 400);
    assert.equal(await status(pathOf("node1", 70000)), 400);
    assert.equal(await status("/ports/../api/me"), 404);
    // Port hosts: anything under LAB_DOMAIN is the proxy's, never the platform's.
    assert.equal(await status("/api/me", `127.0.0.1-80-${session.id}.localhost:${port}`), 404);
    assert.equal(await status("/api/me", `node1-0-${session.id}.localhost:${port}`), 400);
    assert.equal(await status("/api/me", `node1-8000-notasession.localhost:${port}`), 404);
    // Alice's port cookie on the host of Bob's session.
    const cookie = await portCookie(alice, "node1", 8000);
    const bobs = await get("/", { cookie, accept: "application/json" }, hostOf("node1", 8000, bobSession.id));
    assert.equal(bobs.status, 401);
  });

  it("checks every request of a kept-alive connection again, and hands platform requests on it to the platform", async () => {
    // One connection for everything below (the fast path keeps a connection once it proxied on it).
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const ports: number[] = [];
    const onOne = (path: string, headers: Record<string, string>, method = "GET") =>
      new Promise<RawResponse>((resolve, reject) => {
        const req = http.request({ host: "127.0.0.1", port, path, method, headers, agent }, (res) => {
          ports.push(res.socket.localPort ?? 0);
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
          );
        });
        req.on("error", reject);
        req.end();
      });
    const asBob = { cookie: cookieOf(bob), accept: "application/json" };
    const visibility = (open: boolean) =>
      alice.request("PUT", `/api/sessions/${session.id}/nodes/node1/ports/8000`, { public: open });
    try {
      await visibility(true);
      const first = await onOne(pathOf("node1", 8000, "/one"), asBob);
      assert.equal(first.status, 200, first.body);
      assert.equal((JSON.parse(first.body) as Echo).path, "/one");
      assert.equal(first.headers["x-request-id"]?.length, 36);
      // An empty response (Content-Length: 0, here the app's redirect) is complete at once: the next
      // request on the connection is answered, not left behind one waiting for body bytes.
      const empty = await onOne(pathOf("node1", 8000, "/redirect"), asBob);
      assert.equal(empty.status, 302);
      assert.equal(empty.body, "");
      // The echo app has no HEAD handler: 501 with a Content-Length and, as for any HEAD, no body.
      const head = await onOne(pathOf("node1", 8000, "/two"), asBob, "HEAD");
      assert.equal(head.status, 501);
      assert.equal(head.body, "");
      // Made private while the connection is open: its next request is refused.
      await visibility(false);
      assert.equal((await onOne(pathOf("node1", 8000, "/three"), asBob)).status, 404);
      // A platform request after port requests on the same connection reaches the platform.
      const me = await onOne(`/api/sessions/${session.id}`, { cookie: cookieOf(alice) });
      assert.equal(me.status, 200, me.body);
      assert.equal((JSON.parse(me.body) as TSession).id, session.id);
      assert.equal(new Set(ports).size, 1, `one connection: ${ports.join(", ")}`);
    } finally {
      agent.destroy();
      await visibility(false);
    }

    // Pipelined requests on the host form: answered in order, each filtered.
    const cookie = await portCookie(alice, "node1", 8000);
    const socket = net.connect(port, "127.0.0.1");
    const request = (path: string) =>
      `GET ${path} HTTP/1.1\r\nHost: ${hostOf("node1", 8000)}\r\nCookie: ${cookie}\r\n\r\n`;
    socket.write(request("/first") + request("/second"));
    let received = "";
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
    const both = (): boolean => (received.match(/HTTP\/1\.1 200/g) ?? []).length === 2 && received.includes("/second");
    await waitFor("two responses", () => Promise.resolve(both() ? true : undefined));
    socket.destroy();
    assert.ok(received.indexOf('"/first"') < received.indexOf('"/second"'), received);
    assert.doesNotMatch(received, /kubelab_port=|Domain=localhost|kubelab_session=stolen/i);
  });

  it("keeps a new connection open past the keep-alive timeout until its first request, then applies it", async () => {
    // Browsers open connections before they need them and keep them unused for up to 10 s
    // (Chromium); one closed under a browser as it sends a POST fails that request.
    const cookie = await portCookie(alice, "node1", 8000);
    const open = (): { socket: net.Socket; received: () => string; closed: Promise<unknown> } => {
      const socket = net.connect(port, "127.0.0.1");
      let received = "";
      socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
      return { socket, received: () => received, closed: once(socket, "close") };
    };
    const platform = open();
    const app = open();
    await new Promise((resolve) => setTimeout(resolve, KEEP_ALIVE_MS + 1_500));
    assert.equal(platform.socket.destroyed, false, "an unused connection to the platform is still open");
    assert.equal(app.socket.destroyed, false, "an unused connection to a port host is still open");
    const body = JSON.stringify({ name: "Late" });
    platform.socket.write(
      `POST /api/auth/guest HTTP/1.1\r\nHost: localhost:${port}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    app.socket.write(`GET /late HTTP/1.1\r\nHost: ${hostOf("node1", 8000)}\r\nCookie: ${cookie}\r\n\r\n`);
    await waitFor("both answers", () =>
      /^HTTP\/1\.1 20[01]/.test(platform.received()) && app.received().includes('"/late"') ? true : undefined,
    );
    platform.socket.destroy();
    // Between requests the keep-alive timeout applies as before: the idle app connection is closed.
    const closedAt = Date.now();
    await app.closed;
    assert.ok(Date.now() - closedAt < KEEP_ALIVE_MS + 2_000, `closed ${Date.now() - closedAt} ms after its answer`);
  });

  it("streams a large download intact in both URL forms, to a fast and to a slow reader", async () => {
    const login = { cookie: cookieOf(alice) };
    const cases = [
      { app: 8002, mib: DOWNLOAD_MIB, readers: [undefined, SLOW_READER] },
      // Many small reads from the app while the client's socket queues: a reused read buffer
      // would overwrite queued bytes here (mutation-checked: UpstreamReadBuffer told "not held").
      { app: 8003, mib: PACED_DOWNLOAD_MIB, readers: [SLOWER_READER] },
    ];
    for (const { app, mib, readers } of cases) {
      const size = mib * 1024 * 1024;
      const expected = createHash("sha256").update(downloadBody(size)).digest("hex");
      await waitFor(`the download app on ${app} to listen`, async () => {
        const res = await download(port, pathOf("node1", app, "/file"), login);
        return res.status === 200 ? true : undefined;
      });
      const byHost = { cookie: await portCookie(alice, "node1", app), host: hostOf("node1", app) };
      for (const [form, path, headers] of [
        ["path form", pathOf("node1", app, "/file"), login],
        ["host form", "/file", byHost],
      ] as const) {
        for (const pauses of readers) {
          const got = await download(port, path, headers, pauses);
          const what = `app on ${app}, ${form}, ${pauses ? `reader pausing ${pauses.ms} ms per ${pauses.every} bytes` : "fast reader"}`;
          assert.equal(got.status, 200, what);
          assert.equal(got.bytes, size, what);
          assert.equal(got.digest, expected, `${what}: the bytes differ from what the app sent`);
        }
      }
    }
  });

  /** Kubelab gives every response it carries an X-Request-Id; HAProxy adds none to an app's answer. */
  const carriedByHaproxy = (res: RawResponse): boolean => res.headers["x-request-id"] === undefined;
  const haproxyOnly = dataPlane === "node" ? { skip: "about HAProxy's map: runs with PORT_DATA_PLANE=haproxy" } : {};
  /** HAProxy's response counts by status class, as /metrics reports them. */
  const haproxyResponses = async (): Promise<Map<string, number>> => {
    const scrape = await fetch(`http://127.0.0.1:${port}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    assert.equal(scrape.status, 200);
    const text = await scrape.text();
    const counts = new Map<string, number>();
    for (const match of text.matchAll(/^kubelab_port_haproxy_responses_total\{status="(\w+)"\} (\d+)$/gm)) {
      counts.set(match[1]!, Number(match[2]));
    }
    assert.deepEqual([...counts.keys()].sort(), ["1xx", "2xx", "3xx", "4xx", "5xx", "other"], text);
    return counts;
  };

  it(
    "carries granted host-form and path-form requests in HAProxy itself, with the same header rules",
    haproxyOnly,
    async () => {
      const before = await haproxyResponses();
      const cookie = await portCookie(alice, "node1", 8000);
      const headers = {
        cookie: `theme=dark; ${cookie}; ${cookieOf(alice)}`,
        "x-forwarded-for": "6.6.6.6",
        "x-forwarded-host": "evil.example",
        "x-forwarded-proto": "https",
        forwarded: "for=6.6.6.6",
        "x-real-ip": "6.6.6.6",
      };
      const carried = await waitFor("HAProxy to carry the host and cookie itself", async () => {
        const res = await get("/echo", headers, hostOf("node1", 8000));
        return carriedByHaproxy(res) ? res : undefined;
      });
      assert.equal(carried.status, 200, carried.body);
      const echo = JSON.parse(carried.body) as Echo;
      assert.equal(echo.headers.cookie, "theme=dark");
      assert.equal(echo.headers.host, hostOf("node1", 8000));
      assert.equal(echo.headers["x-forwarded-host"], hostOf("node1", 8000));
      assert.equal(echo.headers["x-forwarded-for"], "127.0.0.1");
      assert.equal(echo.headers["x-forwarded-proto"], "http");
      assert.equal(echo.headers.forwarded, undefined);
      assert.equal(echo.headers["x-real-ip"], undefined);
      assert.deepEqual(carried.headers["set-cookie"], ["app=ok; Path=/"]);
      assert.equal(carried.headers["keep-alive"], undefined);

      // Only that pair is granted: another cookie (forged from it) and another port go through Kubelab.
      const forged = await get("/echo", { cookie: `${cookie}x`, accept: "application/json" }, hostOf("node1", 8000));
      assert.equal(forged.status, 401, forged.body);
      const otherPort = await get("/", { cookie, accept: "application/json" }, hostOf("node1", 8001));
      assert.equal(otherPort.status, 401, otherPort.body);
      // The path form: granted by login cookie, session, node and port, with the path form's rules.
      const pathHeaders = {
        cookie: `${cookieOf(alice)}; kubelab_port=forged; theme=dark`,
        "x-forwarded-for": "6.6.6.6",
        "x-forwarded-host": "evil.example",
      };
      const carriedPath = await waitFor("HAProxy to carry the path form itself", async () => {
        const res = await get(pathOf("node1", 8000, "/echo?x=1"), pathHeaders);
        return carriedByHaproxy(res) ? res : undefined;
      });
      assert.equal(carriedPath.status, 200, carriedPath.body);
      const pathEcho = JSON.parse(carriedPath.body) as Echo;
      assert.equal(pathEcho.path, "/echo?x=1");
      assert.equal(pathEcho.headers.cookie, "theme=dark");
      assert.equal(pathEcho.headers["x-forwarded-for"], "127.0.0.1");
      assert.equal(pathEcho.headers["x-forwarded-host"], `127.0.0.1:${port}`);
      assert.equal(
        carriedPath.headers["content-security-policy"],
        "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads",
      );
      assert.deepEqual(carriedPath.headers["set-cookie"], [`app=ok; Path=/ports/${session.id}/node1/8000/`]);
      const redirect = await get(pathOf("node1", 8000, "/redirect"), { cookie: cookieOf(alice) });
      assert.equal(carriedByHaproxy(redirect), true);
      assert.equal(redirect.headers.location, pathOf("node1", 8000, "/landed"));
      // Someone else's login, and the bare prefix (a redirect to the slash form), go through Kubelab.
      const asBob = await get(pathOf("node1", 8000, "/echo"), { cookie: cookieOf(bob), accept: "application/json" });
      assert.equal(asBob.status, 404);
      const bare = await get(pathOf("node1", 8000, ""), { cookie: cookieOf(alice) });
      assert.equal(bare.status, 308);
      assert.equal(carriedByHaproxy(bare), false);

      // A Host that spells the path form's key, with the login as the port cookie, is no path-form
      // request: HAProxy's keys name their form.
      const login = cookieOf(alice).slice(cookieOf(alice).indexOf("=") + 1);
      const crafted = await get("/echo", { cookie: `kubelab_port=${login}` }, `${session.id}/node1/8000`);
      assert.equal(carriedByHaproxy(crafted), false, "a crafted Host reached the path form's grant");
      // Both grants are in HAProxy's in-use table, which keeps them alive while requests use them.
      const inUse = await haproxyAdmin(server.process.pid!, "show table grants_in_use");
      const portCookieValue = cookie.slice(cookie.indexOf("=") + 1);
      assert.ok(inUse.includes(` key=h:${hostOf("node1", 8000).toLowerCase()}|${portCookieValue} `), inUse);
      assert.ok(inUse.includes(` key=p:${session.id}/node1/8000|${login} `), inUse);

      // Ticket exchanges on a granted host stay Kubelab's.
      const auth = await get("/__kubelab/auth?ticket=forged", { cookie }, hostOf("node1", 8000));
      assert.equal(carriedByHaproxy(auth), false);
      assert.notEqual(auth.status, 200);

      // What HAProxy carried here (two answers of 200 and a redirect, at least) is counted in /metrics.
      const after = await haproxyResponses();
      assert.ok(after.get("2xx")! - before.get("2xx")! >= 2, JSON.stringify([...after]));
      assert.ok(after.get("3xx")! - before.get("3xx")! >= 1, JSON.stringify([...after]));
    },
  );

  it(
    "ends HAProxy's grants when a port is made private, at once here and within seconds from elsewhere",
    haproxyOnly,
    async () => {
      const visitor = (): Promise<RawResponse> => get("/echo", { accept: "application/json" }, hostOf("node1", 8000));
      const publish = (isPublic: boolean) =>
        alice.request("PUT", `/api/sessions/${session.id}/nodes/node1/ports/8000`, { public: isPublic });
      assert.equal((await publish(true)).status, 200);
      await waitFor("HAProxy to carry the public port itself", async () => {
        const res = await visitor();
        return res.status === 200 && carriedByHaproxy(res) ? true : undefined;
      });
      // Made private through this process: refused by the very next request.
      assert.equal((await publish(false)).status, 200);
      assert.equal((await visitor()).status, 401);

      // Made private by another process sharing the database (here: the row removed by hand).
      assert.equal((await publish(true)).status, 200);
      await waitFor("HAProxy to carry the public port itself again", async () => {
        const res = await visitor();
        return res.status === 200 && carriedByHaproxy(res) ? true : undefined;
      });
      const sql = new pg.Client({ connectionString: db.url });
      await sql.connect();
      try {
        await sql.query("DELETE FROM public_ports WHERE session_id = $1", [session.id]);
      } finally {
        await sql.end();
      }
      const removedAt = Date.now();
      await waitFor("the grant to end", async () => ((await visitor()).status === 401 ? true : undefined), 10_000, 50);
      const tookMs = Date.now() - removedAt;
      assert.ok(tookMs < 4_000, `the public port stayed open for ${tookMs} ms after it was made private elsewhere`);
    },
  );

  it("counts only the app's answers as use of a grant, not HAProxy's page for a stopped app", haproxyOnly, async () => {
    const node1 = container(session.id, "node1");
    await startNodeApp(node1, HEADER_ECHO_APP, STOPPING_PORT);
    const cookie = await portCookie(alice, "node1", STOPPING_PORT);
    const key = `h:${hostOf("node1", STOPPING_PORT).toLowerCase()}|${cookie.slice(cookie.indexOf("=") + 1)}`;
    const request = (): Promise<RawResponse> => get("/echo", { cookie }, hostOf("node1", STOPPING_PORT));
    const inUse = async (): Promise<boolean> =>
      (await haproxyAdmin(server.process.pid!, "show table grants_in_use")).includes(` key=${key} `);
    await waitFor("HAProxy to carry the app itself", async () => {
      const res = await request();
      return res.status === 200 && carriedByHaproxy(res) ? true : undefined;
    });
    await haproxyAdmin(server.process.pid!, `clear table grants_in_use key ${key}`);
    assert.equal(await inUse(), false, "the table entry was cleared");
    assert.equal((await request()).status, 200);
    assert.equal(await inUse(), true, "an answer of the app counts as use");

    await haproxyAdmin(server.process.pid!, `clear table grants_in_use key ${key}`);
    // The app stops (no procps in every node image: the process is found through /proc; the
    // bracket keeps the pattern from matching this shell's own command line).
    await execIn(node1, [
      "sh",
      "-c",
      `for p in /proc/[0-9]*; do grep -q app-${STOPPING_PORT.toString().replace(/(.)$/, "[$1]")} $p/cmdline 2>/dev/null && kill \${p#/proc/}; done; true`,
    ]);
    const closed = await waitFor("HAProxy's closed-port page", async () => {
      const res = await request();
      return res.status === 503 ? res : undefined;
    });
    assert.equal(carriedByHaproxy(closed), true, "answered by HAProxy from the grant");
    assert.match(closed.body, new RegExp(`Nothing is listening on node1:${STOPPING_PORT} yet`));
    assert.equal(await inUse(), false, "HAProxy's own error page counted as use of the grant");
  });

  it("passes no cookie the rules refuse from malformed app answers in HAProxy", haproxyOnly, async () => {
    const cookie = await portCookie(alice, "node1", TRICK_PORT);
    await waitFor("HAProxy to carry the trick app itself", async () => {
      const res = await get("/http/clean", { cookie }, hostOf("node1", TRICK_PORT));
      return res.status === 200 && carriedByHaproxy(res) ? true : undefined;
    });
    // Whitespace before a colon is refused (502). HAProxy reads a bare LF as a line end and
    // joins folded lines with spaces (RFC 9112 §2.2 and §5.2 let a proxy do either), so those
    // answers pass, with only what the cookie rule allows: a cookie hidden in a fold is part of
    // another header's value, and a folded Domain is no attribute (browsers split at ";").
    const seen: Record<string, string> = {};
    for (const trick of ["space", "tab", "fold", "fold-cookie", "lf", "cr"]) {
      const res = await get(`/http/${trick}`, { cookie }, hostOf("node1", TRICK_PORT));
      seen[trick] = `${res.status} ${JSON.stringify(res.headers["set-cookie"] ?? [])}`;
    }
    assert.deepEqual(seen, {
      space: "502 []",
      tab: "502 []",
      cr: "502 []",
      lf: "200 []",
      fold: "200 []",
      "fold-cookie": '200 ["folded=1; Path=/  \\tDomain=localhost"]',
    });
  });

  it("starts HAProxy again when it dies, and HAProxy ends with a Kubelab that is killed", haproxyOnly, async () => {
    const first = haproxyUnder(server.process.pid!);
    assert.ok(first, "HAProxy runs under the server");
    process.kill(first, "SIGKILL");
    await waitFor("HAProxy to be started again", () => {
      const pid = haproxyUnder(server.process.pid!);
      return pid !== undefined && pid !== first ? true : undefined;
    });
    await waitFor("PORT to answer again", async () => ((await get("/api/health")).status === 200 ? true : undefined));
    // Its map started empty: the next request goes through Kubelab and grants again.
    const cookie = await portCookie(alice, "node1", 8000);
    await waitFor("HAProxy to carry the host form again", async () => {
      const res = await get("/echo", { cookie }, hostOf("node1", 8000));
      return res.status === 200 && carriedByHaproxy(res) ? true : undefined;
    });

    // A second process of the installation, killed without its shutdown: its HAProxy must not
    // keep holding its PORT.
    const other = await KubelabServer.start({
      ...server.options,
      port: await freePort(),
      instanceId: server.instanceId,
    });
    const otherHaproxy = haproxyUnder(other.process.pid!);
    assert.ok(otherHaproxy, "HAProxy runs under the second server");
    const otherFolder = haproxyFolder(other.process.pid!);
    await other.kill();
    await waitFor("the killed server's HAProxy to exit", () => (isRunning(otherHaproxy) ? undefined : true), 5_000);
    // Its folder stays behind until the next Kubelab starts HAProxy; that one leaves the live
    // server's folder alone.
    assert.ok(fs.existsSync(otherFolder));
    const third = await KubelabServer.start({
      ...server.options,
      port: await freePort(),
      instanceId: server.instanceId,
    });
    try {
      assert.equal(fs.existsSync(otherFolder), false, "the killed server's HAProxy folder was removed");
      assert.ok(fs.existsSync(path.join(haproxyFolder(server.process.pid!), "admin.sock")));
    } finally {
      await third.stop();
    }
  });

  it("ignores X-Forwarded-Host from clients that are not trusted proxies", async () => {
    const res = await get("/api/health", {
      cookie: cookieOf(alice),
      "x-forwarded-host": hostOf("node1", 8000),
    });
    assert.equal(res.status, 200);
    assert.equal(typeof (JSON.parse(res.body) as { status?: string }).status, "string");
    const me = await get("/api/me", {
      cookie: cookieOf(alice),
      "x-forwarded-host": hostOf("node1", 8000, bobSession.id),
    });
    assert.equal((JSON.parse(me.body) as { name: string }).name, "Alice");
  });

  it("shows a friendly 502 page (JSON on request) while nothing listens on the port", async () => {
    const page = await get(pathOf("node1", 8009, "/"), { cookie: cookieOf(alice), accept: "text/html" });
    assert.equal(page.status, 502);
    assert.match(page.body, /Nothing is listening on node1:8009 yet/);
    assert.match(page.body, /<meta http-equiv="refresh" content="3">/);
    const pageId = String(page.headers["x-request-id"]);
    assert.match(pageId, /^[0-9a-f-]{36}$/);
    await waitFor("the 502's log line", () => (server.logs().includes(`request ${pageId}`) ? true : undefined), 5_000);
    const json = await get(pathOf("node1", 8009, "/"), { cookie: cookieOf(alice), accept: "application/json" });
    assert.equal(json.status, 502);
    assert.deepEqual(JSON.parse(json.body), {
      error: { code: "port_closed", message: "Nothing is listening on node1:8009 yet" },
    });
  });

  it("lists detected ports and pushes a newly opened one over SSE within 10 s", planeIndependent, async () => {
    const list = await alice.request<TPortList>("GET", `/api/sessions/${session.id}/ports`);
    assert.equal(list.status, 200);
    const entry = list.body.ports.find((p) => p.node === "node1" && p.port === 8000);
    assert.deepEqual(entry, {
      node: "node1",
      port: 8000,
      public: false,
      detected: true,
      service: null,
      urls: { host: `http://${hostOf("node1", 8000)}/`, path: `http://localhost:${port}${pathOf("node1", 8000)}` },
    });
    assert.equal((await bob.request("GET", `/api/sessions/${session.id}/ports`)).status, 404);

    const stream = await openEventStream(
      alice,
      `/api/sessions/${session.id}/ports/events`,
      "ports",
      (data) => data as TPortList,
    );
    const events = stream.messages;
    await waitFor("the first event", () => (events.length > 0 ? true : undefined), 10_000, 50);
    const has = (node: string, p: number) =>
      events.at(-1)?.ports.some((e) => e.node === node && e.port === p && e.detected);
    assert.equal(has("node2", 8123), false);
    const started = Date.now();
    await startNodeApp(container(session.id, "node2"), HEADER_ECHO_APP, 8123);
    await startNodeApp(container(session.id, "node2"), HEADER_ECHO_APP, 8124, "127.0.0.1");
    await waitFor("node2:8123 in the pushed list", () => (has("node2", 8123) ? true : undefined), 10_000, 50);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
    // Loopback-only listeners cannot be reached through the session network and are not offered.
    assert.equal(has("node2", 8124), false);
    stream.close();
  });

  it("offers Kubernetes NodePorts with their service name", planeIndependent, async () => {
    // The offline image runs no cluster, so a stand-in kubectl answers the discovery's
    // `kubectl get svc -A -o jsonpath=...` the way a real one does: "namespace/name nodePort...".
    const node1 = container(session.id, "node1");
    const standIn = [
      "mkdir -p /etc/kubernetes && touch /etc/kubernetes/admin.conf",
      "cat > /usr/local/bin/kubectl <<'EOF'\n#!/bin/sh\necho 'default/webui 30001'\necho 'kube-system/kube-dns '\nEOF",
      "chmod +x /usr/local/bin/kubectl",
    ].join("\n");
    assert.equal((await execIn(node1, ["sh", "-c", standIn])).exitCode, 0);
    try {
      const entry = await waitFor("node1:30001 in the list", async () => {
        const list = await alice.request<TPortList>("GET", `/api/sessions/${session.id}/ports`);
        return list.body.ports.find((p) => p.node === "node1" && p.port === 30001);
      });
      assert.equal(entry.detected, true);
      assert.equal(entry.service, "default/webui");
      const listening = (await alice.request<TPortList>("GET", `/api/sessions/${session.id}/ports`)).body.ports.find(
        (p) => p.node === "node1" && p.port === 8000,
      );
      assert.equal(listening?.service, null);
    } finally {
      await execIn(node1, ["rm", "-f", "/usr/local/bin/kubectl", "/etc/kubernetes/admin.conf"]);
    }
  });

  it(
    "joins KUBELAB_CONTAINER to each session network, and detaches it before removing the network",
    planeIndependent,
    async () => {
      // Stands in for Kubelab's own container under docker-compose; the proxy itself still runs on the host here.
      const name = `kubelab-join-${server.instanceId}`;
      const helper = await docker.createContainer({
        name,
        Image: process.env.KUBELAB_TEST_NODE_IMAGE ?? "kubelab/node-offline:latest",
        Entrypoint: ["sleep", "600"],
        Cmd: [],
      });
      await helper.start();
      const second = await KubelabServer.start({ databaseUrl: db.url, env: { KUBELAB_CONTAINER: name } });
      try {
        const carol = second.client();
        await carol.loginAsGuest("Carol");
        const ready = await carol.waitUntilSettled((await carol.createSession()).id);
        assert.equal(ready.status, "ready", ready.reason ?? "");
        const network = `kubelab-${ready.id}`;
        const joined = await helper.inspect();
        assert.ok(joined.NetworkSettings.Networks[network], `${name} is on ${network}`);
        await startNodeApp(container(ready.id, "node1"), HEADER_ECHO_APP, 8000);
        const ip = ready.nodes.find((n) => n.name === "node1")?.ip ?? "";
        await waitFor("node1:8000 from the joined container", async () => {
          const res = await execIn(name, ["curl", "-sf", `http://${ip}:8000/`]);
          return res.exitCode === 0 ? true : undefined;
        });
        assert.equal((await carol.request("DELETE", `/api/sessions/${ready.id}`)).status, 204);
        const left = await docker.listNetworks({ filters: { name: [network] } });
        assert.deepEqual(
          left.map((n) => n.Name),
          [],
        );
        assert.equal((await helper.inspect()).State.Running, true);
      } finally {
        await second.stop();
        await removeInstanceObjects(second.instanceId);
        await helper.remove({ force: true });
      }
    },
  );

  it("believes X-Forwarded-Host from TRUSTED_PROXIES only", async () => {
    const behindProxy = await KubelabServer.start({ databaseUrl: db.url, env: { TRUSTED_PROXIES: "127.0.0.1" } });
    try {
      const res = await rawRequest(behindProxy.port, {
        path: "/api/health",
        headers: { "x-forwarded-host": `node1-8000-${session.id}.localhost`, accept: "application/json" },
      });
      // The proxy, not the platform, answered: the forwarded host named a port host.
      assert.equal(res.status, 401);
      assert.equal((JSON.parse(res.body) as { error: { code: string } }).error.code, "unauthenticated");
    } finally {
      await behindProxy.stop();
    }
  });

  it("hands the app a trusted proxy's X-Forwarded-For, -Proto and -Host as Kubelab writes them", async () => {
    const behindProxy = await KubelabServer.start({
      databaseUrl: db.url,
      env: {
        PUBLIC_URL: `http://localhost:${port}`,
        SECRET_KEY: "test-secret-key-0123456789abcdef0123456789",
        PORT_DATA_PLANE: dataPlane,
        TRUSTED_PROXIES: "127.0.0.1",
      },
    });
    try {
      const cookie = await portCookie(alice, "node1", 8000);
      // The proxy in front got the port host; Kubelab sees that proxy's own Host.
      const request = {
        host: `127.0.0.1:${behindProxy.port}`,
        path: "/echo",
        headers: {
          cookie: `theme=dark; ${cookie}`,
          "x-forwarded-host": hostOf("node1", 8000),
          "x-forwarded-for": "6.6.6.6, 7.7.7.7",
          "x-forwarded-proto": "https",
          "x-forwarded-port": "443",
        },
      };
      const res = await waitFor(`the ${dataPlane} data plane to carry the request`, async () => {
        const answer = await rawRequest(behindProxy.port, request);
        return dataPlane === "node" || carriedByHaproxy(answer) ? answer : undefined;
      });
      assert.equal(res.status, 200, res.body);
      const echo = JSON.parse(res.body) as Echo;
      assert.equal(echo.headers["x-forwarded-for"], "6.6.6.6, 7.7.7.7, 127.0.0.1");
      assert.equal(echo.headers["x-forwarded-proto"], "https");
      assert.equal(echo.headers["x-forwarded-host"], hostOf("node1", 8000));
      assert.equal(echo.headers["x-forwarded-port"], undefined);
      assert.equal(echo.headers.host, `127.0.0.1:${behindProxy.port}`);
      assert.equal(echo.headers.cookie, "theme=dark");
    } finally {
      await behindProxy.stop();
    }
  });
};

describe("port forwarding, Kubelab's own data path (PORT_DATA_PLANE=node)", portForwarding("node"));
describe("port forwarding, HAProxy as the data plane (PORT_DATA_PLANE=haproxy)", portForwarding("haproxy"));

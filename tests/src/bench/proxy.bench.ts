// Benchmark: HTTP requests/s and p99 latency through the port proxy (path form with the login cookie,
// host form with the port cookie) versus straight to the node's address and versus nginx (Debian
// package, one worker, keep-alive upstream) proxying the same app, in the same run, with wrk; and a
// 100 MB download through each, with curl. Two more rows measure what the data-path options of
// docs/ports.md would give, with the same port cookie: nginx authorizing every request with
// auth_request (its answer cached for 1 s) and HAProxy looking the cookie up in a map it can update
// at run time, then sending the request to the address found there (set-dst). Rounds are
// interleaved (every row once per round) and the medians are reported, so load from other programs
// on the machine hits all rows alike.
// Figures, not a pass/fail test.
//   BENCH_DURATION=10s per measurement   BENCH_CONNECTIONS=32,256   BENCH_THREADS=2   BENCH_ROUNDS=3
//   BENCH_DOWNLOAD_MB=100 (0 skips the download case)   BENCH_SERVER_NODE_OPTIONS (the server's NODE_OPTIONS)
//   BENCH_WARMUP=2s (a discarded wrk run of each row before it is measured; 0 measures cold starts)
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { removeInstanceObjects } from "../support/docker-objects";
import { freePort } from "../support/free-port";
import { KubelabServer } from "../support/kubelab-server";
import { startHaproxy } from "../support/haproxy";
import { startNginx } from "../support/nginx";
import type { RunningProxy } from "../support/proxy-process";
import { FIXED_RESPONSE_APP, largeDownloadApp, startNodeApp } from "../support/node-apps";
import { rawRequest } from "../support/raw-http";
import { haproxyPortMap, nginxHttp } from "./proxy-references";
import { requireTool } from "./require-tool";
import { startTestDatabase } from "../support/test-database";
import { waitFor } from "../support/wait-for";

const DURATION = process.env.BENCH_DURATION ?? "10s";
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? "32,256").split(",").map((c) => c.trim());
const THREADS = process.env.BENCH_THREADS ?? "2";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? "3");
const DOWNLOAD_MB = Number(process.env.BENCH_DOWNLOAD_MB ?? "100");
// Every row is warmed up with its own connection count before it is measured, so each is measured
// in its steady state: nginx's kept upstream connections are open, and HAProxy carries the route
// (Kubelab grants it after the first request; a grant nobody used for a minute ends, and a round
// takes longer than that).
const WARMUP = process.env.BENCH_WARMUP ?? "2s";
const APP_PORT = 8000;
const DOWNLOAD_PORT = 8001;

// For scale: the least a Node.js proxy does (no routing, no checks, no header rewriting), in its own process.
const MINIMAL_PROXY = `
const http = require("node:http");
const [ip, port, listen] = process.argv.slice(1);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
http.createServer((req, res) => {
  const up = http.request({ host: ip, port, method: req.method, path: req.url, headers: req.headers, agent }, (r) => {
    res.writeHead(r.statusCode, r.headers);
    r.pipe(res);
  });
  up.on("error", () => res.destroy());
  req.pipe(up);
}).listen(Number(listen), "127.0.0.1");
`;

// The authorizer behind nginx's auth_request: 204 for the port cookie, 403 for anything else. Kubelab
// would answer here; with a 1 s cache nginx asks it about once a second, so its speed hardly counts.
const AUTHORIZER = `
const http = require("node:http");
const [cookie, listen] = process.argv.slice(1);
http.createServer((req, res) => {
  res.writeHead(String(req.headers.cookie).includes(cookie) ? 204 : 403, { "cache-control": "max-age=1" });
  res.end();
}).listen(Number(listen), "127.0.0.1");
`;

/**
 * nginx authorizing each request by a subrequest whose answer it caches for 1 s. The upstream is a
 * static block, the best case: a real data path would need one block per open port, because
 * proxy_pass to an address in a variable keeps no connection alive (3.8 k requests/s, measured).
 */
function nginxAuthRequestHttp(listen: number, cacheDir: string, ip: string, authorizerPort: number): string {
  return `
  proxy_cache_path ${cacheDir} keys_zone=authz:1m levels=1 use_temp_path=off;
  upstream authorizer { server 127.0.0.1:${authorizerPort}; keepalive 8; }
  upstream app { server ${ip}:${APP_PORT}; keepalive 256; }
  server {
    listen 127.0.0.1:${listen} backlog=4096;
    location = /_authz {
      internal;
      proxy_pass http://authorizer;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_cache authz;
      proxy_cache_key "$host$cookie_kubelab_port";
      proxy_cache_valid 204 1s;
      proxy_cache_lock on;
      proxy_cache_use_stale updating;
      proxy_cache_background_update on;
    }
    location / {
      auth_request /_authz;
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $remote_addr;
    }
  }`;
}

interface WrkResult {
  rps: number;
  p99Ms: number;
  errors: number;
}

/** Runs wrk and reads requests/s, the 99th percentile latency and non-2xx/socket errors from its report. */
function wrk(url: string, headers: Record<string, string>, connections: string, duration = DURATION): WrkResult {
  const args = ["-t", THREADS, "-c", connections, "-d", duration, "--latency"];
  for (const [name, value] of Object.entries(headers)) args.push("-H", `${name}: ${value}`);
  const output = execFileSync("wrk", [...args, url], { encoding: "utf8" });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]);
  const p99 = /99%\s+([\d.]+)(us|ms|s)\b/.exec(output);
  const scale: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };
  const p99Ms = p99 ? Number(p99[1]) * (scale[p99[2]!] ?? 1) : Number.NaN;
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  if (!Number.isFinite(rps)) throw new Error(`could not read wrk's output:\n${output}`);
  return { rps, p99Ms, errors: non2xx + socketErrors };
}

/** One download with curl: MB/s (10^6 bytes) of the body, after checking it arrived whole. */
function download(url: string, headers: Record<string, string>): number {
  const args = ["-s", "-o", "/dev/null", "-w", "%{size_download} %{speed_download} %{http_code}"];
  for (const [name, value] of Object.entries(headers)) args.push("-H", `${name}: ${value}`);
  const [size, speed, status] = execFileSync("curl", [...args, url], { encoding: "utf8" }).split(" ");
  if (status !== "200" || Number(size) !== DOWNLOAD_MB * 1024 * 1024) {
    throw new Error(`download from ${url}: HTTP ${status}, ${size} bytes`);
  }
  return Number(speed) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
}

async function main(): Promise<void> {
  requireTool("wrk", "--version", "apt-get install wrk");
  requireTool("nginx", "-v", "apt-get install nginx-light (Debian's package; the bench starts its own instance)");
  requireTool("haproxy", "-v", "apt-get install haproxy (Debian's package; the bench starts its own instance)");
  requireTool("curl", "--version", "apt-get install curl");
  const db = await startTestDatabase();
  const port = await freePort();
  const server = await KubelabServer.start({
    databaseUrl: db.url,
    port,
    env: {
      PUBLIC_URL: `http://localhost:${port}`,
      LOG_LEVEL: "warn",
      SECRET_KEY: "bench-secret-key-0123456789abcdef0123456789",
      // e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": where the server's time goes.
      ...(process.env.BENCH_SERVER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS } : {}),
    },
  });
  // A second process of the same installation (same database and SECRET_KEY, so the same logins
  // and port cookies), with HAProxy in front of it as the data plane.
  const behindHaproxy = await KubelabServer.start({
    databaseUrl: db.url,
    port: await freePort(),
    instanceId: server.instanceId,
    env: {
      PUBLIC_URL: `http://localhost:${port}`,
      LOG_LEVEL: "warn",
      SECRET_KEY: "bench-secret-key-0123456789abcdef0123456789",
      PORT_DATA_PLANE: "haproxy",
    },
  });
  const children: ChildProcess[] = [];
  const proxies: RunningProxy[] = [];
  const cleanups: (() => void)[] = [];
  try {
    const client = server.client();
    await client.loginAsGuest("Bench");
    const created = await client.createSession();
    const session = await client.waitUntilSettled(created.id);
    if (session.status !== "ready") throw new Error(`session ${session.status}: ${session.reason}`);
    const ip = session.nodes.find((n) => n.name === "node1")?.ip;
    if (!ip) throw new Error("node1 has no address");
    const container = `kubelab-${session.id}-node1`;
    await startNodeApp(container, FIXED_RESPONSE_APP, APP_PORT);
    if (DOWNLOAD_MB > 0) {
      await startNodeApp(container, largeDownloadApp(DOWNLOAD_MB), DOWNLOAD_PORT);
    }
    const login = client.cookieHeader ?? "";
    const pathBase = (appPort: number): string => `http://127.0.0.1:${port}/ports/${session.id}/node1/${appPort}/`;
    await waitFor("the app to answer through the proxy", async () => {
      const res = await rawRequest(port, { path: new URL(pathBase(APP_PORT)).pathname, headers: { cookie: login } });
      return res.status === 200 ? true : undefined;
    });
    // The host form's cookies, obtained through the same ticket flow a browser follows.
    const hostForm = async (appPort: number): Promise<{ host: string; cookie: string }> => {
      const open = await rawRequest(port, {
        path: `/api/sessions/${session.id}/nodes/node1/ports/${appPort}/open`,
        headers: { cookie: login },
      });
      const ticketUrl = new URL(open.headers.location ?? "");
      const auth = await rawRequest(port, { host: ticketUrl.host, path: `${ticketUrl.pathname}${ticketUrl.search}` });
      return { host: ticketUrl.host, cookie: (auth.headers["set-cookie"]?.[0] ?? "").split(";")[0] ?? "" };
    };
    const host = await hostForm(APP_PORT);

    const minimalPort = await freePort();
    children.push(
      spawn(process.execPath, ["-e", MINIMAL_PROXY, ip, String(APP_PORT), String(minimalPort)], { stdio: "ignore" }),
    );
    const nginxPort = (
      await keep(
        proxies,
        startNginx((listen) => nginxHttp(listen, ip, APP_PORT, DOWNLOAD_PORT)),
      )
    ).port;
    const authorizerPort = await freePort();
    children.push(
      spawn(process.execPath, ["-e", AUTHORIZER, host.cookie, String(authorizerPort)], { stdio: "ignore" }),
    );
    // Listening before the next free port is chosen, which could otherwise be this one again.
    await waitFor("the authorizer", async () => {
      const res = await fetch(`http://127.0.0.1:${authorizerPort}/`).catch(() => undefined);
      return res?.status === 403 ? true : undefined;
    });
    // nginx's worker runs as another user than its master (root here): its cache needs a folder it may write.
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-authz-cache-"));
    fs.chmodSync(cacheDir, 0o777);
    cleanups.push(() => fs.rmSync(cacheDir, { recursive: true, force: true }));
    const authRequestPort = (
      await keep(
        proxies,
        startNginx((listen) => nginxAuthRequestHttp(listen, cacheDir, ip, authorizerPort)),
      )
    ).port;
    const portCookieValue = host.cookie.slice(host.cookie.indexOf("=") + 1);
    const haproxyPort = (
      await keep(proxies, startHaproxy(haproxyPortMap, { "ports.map": `${portCookieValue} ${ip}:${APP_PORT}\n` }))
    ).port;
    // HAProxy carries a host and cookie itself once Kubelab has allowed one request of theirs.
    const grantedByHaproxy = (hostAndCookie: { host: string; cookie: string }): Promise<true> =>
      waitFor("HAProxy to carry the host form itself", async () => {
        const res = await rawRequest(behindHaproxy.port, {
          host: hostAndCookie.host,
          path: "/",
          headers: { cookie: hostAndCookie.cookie },
        });
        return res.status === 200 && res.headers["x-request-id"] === undefined ? true : undefined;
      });
    await grantedByHaproxy(host);
    for (const [what, url, headers] of [
      ["the minimal proxy", `http://127.0.0.1:${minimalPort}/`, {}],
      ["nginx", `http://127.0.0.1:${nginxPort}/`, {}],
      ["nginx with auth_request", `http://127.0.0.1:${authRequestPort}/`, { Cookie: host.cookie }],
      ["HAProxy with the port map", `http://127.0.0.1:${haproxyPort}/`, { Cookie: host.cookie }],
    ] as const) {
      await waitFor(what, async () => {
        const res = await fetch(url, { headers });
        // Thrown, not returned: the last answer ends up in the message if the wait times out.
        if (!res.ok) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
        return true;
      });
    }

    const targets: Target[] = [
      { name: "direct to the node", url: `http://${ip}:${APP_PORT}/`, headers: {} },
      { name: "nginx, 1 worker (reference)", url: `http://127.0.0.1:${nginxPort}/`, headers: {} },
      { name: "minimal Node.js proxy (no checks)", url: `http://127.0.0.1:${minimalPort}/`, headers: {} },
      {
        name: "option: nginx, auth_request cached 1 s (port cookie)",
        url: `http://127.0.0.1:${authRequestPort}/`,
        headers: { Cookie: host.cookie },
      },
      {
        name: "option: HAProxy, port cookie map + set-dst",
        url: `http://127.0.0.1:${haproxyPort}/`,
        headers: { Cookie: host.cookie },
      },
      { name: "Kubelab, path form (login cookie)", url: pathBase(APP_PORT), headers: { Cookie: login } },
      {
        name: "Kubelab, host form (port cookie)",
        url: `http://127.0.0.1:${port}/`,
        headers: { Host: host.host, Cookie: host.cookie },
      },
      {
        name: "Kubelab behind HAProxy, path form",
        url: pathBase(APP_PORT).replace(`:${port}/`, `:${behindHaproxy.port}/`),
        headers: { Cookie: login },
      },
      {
        name: "Kubelab behind HAProxy, host form",
        url: `http://127.0.0.1:${behindHaproxy.port}/`,
        headers: { Host: host.host, Cookie: host.cookie },
      },
    ];
    const downloadHost = DOWNLOAD_MB > 0 ? await hostForm(DOWNLOAD_PORT) : host;
    if (DOWNLOAD_MB > 0) await grantedByHaproxy(downloadHost);
    const downloads: Target[] = [
      { name: "direct to the node", url: `http://${ip}:${DOWNLOAD_PORT}/`, headers: {} },
      { name: "nginx, 1 worker (reference)", url: `http://127.0.0.1:${nginxPort}/download`, headers: {} },
      { name: "Kubelab, path form (login cookie)", url: pathBase(DOWNLOAD_PORT), headers: { Cookie: login } },
      {
        name: "Kubelab, host form (port cookie)",
        url: `http://127.0.0.1:${port}/`,
        headers: { Host: downloadHost.host, Cookie: downloadHost.cookie },
      },
      {
        name: "Kubelab behind HAProxy, host form",
        url: `http://127.0.0.1:${behindHaproxy.port}/`,
        headers: { Host: downloadHost.host, Cookie: downloadHost.cookie },
      },
    ];

    const started = new Date().toISOString();
    const load: number[] = [];
    const loadNow = (): number => Number(execFileSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).split(" ")[0]);
    wrk(targets[0]!.url, {}, "32"); // warm-up: the python app, the connection pools
    const rps = new Map<string, WrkResult[]>();
    const mbps = new Map<string, number[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const connections of CONNECTIONS) {
        for (const t of targets) {
          load.push(loadNow());
          const key = `${connections}|${t.name}`;
          if (WARMUP !== "0") wrk(t.url, t.headers, connections, WARMUP);
          rps.set(key, [...(rps.get(key) ?? []), wrk(t.url, t.headers, connections)]);
        }
      }
      if (DOWNLOAD_MB > 0) {
        for (const t of downloads) {
          if (WARMUP !== "0") download(t.url, t.headers);
          mbps.set(t.name, [...(mbps.get(t.name) ?? []), download(t.url, t.headers)]);
        }
      }
      console.error(`round ${round + 1}/${ROUNDS} done`);
    }

    console.log(
      `\nwrk -t${THREADS} -d${DURATION} --latency after a ${WARMUP === "0" ? "no" : WARMUP} warm-up, ` +
        `${ROUNDS} interleaved rounds (medians), started ${started}, ` +
        `load average ${Math.min(...load).toFixed(1)}-${Math.max(...load).toFixed(1)} before the measurements\n`,
    );
    for (const connections of CONNECTIONS) {
      const of = (name: string): { rps: number; p99Ms: number; errors: number } => {
        const runs = rps.get(`${connections}|${name}`) ?? [];
        return {
          rps: median(runs.map((r) => r.rps)),
          p99Ms: median(runs.map((r) => r.p99Ms)),
          errors: runs.reduce((sum, r) => sum + r.errors, 0),
        };
      };
      const direct = of(targets[0]!.name);
      const nginx = of(targets[1]!.name);
      console.log(`${connections} connections:\n`);
      console.log("| Target | Requests/s | p99 latency | vs direct | vs nginx | p99 vs nginx | Errors |");
      console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
      for (const t of targets) {
        const r = of(t.name);
        console.log(
          `| ${t.name} | ${Math.round(r.rps)} | ${r.p99Ms.toFixed(2)} ms | ${(r.rps / direct.rps).toFixed(2)} | ` +
            `${(r.rps / nginx.rps).toFixed(2)} | ${(r.p99Ms / nginx.p99Ms).toFixed(2)} | ${r.errors} |`,
        );
      }
      console.log("");
    }
    if (DOWNLOAD_MB > 0) {
      const direct = median(mbps.get(downloads[0]!.name) ?? []);
      const nginx = median(mbps.get(downloads[1]!.name) ?? []);
      console.log(`${DOWNLOAD_MB} MB download (curl, one connection):\n`);
      console.log("| Target | MB/s | vs direct | vs nginx |");
      console.log("| --- | ---: | ---: | ---: |");
      for (const t of downloads) {
        const m = median(mbps.get(t.name) ?? []);
        console.log(`| ${t.name} | ${Math.round(m)} | ${(m / direct).toFixed(2)} | ${(m / nginx).toFixed(2)} |`);
      }
    }
  } finally {
    await Promise.all(proxies.map((proxy) => proxy.stop()));
    for (const cleanup of cleanups) cleanup();
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, "exit");
        child.kill();
        await exited;
      }),
    );
    await behindHaproxy.stop();
    await server.stop();
    await removeInstanceObjects(server.instanceId);
    await db.stop();
  }
}

/** Waits for a proxy to start and keeps it for the clean-up. */
async function keep(proxies: RunningProxy[], starting: Promise<RunningProxy>): Promise<RunningProxy> {
  const proxy = await starting;
  proxies.push(proxy);
  return proxy;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

// Benchmark: HTTP requests/s and p99 latency through the port proxy (path form with the login cookie,
// host form with the port cookie) versus straight to the node's address, in the same run, with wrk.
// Figures, not a pass/fail test.
//   BENCH_DURATION=10s  per measurement    BENCH_CONNECTIONS=32    BENCH_THREADS=2
import { execFileSync, spawn } from "node:child_process";
import { removeInstanceObjects } from "../support/docker-objects";
import { freePort } from "../support/free-port";
import { KubelabServer } from "../support/kubelab-server";
import { FIXED_RESPONSE_APP, startNodeApp } from "../support/node-apps";
import { rawRequest } from "../support/raw-http";
import { startTestDatabase } from "../support/test-database";
import { waitFor } from "../support/wait-for";

const DURATION = process.env.BENCH_DURATION ?? "10s";
const CONNECTIONS = process.env.BENCH_CONNECTIONS ?? "32";
const THREADS = process.env.BENCH_THREADS ?? "2";
const APP_PORT = 8000;

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

interface WrkResult {
  rps: number;
  p99Ms: number;
  errors: number;
}

/** Runs wrk and reads requests/s, the 99th percentile latency and non-2xx/socket errors from its report. */
function wrk(url: string, headers: Record<string, string>): WrkResult {
  const args = ["-t", THREADS, "-c", CONNECTIONS, "-d", DURATION, "--latency"];
  for (const [name, value] of Object.entries(headers)) args.push("-H", `${name}: ${value}`);
  const output = execFileSync("wrk", [...args, url], { encoding: "utf8" });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]);
  const p99 = /99%\s+([\d.]+)(us|ms|s)\b/.exec(output);
  const scale: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };
  const p99Ms = p99 ? Number(p99[1]) * (scale[p99[2]!] ?? 1) : Number.NaN;
  const errors = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0);
  if (!Number.isFinite(rps)) throw new Error(`could not read wrk's output:\n${output}`);
  return { rps, p99Ms, errors };
}

async function main(): Promise<void> {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
  } catch (error) {
    // wrk --version exits 1 even when present; only a missing binary is fatal.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new Error("wrk is missing: apt-get install wrk");
  }
  const db = await startTestDatabase();
  const port = await freePort();
  const server = await KubelabServer.start({
    databaseUrl: db.url,
    port,
    env: {
      PUBLIC_URL: `http://localhost:${port}`,
      LOG_LEVEL: "warn",
      SECRET_KEY: "bench-secret-key-0123456789abcdef0123456789",
    },
  });
  let stopMinimal = (): void => undefined;
  try {
    const client = server.client();
    await client.loginAsGuest("Bench");
    const created = await client.createSession();
    const session = await client.waitUntilSettled(created.id);
    if (session.status !== "ready") throw new Error(`session ${session.status}: ${session.reason}`);
    const ip = session.nodes.find((n) => n.name === "node1")?.ip;
    if (!ip) throw new Error("node1 has no address");
    await startNodeApp(`kubelab-${session.id}-node1`, FIXED_RESPONSE_APP, APP_PORT);
    const login = client.cookieHeader ?? "";
    const pathUrl = `http://127.0.0.1:${port}/ports/${session.id}/node1/${APP_PORT}/`;
    await waitFor("the app to answer through the proxy", async () => {
      const res = await rawRequest(port, { path: new URL(pathUrl).pathname, headers: { cookie: login } });
      return res.status === 200 ? true : undefined;
    });
    // The host form's cookie, obtained through the same ticket flow a browser follows.
    const open = await rawRequest(port, {
      path: `/api/sessions/${session.id}/nodes/node1/ports/${APP_PORT}/open`,
      headers: { cookie: login },
    });
    const ticketUrl = new URL(open.headers.location ?? "");
    const auth = await rawRequest(port, { host: ticketUrl.host, path: `${ticketUrl.pathname}${ticketUrl.search}` });
    const portCookie = (auth.headers["set-cookie"]?.[0] ?? "").split(";")[0] ?? "";

    const minimalPort = await freePort();
    const minimal = spawn(process.execPath, ["-e", MINIMAL_PROXY, ip, String(APP_PORT), String(minimalPort)], {
      stdio: "ignore",
    });
    stopMinimal = () => minimal.kill();
    await waitFor("the minimal proxy", async () => {
      const res = await fetch(`http://127.0.0.1:${minimalPort}/`).catch(() => undefined);
      return res?.ok ? true : undefined;
    });

    const cases: [string, string, Record<string, string>][] = [
      ["direct to the node", `http://${ip}:${APP_PORT}/`, {}],
      ["minimal Node.js proxy (no checks; for scale)", `http://127.0.0.1:${minimalPort}/`, {}],
      ["proxy, path form (login cookie)", pathUrl, { Cookie: login }],
      ["proxy, host form (port cookie)", `http://127.0.0.1:${port}/`, { Host: ticketUrl.host, Cookie: portCookie }],
    ];
    wrk(cases[0]![1], {}); // warm-up: the python app, the connection pools
    const results = cases.map(([name, url, headers]) => ({ name, ...wrk(url, headers) }));
    const direct = results[0]!;
    console.log(`\nwrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}, ${new Date().toISOString()}\n`);
    console.log("| Target | Requests/s | p99 latency | Throughput vs direct | Errors |");
    console.log("| --- | ---: | ---: | ---: | ---: |");
    for (const r of results) {
      const ratio = (r.rps / direct.rps).toFixed(2);
      console.log(`| ${r.name} | ${Math.round(r.rps)} | ${r.p99Ms.toFixed(2)} ms | ${ratio} | ${r.errors} |`);
    }
  } finally {
    stopMinimal();
    await server.stop();
    await removeInstanceObjects(server.instanceId);
    await db.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

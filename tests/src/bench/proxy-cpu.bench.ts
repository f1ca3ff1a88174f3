// Benchmark: CPU instructions per request of the port proxy's data plane (Kubelab's HAProxy
// configuration, in both URL forms), counted by valgrind's callgrind, against nginx (one worker,
// the reference of bench:proxy) and HAProxy with only the port map, in the same run. Requests/s on
// a machine that the load generator, the app and the proxy share move by 30 % between runs; an
// instruction count repeats to within 0.1 %, so it shows what a change to HAProxy's configuration
// costs. It counts the proxy's own instructions (user space), not the kernel's work for its
// sockets, which is about the same for every proxy (docs/ports.md, "CPU per request").
// Figures, not a pass/fail test.
//   BENCH_DURATION=4s of wrk per measurement (a proxy runs about 50 times slower under callgrind)
//   BENCH_CONNECTIONS=16,256
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { freePort } from "../support/free-port";
import { runHaproxy, startHaproxy } from "../support/haproxy";
import { FIXED_RESPONSE_APP } from "../support/node-apps";
import { startNginx } from "../support/nginx";
import type { RunningProxy } from "../support/proxy-process";
import { REPO_ROOT } from "../support/repo-paths";
import { waitFor } from "../support/wait-for";
import { haproxyPortMap, nginxHttp } from "./proxy-references";
import { requireTool } from "./require-tool";

const DURATION = process.env.BENCH_DURATION ?? "4s";
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? "16,256").split(",").map((c) => c.trim());
const WARMUP = "2s";
// What a browser sends to a port host: the port cookie (about 250 characters, as Kubelab's).
const PORT_COOKIE_VALUE = "c".repeat(240);
const LOGIN = "l".repeat(43);
const SESSION = "0123456789abcdef0123456789abcdef";
const PORT_HOST = `node1-8000-${SESSION}.localhost`;
// The names the generated configuration is given; the requests below use them.
const LOGIN_COOKIE = "kubelab_session";
const APP_COOKIES = "; theme=dark; lang=en";

interface HaproxyConfigModule {
  haproxyConfig(input: Record<string, unknown>): string;
  MAP_FILE: string;
  SET_COOKIE_FILTER_FILE: string;
  SET_COOKIE_FILTER_LUA: string;
}

interface Row {
  name: string;
  start(launcher: string[]): Promise<RunningProxy>;
  path: string;
  headers: Record<string, string>;
}

function wrk(url: string, headers: Record<string, string>, connections: string, duration: string): number {
  const args = ["-t", "1", "-c", connections, "-d", duration];
  for (const [name, value] of Object.entries(headers)) args.push("-H", `${name}: ${value}`);
  const output = execFileSync("wrk", [...args, url], { encoding: "utf8" });
  const requests = Number(/(\d+) requests in/.exec(output)?.[1]);
  const failed = /Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1];
  if (!Number.isFinite(requests) || requests === 0) throw new Error(`could not read wrk's output:\n${output}`);
  if (failed) throw new Error(`${failed} of ${requests} requests to ${url} failed:\n${output}`);
  return requests;
}

/** The instructions counted since the last zeroing: callgrind writes them to a new file per dump. */
async function dumpTotal(pid: number, outDir: string): Promise<number> {
  const before = new Set(fs.readdirSync(outDir));
  execFileSync("callgrind_control", ["--dump", String(pid)], { stdio: "ignore" });
  return waitFor("callgrind's dump", () => {
    for (const file of fs.readdirSync(outDir)) {
      if (before.has(file) || !file.startsWith(`callgrind.out.${pid}.`)) continue;
      const total = /^(?:summary|totals): (\d+)$/m.exec(fs.readFileSync(path.join(outDir, file), "utf8"))?.[1];
      if (total) return Number(total);
    }
    return undefined;
  });
}

async function main(): Promise<void> {
  requireTool("valgrind", "--version", "apt-get install valgrind");
  requireTool("callgrind_control", "-h", "apt-get install valgrind");
  requireTool("wrk", "--version", "apt-get install wrk");
  requireTool("nginx", "-v", "apt-get install nginx-light (Debian's package; the bench starts its own instance)");
  requireTool("haproxy", "-v", "apt-get install haproxy (Debian's package; the bench starts its own instance)");
  const config = (await import(
    pathToFileURL(path.join(REPO_ROOT, "apps/api/dist/ports/haproxy/haproxy-config.js")).href
  )) as HaproxyConfigModule;
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-callgrind-"));
  const appPort = await freePort();
  const app: ChildProcess = spawn("python3", ["-c", FIXED_RESPONSE_APP, String(appPort)], { stdio: "ignore" });
  try {
    await waitFor("the app", async () => {
      const res = await fetch(`http://127.0.0.1:${appPort}/`).catch(() => undefined);
      return res?.ok ? true : undefined;
    });
    const kubelab = async (launcher: string[]): Promise<RunningProxy> => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-haproxy-bench-"));
      const port = await freePort();
      const target = `127.0.0.1:${appPort}:node1`;
      fs.writeFileSync(
        path.join(dir, config.MAP_FILE),
        `h:${PORT_HOST}|${PORT_COOKIE_VALUE} ${target}\np:${SESSION}/node1/8000|${LOGIN} ${target}\n`,
      );
      fs.writeFileSync(path.join(dir, config.SET_COOKIE_FILTER_FILE), config.SET_COOKIE_FILTER_LUA);
      const file = path.join(dir, "haproxy.cfg");
      fs.writeFileSync(
        file,
        config.haproxyConfig({
          bindHost: "127.0.0.1",
          bindPort: port,
          // Every request of the bench is granted: none reaches Kubelab, which does not run here.
          kubelabPort: await freePort(),
          dir,
          trustedProxies: [],
          // One thread, as nginx's one worker.
          threads: 1,
          authPath: "/__kubelab/auth",
          loginCookie: LOGIN_COOKIE,
          pathFormCsp: "sandbox allow-scripts",
        }),
      );
      return runHaproxy(file, port, dir, launcher);
    };
    const portCookie = { Host: PORT_HOST, Cookie: `kubelab_port=${PORT_COOKIE_VALUE}` };
    const rows: Row[] = [
      {
        name: "nginx, 1 worker (reference)",
        start: (launcher) =>
          startNginx((listen) => nginxHttp(listen, "127.0.0.1", appPort, appPort), { launcher, masterProcess: false }),
        path: "/",
        headers: {},
      },
      {
        name: "HAProxy, port cookie map only",
        start: (launcher) =>
          startHaproxy(haproxyPortMap, { "ports.map": `${PORT_COOKIE_VALUE} 127.0.0.1:${appPort}\n` }, launcher),
        path: "/",
        headers: portCookie,
      },
      { name: "Kubelab's HAProxy, host form (port cookie)", start: kubelab, path: "/", headers: portCookie },
      {
        name: "Kubelab's HAProxy, host form, two app cookies too",
        start: kubelab,
        path: "/",
        headers: { ...portCookie, Cookie: `${portCookie.Cookie}${APP_COOKIES}` },
      },
      {
        name: "Kubelab's HAProxy, path form (login cookie)",
        start: kubelab,
        path: `/ports/${SESSION}/node1/8000/`,
        headers: { Cookie: `${LOGIN_COOKIE}=${LOGIN}` },
      },
    ];

    const started = new Date().toISOString();
    const perRequest = new Map<string, number>();
    for (const connections of CONNECTIONS) {
      for (const row of rows) {
        const launcher = [
          "valgrind",
          "--tool=callgrind",
          `--callgrind-out-file=${outDir}/callgrind.out.%p`,
          "--dump-instr=no",
        ];
        const proxy = await row.start(launcher);
        try {
          const url = `http://127.0.0.1:${proxy.port}${row.path}`;
          // Warm: connections to the app open, pools filled; then only the measured requests count.
          wrk(url, row.headers, connections, WARMUP);
          execFileSync("callgrind_control", ["--zero", String(proxy.pid)], { stdio: "ignore" });
          const requests = wrk(url, row.headers, connections, DURATION);
          perRequest.set(`${connections}|${row.name}`, (await dumpTotal(proxy.pid, outDir)) / requests);
        } finally {
          await proxy.stop();
        }
      }
      console.error(`${connections} connections done`);
    }

    console.log(
      `\nInstructions per request (callgrind, the proxy's process only), wrk -t1 -d${DURATION} after a ` +
        `${WARMUP} warm-up, started ${started}\n`,
    );
    console.log(`| Proxy | ${CONNECTIONS.map((c) => `${c} connections | vs nginx`).join(" | ")} |`);
    console.log(`| --- | ${CONNECTIONS.map(() => "---: | ---:").join(" | ")} |`);
    for (const row of rows) {
      const cells = CONNECTIONS.map((c) => {
        const count = perRequest.get(`${c}|${row.name}`) ?? Number.NaN;
        const nginx = perRequest.get(`${c}|${rows[0]!.name}`) ?? Number.NaN;
        return `${Math.round(count).toLocaleString("en")} | ${(count / nginx).toFixed(2)}`;
      });
      console.log(`| ${row.name} | ${cells.join(" | ")} |`);
    }
  } finally {
    if (app.exitCode === null) {
      const exited = once(app, "exit");
      app.kill();
      await exited;
    }
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

// `npm run dev`: the API and the web app in watch mode, in one terminal.
// - TypeScript (packages/shared, packages/lessons, apps/api) recompiles on save (tsc -b --watch);
//   after each error-free compilation that changed an output, the server restarts cleanly
//   (SIGTERM, shutdown, embedded PostgreSQL stopped, then started again).
// - The web app runs in Next.js development mode inside the server (KUBELAB_WEB_DEV=1): pages
//   compile on request and edits reach the browser by hot reload, no rebuild or restart.
// Ctrl-C stops the compiler and the server; the server finishes its shutdown first.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
if (Number(process.versions.node.split(".")[0]) < 24) {
  console.error(`Kubelab needs Node.js 24 or newer; this is ${process.version}. See README.md (Requirements).`);
  process.exit(1);
}
const log = (message) => console.log(`[dev] ${message}`);

// The Prisma client is generated code that tsc compiles against.
execFileSync(process.execPath, [path.join(root, "scripts/prisma-generate.mjs")], { cwd: root, stdio: "inherit" });

const envFile = path.join(root, ".env");
const serverArgs = [
  "--enable-source-maps",
  ...(fs.existsSync(envFile) ? [`--env-file=${envFile}`] : []),
  path.join(root, "apps/api/dist/main.js"),
];
let server = null;
let serverExited = Promise.resolve();
let stopping = false;
let restarting = false;
let outputsChanged = true;
// A compilation finished while the server was restarting: restart once more after.
let pendingRestart = false;

function startServer() {
  log("starting the server");
  // Own process group (as in `npm start`): Ctrl-C reaches this script, which stops the server
  // in order, instead of interrupting the embedded PostgreSQL under the server's feet. The IPC
  // channel stops the server if this script dies without that (see apps/api/src/main.ts).
  const child = spawn(process.execPath, serverArgs, {
    cwd: root,
    stdio: ["inherit", "inherit", "inherit", "ipc"],
    detached: true,
    env: { ...process.env, KUBELAB_WEB_DEV: "1" },
  });
  server = child;
  serverExited = new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      if (server === child) server = null;
      if (!stopping && !restarting)
        log(`the server stopped (${signal ?? `exit code ${code}`}); it starts again on the next change`);
      resolve();
    });
  });
}

async function stopServer(signal) {
  if (!server) return;
  server.kill(signal);
  await serverExited;
}

async function restartServer() {
  if (restarting || stopping) return;
  restarting = true;
  outputsChanged = false;
  if (server) log("compiled; restarting the server");
  await stopServer("SIGTERM");
  restarting = false;
  if (!stopping) startServer();
  if (outputsChanged && pendingRestart) {
    pendingRestart = false;
    void restartServer();
  }
}

// Which compilations changed something the server runs.
for (const dir of ["packages/shared/dist", "packages/lessons/dist", "apps/api/dist"]) {
  const full = path.join(root, dir);
  fs.mkdirSync(full, { recursive: true });
  fs.watch(full, { recursive: true }, (_event, file) => {
    if (file && /\.(js|json)$/.test(file)) outputsChanged = true;
  });
}

const tsc = spawn(
  process.execPath,
  [path.join(root, "node_modules/typescript/bin/tsc"), "-b", "--watch", "--preserveWatchOutput", "apps/api"],
  { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
);
readline.createInterface({ input: tsc.stdout }).on("line", (line) => {
  console.log(`[tsc] ${line}`);
  const done = /Found (\d+) errors?\. Watching for file changes/.exec(line);
  if (!done) return;
  if (done[1] !== "0") {
    log("not restarting: fix the compile errors first");
    return;
  }
  if (!server || outputsChanged) {
    if (restarting) pendingRestart = true;
    else void restartServer();
  }
});
tsc.on("exit", (code, signal) => {
  if (stopping) return;
  // SIGINT: Ctrl-C reached the compiler too (same process group); this script's handler follows.
  if (signal !== "SIGINT") log(`the TypeScript compiler stopped (${signal ?? `exit code ${code}`}); stopping`);
  void shutdown(signal === "SIGINT" ? 0 : 1);
});

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  log("stopping (the server finishes its shutdown first)");
  tsc.kill("SIGTERM");
  await stopServer("SIGINT");
  process.exit(code);
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => void shutdown(0));

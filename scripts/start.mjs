// `npm start`: everything a first start needs, then the server.
// Builds what is missing or stale, builds the node image if the engine lacks
// it, and runs Kubelab with .env (if present) on top of the environment.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const major = Number(process.versions.node.split(".")[0]);
if (major < 24) {
  console.error(`Kubelab needs Node.js 24 or newer; this is ${process.version}. See README.md (Requirements).`);
  process.exit(1);
}

function run(command, args) {
  execFileSync(command, args, { cwd: root, stdio: "inherit" });
}

console.log("[kubelab] building (incremental)...");
run("npm", ["run", "--silent", "build"]);

const image = process.env.NODE_IMAGE || "kubelab/node-offline:latest";
let haveImage = true;
try {
  execFileSync("docker", ["image", "inspect", image], { stdio: "ignore" });
} catch {
  haveImage = false;
}
if (!haveImage && image === "kubelab/node-offline:latest") {
  console.log(`[kubelab] node image ${image} not found; building it from Debian packages (about a minute)...`);
  run("bash", ["infra/images/node-offline/build.sh", image]);
} else if (!haveImage) {
  console.warn(`[kubelab] warning: node image ${image} is not on the Docker engine; sessions will fail until it is.`);
}

const envFile = path.join(root, ".env");
const args = [...(fs.existsSync(envFile) ? [`--env-file=${envFile}`] : []), path.join(root, "apps/api/dist/main.js")];
// The IPC channel tells the server when this launcher dies, even by kill -9 (see main.ts).
// Its own process group: Ctrl-C in the terminal reaches only this launcher, which passes it on,
// so the embedded PostgreSQL (the server's child) is not interrupted by the terminal while the
// server's shutdown still needs it; the server stops it last.
const server = spawn(process.execPath, args, {
  cwd: root,
  stdio: ["inherit", "inherit", "inherit", "ipc"],
  detached: true,
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

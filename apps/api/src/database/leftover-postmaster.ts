import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Logger } from "@nestjs/common";
import { isProcessAlive } from "../common/process-alive";

const logger = new Logger("EmbeddedPostgres");

// A fast shutdown (SIGINT) rolls back open transactions and checkpoints; it
// normally takes well under a second, more only with a large amount of WAL.
const SHUTDOWN_TIMEOUT_MS = 30_000;

interface ProcessInfo {
  args: string[];
  parentPid: number;
}

/**
 * Clears what a previous Kubelab left on the embedded database directory.
 *
 * After the server dies without running its shutdown (kill -9, OOM killer),
 * its PostgreSQL keeps running, reparented to init, holding postmaster.pid and
 * the port. We stop it with a fast shutdown and start our own rather than
 * adopting it: the orphan has no owner to stop it when this server stops, its
 * log no longer reaches anyone, and it may run with settings (port) this
 * start-up no longer asks for.
 *
 * Only a live `postgres -D <this directory>` whose parent is not a running
 * Node.js process is stopped: a pid reused by another process just makes the
 * lock file stale, and a PostgreSQL whose Kubelab is still alive is refused.
 */
export async function clearLeftoverPostmaster(databaseDir: string): Promise<void> {
  const pidFile = path.join(databaseDir, "postmaster.pid");
  const pid = readPostmasterPid(pidFile);
  if (pid === undefined) return;
  const postmaster = describeProcess(pid);
  if (!postmaster) {
    logger.warn(`Removing stale ${pidFile} (process ${pid} is gone)`);
    fs.rmSync(pidFile, { force: true });
    return;
  }
  if (!isPostgresOn(postmaster, databaseDir)) {
    logger.warn(`Removing stale ${pidFile} (process ${pid} is not PostgreSQL on this directory; its pid was reused)`);
    fs.rmSync(pidFile, { force: true });
    return;
  }
  // Orphans are adopted by init (pid 1, which may itself be Node in a container) or a subreaper.
  const parent = postmaster.parentPid === 1 ? undefined : describeProcess(postmaster.parentPid);
  if (parent && isNode(parent)) {
    throw new Error(
      `The embedded PostgreSQL on ${databaseDir} (pid ${pid}) belongs to a running process ` +
        `(pid ${postmaster.parentPid}: ${parent.args.join(" ")}); is another Kubelab using this KUBELAB_DATA_DIR? ` +
        "Stop it first, or give this one its own KUBELAB_DATA_DIR.",
    );
  }
  logger.warn(`Stopping the embedded PostgreSQL (pid ${pid}) left running by a Kubelab that did not shut down`);
  // Checked again right before the signal, so the window for a reused pid is as small as it can be.
  const current = describeProcess(pid);
  if (!current || !isPostgresOn(current, databaseDir)) return clearLeftoverPostmaster(databaseDir);
  process.kill(pid, "SIGINT");
  const deadline = Date.now() + SHUTDOWN_TIMEOUT_MS;
  // A zombie counts as gone: it holds neither the port nor the data directory.
  while (describeProcess(pid)) {
    if (Date.now() > deadline) {
      throw new Error(
        `The embedded PostgreSQL left running on ${databaseDir} (pid ${pid}) did not stop within ` +
          `${SHUTDOWN_TIMEOUT_MS / 1000} s of a fast shutdown request; stop it by hand (kill -INT ${pid}) and start again.`,
      );
    }
    await sleep(100);
  }
  logger.log(`Leftover embedded PostgreSQL (pid ${pid}) stopped`);
}

function readPostmasterPid(pidFile: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(pidFile, "utf8");
  } catch {
    return undefined;
  }
  const pid = Number(text.split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isPostgresOn(info: ProcessInfo, databaseDir: string): boolean {
  const [program, ...rest] = info.args;
  if (!program || path.basename(program) !== "postgres") return false;
  const dir = rest[rest.indexOf("-D") + 1];
  return rest.includes("-D") && dir !== undefined && samePath(dir, databaseDir);
}

function isNode(info: ProcessInfo): boolean {
  return /^node(js)?(\d+)?$/.test(path.basename(info.args[0] ?? ""));
}

function samePath(a: string, b: string): boolean {
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return path.resolve(a) === path.resolve(b);
  }
}

/** Command line and parent of a live process, or undefined when there is none (or it is a zombie). */
function describeProcess(pid: number): ProcessInfo | undefined {
  if (pid <= 1 || !isProcessAlive(pid)) return undefined;
  if (fs.existsSync("/proc/self/stat")) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      // The command name (field 2) may contain spaces and parentheses: parse after its last ')'.
      const [state, parent] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (state === "Z" || state === "X") return undefined;
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
      return { args, parentPid: Number(parent) };
    } catch {
      return undefined;
    }
  }
  // Without /proc (macOS): ps gives the command line as one string, split on spaces.
  try {
    const line = execFileSync("ps", ["-o", "ppid=,state=,args=", "-p", String(pid)], { encoding: "utf8" }).trim();
    const [parent, state, ...args] = line.split(/\s+/);
    if (!parent || state?.startsWith("Z")) return undefined;
    return { args, parentPid: Number(parent) };
  } catch {
    return undefined;
  }
}

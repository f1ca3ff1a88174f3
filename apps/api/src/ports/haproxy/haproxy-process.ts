import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Logger } from "@nestjs/common";
import { isProcessAlive } from "../../common/process-alive";
import { ConfigError } from "../../config/config-error";
import { MAP_FILE, SET_COOKIE_FILTER_FILE, SET_COOKIE_FILTER_LUA, SOCKET_FILE, haproxyConfig } from "./haproxy-config";
import type { HaproxyConfigInput } from "./haproxy-config";
import { HaproxyRuntime } from "./haproxy-runtime";

const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 3_000;
const RESTART_DELAY_MS = 1_000;
const STDERR_KEPT = 4_000;
const DIR_PREFIX = "kubelab-haproxy-";
// The PID of the Kubelab process a folder belongs to.
const OWNER_FILE = "kubelab.pid";

// HAProxy runs under a shell that kills it when Kubelab's end of its standard input closes: when
// Kubelab exits in any way (even kill -9), HAProxy must not live on holding PORT. (An asynchronous
// command's standard input is /dev/null unless redirected, hence fd 3.) When HAProxy ends first,
// the watcher is ended too, so it can never signal a later process that got HAProxy's pid.
//
// -dMglobal: freed memory goes back to HAProxy's shared pools, not to malloc. Without it, each
// thread keeps only a small cache, and with a few hundred connections their buffers went through
// malloc and free on every request (8 % more instructions per request at 256 connections,
// docs/ports.md). HAProxy's manual gives the cost: more memory held, up to the peak's buffers.
const LIFELINE = [
  "exec 3<&0",
  'haproxy -dMglobal -db -f "$1" </dev/null & pid=$!',
  '(cat <&3 >/dev/null; kill "$pid" 2>/dev/null) & watcher=$!',
  'wait "$pid"; status=$?',
  'kill "$watcher" 2>/dev/null',
  'exit "$status"',
].join("\n");

/**
 * HAProxy as Kubelab's front door (PORT_DATA_PLANE=haproxy): writes its configuration into a
 * temporary folder, starts it, restarts it if it dies (the map starts empty again, and `onRestart`
 * lets the owner forget what it had put there) and stops it with Kubelab.
 */
export class HaproxyProcess {
  private readonly logger = new Logger("HAProxy");
  private child: ChildProcess | undefined;
  private stopping = false;
  private stderr = "";
  readonly runtime: HaproxyRuntime;

  private constructor(
    private readonly input: HaproxyConfigInput,
    private readonly onRestart: () => void,
  ) {
    this.runtime = new HaproxyRuntime(path.join(input.dir, SOCKET_FILE), path.join(input.dir, MAP_FILE));
  }

  /** A ConfigError saying what to install when the haproxy command is missing. */
  static assertInstalled(): void {
    const version = spawnSync("haproxy", ["-v"], { encoding: "utf8" });
    if (version.error || version.status !== 0) {
      throw new ConfigError(
        "PORT_DATA_PLANE=haproxy needs HAProxy, which is not installed: apt-get install haproxy " +
          "(or set PORT_DATA_PLANE=node).",
      );
    }
  }

  static async start(input: Omit<HaproxyConfigInput, "dir">, onRestart: () => void): Promise<HaproxyProcess> {
    HaproxyProcess.assertInstalled();
    HaproxyProcess.removeStaleFolders(os.tmpdir());
    // Short: the runtime socket's path must fit a Unix socket address (108 bytes).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), DIR_PREFIX));
    fs.writeFileSync(path.join(dir, OWNER_FILE), String(process.pid));
    fs.writeFileSync(path.join(dir, MAP_FILE), "");
    fs.writeFileSync(path.join(dir, SET_COOKIE_FILTER_FILE), SET_COOKIE_FILTER_LUA);
    fs.writeFileSync(path.join(dir, "haproxy.cfg"), haproxyConfig({ ...input, dir }));
    const haproxy = new HaproxyProcess({ ...input, dir }, onRestart);
    await haproxy.run();
    return haproxy;
  }

  /**
   * Removes the folders of HAProxy processes whose Kubelab is gone without cleaning up (killed with
   * -9: its HAProxy goes with it, the folder stays). Only folders that name their Kubelab process
   * are touched, and only when that process no longer runs: a live Kubelab's folder stays even
   * while its HAProxy restarts.
   */
  static removeStaleFolders(tmp: string): void {
    let names: string[];
    try {
      names = fs.readdirSync(tmp).filter((name) => name.startsWith(DIR_PREFIX));
    } catch {
      return;
    }
    for (const name of names) {
      const dir = path.join(tmp, name);
      try {
        const owner = Number(fs.readFileSync(path.join(dir, OWNER_FILE), "utf8"));
        if (!Number.isInteger(owner) || owner <= 0 || isProcessAlive(owner)) continue;
        fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        // No owner named (not ours, or still being written), another user's folder, or removed meanwhile.
      }
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.stdin?.end();
      const kill = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
      await exited;
      clearTimeout(kill);
    }
    fs.rmSync(this.input.dir, { recursive: true, force: true });
  }

  private async run(): Promise<void> {
    this.stderr = "";
    fs.writeFileSync(path.join(this.input.dir, MAP_FILE), "");
    const child = spawn("sh", ["-c", LIFELINE, "haproxy", path.join(this.input.dir, "haproxy.cfg")], {
      stdio: ["pipe", "ignore", "pipe"],
    });
    this.child = child;
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text: string) => {
      this.stderr = (this.stderr + text).slice(-STDERR_KEPT);
      for (const line of text.split("\n")) if (line.trim()) this.logger.warn(line.trim());
    });
    child.once("exit", (code, signal) => {
      // The watcher's cat ends with it.
      child.stdin?.destroy();
      if (this.stopping || this.child !== child) return;
      this.logger.error(`HAProxy exited (${signal ?? `code ${code}`}); starting it again in 1 s`);
      this.onRestart();
      setTimeout(() => {
        if (!this.stopping) this.run().catch((error: unknown) => this.logger.error((error as Error).message));
      }, RESTART_DELAY_MS);
    });
    await this.waitUntilListening(child);
  }

  /**
   * HAProxy binds all its listeners before it serves its runtime API, so an answer there means PORT
   * is HAProxy's. (A connection to PORT proves nothing: at start the start-up responder shares it.)
   */
  private async waitUntilListening(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) break;
      if (await this.runtime.answers()) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.stdin?.end();
    throw new ConfigError(
      `HAProxy did not start listening on ${this.input.bindHost}:${this.input.bindPort}: ` +
        (this.stderr.trim() || "it said nothing"),
    );
  }
}

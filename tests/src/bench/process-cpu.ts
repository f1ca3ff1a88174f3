// CPU time of processes read from /proc (Linux), for benchmarks that report what a server costs.
import fs from "node:fs";
import os from "node:os";

// Clock ticks per second of /proc/<pid>/stat's utime and stime; 100 on every Linux we run on.
const TICKS_PER_SECOND = 100;

/** utime + stime of a process in seconds, or 0 once it has gone. */
function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return fs
    .readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** `root` and every process below it, now. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of allPids()) {
    const parent = parentOf(pid);
    if (parent === undefined) continue;
    children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const tree: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    tree.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** The PostgreSQL server listening on `port` (its postmaster: `postgres ... -p <port>`), if found. */
export function postgresOnPort(port: number): number | undefined {
  return allPids().find((pid) => {
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      const p = argv.indexOf("-p");
      return /postgres$/.test(argv[0] ?? "") && p >= 0 && argv[p + 1] === String(port);
    } catch {
      return false;
    }
  });
}

/**
 * Measures the CPU used by a group of processes over an interval, as a share of one core: call
 * `start()`, do the work, then `stop()`. Processes are looked up again at the end (PostgreSQL starts
 * a backend per connection), and time of those that were not there at the start counts in full.
 */
export class CpuMeter {
  private before = new Map<number, number>();
  private startedAt = 0;

  constructor(private readonly pids: () => number[]) {}

  start(): void {
    this.before = new Map(this.pids().map((pid) => [pid, cpuSeconds(pid)]));
    this.startedAt = performance.now();
  }

  /** Percent of one core used since start() (100 = one core busy all the time). */
  stop(): number {
    const seconds = (performance.now() - this.startedAt) / 1000;
    let used = 0;
    for (const pid of new Set([...this.before.keys(), ...this.pids()])) {
      used += Math.max(0, cpuSeconds(pid) - (this.before.get(pid) ?? 0));
    }
    return (used / seconds) * 100;
  }
}

/** Cores of this machine, for the report. */
export const CORES = os.cpus().length;

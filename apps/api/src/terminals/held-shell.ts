/**
 * A terminal's shell held in its node by Kubelab's terminal holder (issue 19,
 * infra/terminal-holder/kubelab-term.py), so that it outlives the Kubelab process that started it:
 * a restarted (or a second) Kubelab process finds it by a name derived from the terminal id
 * (`/run/kubelab/terminals/<id>.sock`; the node is the container, the session owns the node) and
 * attaches to it instead of starting another shell.
 *
 * The holder numbers the shell's output bytes itself and keeps the last ones, so offsets mean the
 * same to every Kubelab process: a browser resuming after a restart gets exactly what it missed,
 * or a `gap` naming what the holder no longer has.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

/** Where a node keeps its terminals' sockets and shell PID files. */
export const TERMINALS_DIR = "/run/kubelab/terminals";

const HOLDER_SCRIPT_PATH = path.resolve(__dirname, "../../../../infra/terminal-holder/kubelab-term.py");
let holderScript: string | undefined;

/** Exit status of the attach command when the node has no python3 to run the holder with. */
export const NO_HOLDER_EXIT_CODE = 127;

/**
 * The command (run without a TTY: the holder's pty is the only one) that attaches to the
 * terminal's held shell, starting it first if it does not run. The holder is passed in the
 * command line, so nothing has to be installed in the node but python3.
 */
export function holderCommand(terminalId: string, ringBytes: number, size: { cols: number; rows: number }): string[] {
  holderScript ??= readFileSync(HOLDER_SCRIPT_PATH, "utf8");
  return [
    "/bin/sh",
    "-c",
    `command -v python3 >/dev/null 2>&1 || { echo "python3 is missing" >&2; exit ${NO_HOLDER_EXIT_CODE}; }
exec python3 -c "$0" "$@"`,
    holderScript,
    TERMINALS_DIR,
    terminalId,
    String(ringBytes),
    String(size.cols),
    String(size.rows),
  ];
}

/**
 * The command (run with docker exec's own TTY) for a shell that is not held: with the holder
 * switched off, or in a node without python3. It dies with its exec, as before issue 19.
 */
export function plainShellCommand(terminalId: string): string[] {
  const script = [
    `d=${TERMINALS_DIR}; mkdir -p "$d"; echo $$ > "$d/$1.pid"`,
    "if command -v bash >/dev/null; then exec bash -l; else exec sh -l; fi",
  ].join("\n");
  return ["/bin/sh", "-c", script, "kubelab-terminal", terminalId];
}

/** What the holder says first to a client that connects. */
export interface HolderHello {
  /** "created": the shell was started for this client; "attached": it ran before. */
  state: "created" | "attached";
  /** Offsets of the output the holder still has (it sends those bytes right after the hello). */
  start: number;
  end: number;
  /** The shell's PID in the node. */
  pid: number;
}

/** Parses and checks a hello frame's JSON. */
export function parseHolderHello(payload: Buffer): HolderHello {
  const value: unknown = JSON.parse(payload.toString("utf8"));
  const hello = value as Partial<HolderHello>;
  const offsets = [hello.start, hello.end, hello.pid];
  if (
    (hello.state !== "created" && hello.state !== "attached") ||
    !offsets.every((n) => typeof n === "number" && Number.isSafeInteger(n) && n >= 0) ||
    (hello.start ?? 0) > (hello.end ?? 0)
  )
    throw new Error(`bad hello from the terminal holder: ${payload.toString("utf8").slice(0, 200)}`);
  return hello as HolderHello;
}

export const HOLDER_FRAME_HEAD = 5;

/** One frame of the holder's protocol: a type byte, a 4-byte big-endian length, the payload. */
export function holderFrame(kind: "i" | "r", payload: Buffer): Buffer {
  const head = Buffer.allocUnsafe(HOLDER_FRAME_HEAD);
  head.write(kind, 0, "latin1");
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

/** The window size frame. */
export function resizeFrame(cols: number, rows: number): Buffer {
  const size = Buffer.allocUnsafe(4);
  size.writeUInt16BE(Math.min(Math.max(cols, 1), 0xffff), 0);
  size.writeUInt16BE(Math.min(Math.max(rows, 1), 0xffff), 2);
  return holderFrame("r", size);
}

// Frames larger than this are not the holder's (it sends at most 256 KiB of output per frame).
const MAX_FRAME_BYTES = 1024 * 1024;

/**
 * Splits a byte stream into frames. Used twice: for Docker's multiplexed stdout/stderr of an exec
 * without a TTY (8-byte heads: stream, 3 zero bytes, length) and for the holder's own frames.
 */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly headBytes: number,
    private readonly onFrame: (kind: number, payload: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.headBytes) return;
    let data = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    let offset = 0;
    while (data.length - offset >= this.headBytes) {
      const length = data.readUInt32BE(offset + this.headBytes - 4);
      if (length > MAX_FRAME_BYTES) throw new Error(`frame of ${length} bytes: not a terminal holder's stream`);
      const end = offset + this.headBytes + length;
      if (end > data.length) break;
      this.onFrame(data[offset]!, data.subarray(offset + this.headBytes, end));
      offset = end;
    }
    data = data.subarray(offset);
    this.pending = data.length ? [data] : [];
    this.pendingBytes = data.length;
  }
}

export const DOCKER_STREAM_HEAD = 8;

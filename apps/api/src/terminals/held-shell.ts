/**
 * A terminal's shell held in the node by dtach (issue 19), so that it outlives the Kubelab process
 * that started it: a restarted (or a second) Kubelab process finds it again by a name derived from
 * the terminal id (`/run/kubelab/terminals/<id>.sock`; the node is the container, the session owns
 * the node) and attaches to it instead of starting another shell.
 *
 * dtach is a byte relay, not a screen renderer: what the shell prints reaches Kubelab unchanged, so
 * output offsets, the replay buffer and `gap` keep their meaning. Its only additions, a screen
 * clear when a client attaches and a banner when the shell is gone, are taken out again here.
 */

/** Where a node keeps its terminals' sockets, PID files and exit codes. */
export const TERMINALS_DIR = "/run/kubelab/terminals";

/**
 * Exit status of the attach command when its dtach client was ended but the shell still runs
 * (another Kubelab process cleared it away as stale): the terminal did not end, it moved.
 */
export const DETACHED_EXIT_CODE = 200;

/** How the attach command found the terminal: started now, an existing held shell, or no holder. */
export type HeldShellState = "created" | "attached" | "plain";

export interface HeldShellHeader {
  state: HeldShellState;
  /** PID of this attach command in the node (its dtach client is its child). */
  clientPid: number;
  /** How many times Kubelab processes attached to this held shell before (0: started now). */
  generation: number;
  /** The other attach commands of this terminal, each with the Kubelab process that owns it. */
  others: { pid: number; owner: string }[];
}

const HEADER_PREFIX = "kubelab-terminal ";
// Bounded: a header line longer than this is not ours (e.g. an image whose shell prints first).
const HEADER_MAX_BYTES = 4096;

/**
 * The command (`/bin/sh -c`) that attaches to the terminal's held shell or starts it. Arguments:
 * terminal id, owner (who this Kubelab process is), "1" to use dtach when the node has it.
 *
 * It prints one header line first (see parseHeldShellHeader), then becomes the terminal. Without
 * dtach (an older custom image, or the holder switched off) it runs the plain login shell as before.
 * The shell's PID file lets the registry end the shell and everything started in it (dtach starts
 * it as a session leader, as `docker exec` does for the plain shell); its exit status is kept in a
 * file because the dtach client's own exit status does not carry it.
 */
export function heldShellCommand(terminalId: string, owner: string, useHolder: boolean): string[] {
  const script = [
    `d=${TERMINALS_DIR}; t="$d/$1"; mkdir -p "$d"`,
    "login() { if command -v bash >/dev/null; then exec bash -l; else exec sh -l; fi; }",
    'if [ "$3" != 1 ] || ! command -v dtach >/dev/null 2>&1; then',
    '  echo "kubelab-terminal plain $$ 0"; echo $$ > "$t.pid"; login',
    "fi",
    // A socket whose dtach master died (e.g. killed) refuses connections: start afresh then.
    'if [ -S "$t.sock" ] && dtach -p "$t.sock" </dev/null >/dev/null 2>&1; then state=attached',
    'else state=created; rm -f "$t.sock" "$t.exit" "$t.pid" "$t".client.*; fi',
    // The other attach commands still running (files of ended ones are removed).
    'others=""; for f in "$t".client.*; do [ -f "$f" ] || continue; p=${f##*.}',
    '  if [ -d "/proc/$p" ]; then others="$others $p=$(cat "$f")"; else rm -f "$f"; fi; done',
    'echo "$2" > "$t.client.$$"',
    // Each attach to a held shell is a new generation: its output offsets start above the last's.
    'gen=0; [ $state = attached ] && gen=$(( $(cat "$t.gen" 2>/dev/null || echo 0) + 1 )); echo $gen > "$t.gen"',
    'echo "kubelab-terminal $state $$ $gen$others"',
    // -E: no detach key (every byte is the attendee's); -z: Ctrl-Z reaches the shell; -r winch:
    // full-screen programs redraw when a client attaches.
    'dtach -A "$t.sock" -E -z -r winch /bin/sh -c \'echo $$ > "$0.pid"; if command -v bash >/dev/null; then bash -l; else sh -l; fi; echo $? > "$0.exit"\' "$t"',
    'rc=$?; rm -f "$t.client.$$"',
    'if [ -f "$t.exit" ]; then exit "$(cat "$t.exit")"; fi',
    `if dtach -p "$t.sock" </dev/null >/dev/null 2>&1; then exit ${DETACHED_EXIT_CODE}; fi`,
    "exit $rc",
  ].join("\n");
  return ["/bin/sh", "-c", script, "kubelab-terminal", terminalId, owner, useHolder ? "1" : "0"];
}

/**
 * Splits the attach command's header line off the start of its output. `undefined` while the line
 * is incomplete; throws when the output does not start with a header (it is not our command).
 */
export function parseHeldShellHeader(output: Buffer): { header: HeldShellHeader; rest: Buffer } | undefined {
  const newline = output.indexOf(0x0a);
  if (newline < 0) {
    if (output.length > HEADER_MAX_BYTES) throw new Error("the terminal's attach command printed no header");
    return undefined;
  }
  const line = output.subarray(0, newline).toString("utf8").replace(/\r$/, "");
  if (!line.startsWith(HEADER_PREFIX)) throw new Error(`unexpected first line from the attach command: ${line}`);
  const [state, pid, generation, ...rest] = line.slice(HEADER_PREFIX.length).trim().split(/\s+/);
  if (state !== "created" && state !== "attached" && state !== "plain") throw new Error(`bad header: ${line}`);
  const others = rest.flatMap((entry) => {
    const [otherPid, owner] = entry.split("=", 2);
    return otherPid && /^\d+$/.test(otherPid) && owner ? [{ pid: Number(otherPid), owner }] : [];
  });
  const header: HeldShellHeader = { state, clientPid: Number(pid), generation: Number(generation), others };
  if (!Number.isSafeInteger(header.clientPid) || !Number.isSafeInteger(header.generation))
    throw new Error(`bad header: ${line}`);
  return { header, rest: output.subarray(newline + 1) };
}

// Output offsets of an attach generation start at generation × 4 TiB: above anything an earlier
// process can have numbered, with room for 2047 re-attaches within Number.MAX_SAFE_INTEGER.
const GENERATION_SPAN = 2 ** 42;

/** The output offset a re-attached terminal starts at (0 for a shell started now). */
export function generationBase(generation: number): number {
  return Math.min(generation, 2047) * GENERATION_SPAN;
}

/** Identifies a Kubelab process to the attach commands it starts (`host:pid:startedAtMs`). */
export function processOwner(host: string, pid: number, startedAt: number): string {
  return `${host.replace(/[^A-Za-z0-9._-]/g, "_")}:${pid}:${startedAt}`;
}

/**
 * Whether another process's attach command is stale: its owner is this host's process that no
 * longer runs (a Kubelab process that was killed or restarted), or this very process restarted in
 * a container (same host and PID, another start). Attach commands of live processes and of other
 * hosts are left alone: several Kubelab processes may watch one terminal.
 */
export function isStaleOwner(owner: string, me: string, isAlive: (pid: number) => boolean): boolean {
  const [host, pid, started] = owner.split(":");
  const [myHost, myPid, myStart] = me.split(":");
  if (!host || !pid || host !== myHost) return false;
  if (pid === myPid) return started !== myStart;
  return !isAlive(Number(pid));
}

const ATTACH_CLEAR = Buffer.from("\x1b[H\x1b[J");
const EOF_BANNER = "\x1b[999H\r\n[EOF - dtach terminating]\r\n";
const SHOW_CURSOR = "\x1b[?25h";

/**
 * Takes dtach's own output back out of a held shell's stream: the screen clear it writes when it
 * attaches (the browser keeps its screen across a reconnect) and the banner it writes when the
 * shell is gone (the client gets an `exit` message instead). The banner is written with one write
 * at the very end, so it is matched at the end of a chunk; nothing is held back.
 */
export class HeldShellOutputFilter {
  private atStart = true;
  private sawBanner = false;

  filter(chunk: Buffer): Buffer {
    if (this.atStart && chunk.length > 0) {
      // dtach writes the clear with one write before anything else.
      this.atStart = false;
      if (chunk.subarray(0, ATTACH_CLEAR.length).equals(ATTACH_CLEAR)) chunk = chunk.subarray(ATTACH_CLEAR.length);
    }
    // Only the chunk's tail is looked at (latin1: one character per byte, so lengths are bytes).
    const tailBytes = Math.min(chunk.length, EOF_BANNER.length + SHOW_CURSOR.length);
    const tail = chunk.subarray(chunk.length - tailBytes).toString("latin1");
    if (this.sawBanner && chunk.length === SHOW_CURSOR.length && tail === SHOW_CURSOR) return chunk.subarray(0, 0);
    const cursor = tail.endsWith(SHOW_CURSOR) ? SHOW_CURSOR.length : 0;
    if (!tail.slice(0, tail.length - cursor).endsWith(EOF_BANNER)) return chunk;
    this.sawBanner = true;
    return chunk.subarray(0, chunk.length - cursor - EOF_BANNER.length);
  }
}

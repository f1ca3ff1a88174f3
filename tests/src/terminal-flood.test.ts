// A flood of output through a held terminal (issue 19) always completes, byte for byte: with a
// reader that keeps up and with one that pauses (the WebSocket backed up, Kubelab pausing the exec
// stream, the node's relays blocking in turn). A stall here is a hung terminal in front of a class.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { docker, execIn } from "./support/docker-objects";
import { useKubelab } from "./support/lab-fixture";
import { TerminalClient } from "./support/terminal-client";
import { waitFor } from "./support/wait-for";

const NODE_IMAGE = process.env.KUBELAB_TEST_NODE_IMAGE ?? "kubelab/node-offline:latest";
// FLOOD_HOLDER=false: the same tests on a plain shell (docker exec's own pty), for comparison.
const HOLDER = process.env.FLOOD_HOLDER ?? "true";
const LINE = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde";
const MIB = Number(process.env.FLOOD_MIB ?? 16);
// No new output for this long is a stall (a flood on this shared machine moves megabytes a second).
const STALL_MS = 30_000;
// The pausing reader: long enough for every buffer on the way (TCP, Kubelab, dockerd, the node's
// holder's socket) to fill and the shell's writer to block, then reading again briefly.
const PAUSED_MS = Number(process.env.FLOOD_PAUSED_MS ?? 600);
const RESUMED_MS = Number(process.env.FLOOD_RESUMED_MS ?? 100);

describe("output floods through a held terminal", () => {
  const lab = useKubelab({
    withReadySession: true,
    browserOrigin: true,
    env: { NODE_IMAGES: NODE_IMAGE, TERMINAL_HOLDER: HOLDER },
  });

  /** What the node shows of the terminal's processes and sockets when a flood stalled. */
  async function diagnose(): Promise<string> {
    const [container] = await docker.listContainers({
      filters: { label: [`kubelab.session=${lab.session.id}`, "kubelab.node=node1"] },
    });
    if (!container) return "no node1 container";
    const ps = await execIn(container.Id, ["ps", "-eo", "pid,stat,wchan:24,args"]);
    const ss = await execIn(container.Id, ["sh", "-c", "ss -xp 2>/dev/null | grep -i kubelab || true"]);
    return `${ps.output}\n${ss.output}`;
  }

  /**
   * Runs a flood of MIB MiB and checks what arrived between the command's echo and its end marker:
   * exactly the lines printed (the shell's pty turns each \n into \r\n), none lost, none repeated.
   * `pauses`: the reader stops reading its socket for a while, again and again.
   */
  async function flood(terminal: TerminalClient, round: number, pauses: boolean): Promise<number> {
    const chunks: Buffer[] = [];
    let received = 0;
    const collect = (data: Buffer, isBinary: boolean): void => {
      if (!isBinary) return;
      chunks.push(data);
      received += data.length;
      // The test client's own copy of everything would grow quadratically: it is not needed here.
      terminal.output = Buffer.alloc(0);
    };
    terminal.ws.on("message", collect);
    const tail = (): string => Buffer.concat(chunks.slice(-3)).subarray(-4096).toString("latin1");
    const marker = `flood-end-${round}-`;
    const started = Date.now();
    terminal.send(`yes ${LINE} | head -c ${MIB * 1024 * 1024}; echo ${marker}$((6*7))\r`);
    let timer: NodeJS.Timeout | undefined;
    if (pauses) {
      const cycle = (): void => {
        terminal.ws.pause();
        timer = setTimeout(() => {
          terminal.ws.resume();
          timer = setTimeout(cycle, RESUMED_MS);
        }, PAUSED_MS);
      };
      cycle();
    }
    let seen = 0;
    let lastProgress = Date.now();
    try {
      for (;;) {
        if (tail().includes(`${marker}42`)) break;
        if (received !== seen) {
          seen = received;
          lastProgress = Date.now();
        } else if (Date.now() - lastProgress > STALL_MS) {
          assert.fail(`flood ${round} stalled at ${(seen / 2 ** 20).toFixed(1)} MiB of ${MIB}:\n${await diagnose()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      clearTimeout(timer);
      terminal.ws.resume();
      terminal.ws.off("message", collect);
    }
    const text = Buffer.concat(chunks).toString("latin1");
    const start = text.indexOf(`${LINE}\r\n`);
    const end = text.indexOf(`${marker}42`);
    const body = text.slice(start, end);
    const lines = (MIB * 1024 * 1024) / (LINE.length + 1);
    assert.equal(body.length, lines * (LINE.length + 2), `flood ${round}: every line once, none lost or repeated`);
    assert.equal(body, `${LINE}\r\n`.repeat(lines), `flood ${round}: the lines arrive intact`);
    return Date.now() - started;
  }

  /** Opens a terminal of node1 and waits for its prompt. */
  async function openShell(name: string): Promise<TerminalClient> {
    const terminal = await TerminalClient.connect(lab.owner, lab.publicUrl, lab.session.id, "node1", {
      terminal: name,
      cols: 120,
      rows: 40,
    });
    await terminal.waitForOutput(/[$#] $/m, 30_000);
    return terminal;
  }

  it("floods complete, intact, with a fast and with a pausing reader, again and again", async (t) => {
    const terminal = await openShell("flood");
    try {
      const [container] = await docker.listContainers({
        filters: { label: [`kubelab.session=${lab.session.id}`, "kubelab.node=node1"] },
      });
      const { output } = await execIn(container!.Id, ["ps", "-eo", "comm="]);
      if (HOLDER === "true") assert.match(output, /kubelab-hold/, "the shell is held by Kubelab's terminal holder");
      const rounds = Number(process.env.FLOOD_ROUNDS ?? 6);
      for (let round = 0; round < rounds; round++) {
        // As the benchmark does between floods: a program reading keystrokes, ended with Ctrl-C.
        terminal.send(`stty -echoctl; echo reading-${round}-$((6*7)); cat >/dev/null\r`);
        await terminal.waitForOutput(new RegExp(`reading-${round}-42`), 30_000);
        await new Promise((resolve) => setTimeout(resolve, 200));
        for (let i = 0; i < 100; i++) terminal.send(i % 64 === 63 ? "\r" : "x");
        terminal.send("\x03");
        // What is typed while the shell takes its terminal back from cat may be flushed: wait for it.
        await new Promise((resolve) => setTimeout(resolve, 300));
        terminal.send(`echo ready-${round}-$((6*7))\r`);
        await terminal.waitForOutput(new RegExp(`ready-${round}-42`), 30_000);
        const pauses = round % 2 === 1;
        const ms = await flood(terminal, round, pauses);
        t.diagnostic(`flood ${round} (${pauses ? "pausing" : "fast"} reader): ${MIB} MiB in ${ms} ms`);
      }
    } finally {
      terminal.close();
    }
  });

  // dtach 0.9, the first holder, hung here for good: its master wrote keystrokes to the pty with
  // blocking writes, so once the program in front stopped reading them it stopped relaying output.
  it("a large paste while a program prints does not hang the terminal", async () => {
    const terminal = await openShell("paste");
    try {
      terminal.send(`sleep 1; yes ${LINE} | head -c 2m; echo printed-$((6*7))\r`);
      const paste = Buffer.from("echo pasted-line\n".repeat(8 * 1024)); // 136 KiB, sent as the web app does
      for (let offset = 0; offset < paste.length; offset += 64 * 1024)
        terminal.send(paste.subarray(offset, offset + 64 * 1024));
      await terminal.waitForOutput(/printed-42/, 20_000); // about 1 s without the holder
      // And the terminal still takes input once the shell has worked through the type-ahead (how much
      // of it survives is the TTY's business: a plain shell, FLOOD_HOLDER=false, keeps no more).
      let seen = -1;
      await waitFor(
        "the shell to go quiet after the paste",
        async () => {
          const now = terminal.output.length;
          const quiet = now === seen;
          seen = now;
          if (!quiet) await new Promise((resolve) => setTimeout(resolve, 1_000));
          return quiet ? true : undefined;
        },
        90_000,
        10,
      );
      terminal.send("\x03");
      await new Promise((resolve) => setTimeout(resolve, 300));
      terminal.send("echo paste-done-$((6*7))\r");
      await terminal.waitForOutput(/paste-done-42/, 30_000);
    } finally {
      terminal.drop();
    }
  });
});

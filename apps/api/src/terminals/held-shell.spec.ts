import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Duplex } from "node:stream";
import { after, describe, it } from "node:test";
import { FrameReader, holderCommand, holderFrame, parseHolderHello, resizeFrame } from "./held-shell";
import { HeldShellStream } from "./held-shell-stream";

describe("the terminal holder's frames", () => {
  it("splits frames at any chunk boundary, including inside a head", () => {
    const frames = Buffer.concat([
      holderFrame("i", Buffer.from("hello")),
      holderFrame("i", Buffer.alloc(0)),
      resizeFrame(120, 40),
      holderFrame("i", Buffer.from("x".repeat(300))),
    ]);
    for (const step of [1, 2, 3, 5, 7, 64, frames.length]) {
      const seen: string[] = [];
      const reader = new FrameReader(5, (kind, payload) => seen.push(`${String.fromCharCode(kind)}:${payload.length}`));
      for (let offset = 0; offset < frames.length; offset += step) reader.push(frames.subarray(offset, offset + step));
      assert.deepEqual(seen, ["i:5", "i:0", "r:4", "i:300"], `chunks of ${step}`);
    }
  });

  it("refuses a length no holder sends (not our stream)", () => {
    const reader = new FrameReader(5, () => undefined);
    assert.throws(() => reader.push(Buffer.from([0x6f, 0x7f, 0xff, 0xff, 0xff])), /not a terminal holder's stream/);
  });

  it("encodes the window size as two 16-bit numbers, clamped", () => {
    assert.deepEqual([...resizeFrame(120, 40)], [0x72, 0, 0, 0, 4, 0, 120, 0, 40]);
    assert.deepEqual([...resizeFrame(0, 70_000).subarray(5)], [0, 1, 0xff, 0xff]);
  });

  it("checks the hello", () => {
    const hello = { state: "attached", start: 10, end: 30, pid: 7 };
    assert.deepEqual(parseHolderHello(Buffer.from(JSON.stringify(hello))), hello);
    for (const bad of [
      { ...hello, state: "other" },
      { ...hello, start: 40 },
      { ...hello, end: -1 },
      { ...hello, pid: "7" },
    ])
      assert.throws(() => parseHolderHello(Buffer.from(JSON.stringify(bad))), /bad hello/);
  });
});

/**
 * The holder itself, run on this machine with python3 as Kubelab runs it in a node, behind a
 * stand-in for Docker's multiplexed exec stream (each stdout chunk framed as stream 1).
 */
describe("the terminal holder", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "kubelab-holder-"));
  const streams: HeldShellStream[] = [];
  after(() => {
    for (const stream of streams) stream.destroy();
    // Ends the shells the tests left running (and with them their holders).
    for (const file of ["a", "b", "c", "d", "paste"]) {
      try {
        process.kill(-Number(readFileSync(path.join(dir, `${file}.pid`), "utf8")), "SIGKILL");
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  function attach(id: string, cols = 100, rows = 30): HeldShellStream {
    const [command, ...args] = holderCommand(id, 64 * 1024, { cols, rows });
    // holderCommand's TERMINALS_DIR argument is replaced by the test's directory.
    const dirIndex = args.indexOf("/run/kubelab/terminals");
    args[dirIndex] = dir;
    const child = spawn(command!, args, {
      env: { ...process.env, HOME: dir, TERM: "dumb", PS1: "$ ", LANG: "C.UTF-8" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const dockerLike = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        if (child.stdin.write(chunk)) callback();
        else child.stdin.once("drain", () => callback());
      },
      destroy(error, callback) {
        child.kill("SIGKILL");
        callback(error);
      },
    });
    const framed = (stream: number) => (chunk: Buffer) => {
      const head = Buffer.alloc(8);
      head[0] = stream;
      head.writeUInt32BE(chunk.length, 4);
      dockerLike.push(Buffer.concat([head, chunk]));
    };
    child.stdout.on("data", framed(1));
    child.stderr.on("data", framed(2));
    child.on("close", () => dockerLike.push(null));
    const held = new HeldShellStream(dockerLike);
    streams.push(held);
    return held;
  }

  async function readUntil(stream: HeldShellStream, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    let text = "";
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stream.off("data", onData);
        reject(new Error(`no ${pattern} in ${JSON.stringify(text.slice(-500))}`));
      }, timeoutMs);
      const onData = (chunk: Buffer): void => {
        text += chunk.toString("latin1");
        if (pattern.test(text)) {
          clearTimeout(timer);
          stream.off("data", onData);
          resolve(text);
        }
      };
      stream.on("data", onData);
    });
  }

  it("starts a shell, and a second client attaches to the same one with its numbered output", async () => {
    const first = attach("a");
    const { hello } = await first.attached;
    assert.equal(hello.state, "created");
    assert.equal(hello.start, 0);
    let received = hello.end;
    first.on("data", (chunk: Buffer) => (received += chunk.length));
    first.write("stty -echo; echo $((6*7))-marker; echo $$ > shell-pid\n");
    await readUntil(first, /42-marker/);
    // The client ends as a killed Kubelab process's exec would; the shell stays.
    first.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));

    const second = attach("a");
    const { hello: again, replay } = await second.attached;
    assert.equal(again.state, "attached");
    assert.equal(again.pid, hello.pid, "the same shell");
    assert.equal(again.start, 0, "the ring still holds everything");
    assert.ok(again.end >= received, "offsets continue from what the first client read");
    assert.match(replay.toString("latin1"), /42-marker/);
    assert.equal(readFileSync(path.join(dir, "a.pid"), "utf8").trim(), String(hello.pid));
    second.write("echo again-$((6*7))\n");
    await readUntil(second, /again-42/);
  });

  it("keeps the last ring's worth of output; with nobody attached the shell waits after half of it", async () => {
    const held = attach("d");
    await held.attached;
    held.resume();
    held.write("stty -echo; head -c 200000 /dev/zero | tr '\\0' x; echo; echo printed-$((6*7))\n");
    await readUntil(held, /printed-42/);
    held.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));

    const again = attach("d");
    const { hello, replay } = await again.attached;
    assert.ok(hello.end > 200_000, `offsets count everything (${hello.end})`);
    assert.equal(hello.end - hello.start, 64 * 1024, "the ring (64 KiB here) is full");
    assert.equal(replay.length, 64 * 1024);
    assert.match(replay.toString("latin1"), /printed-42/);
    // Nobody attached now: a long print stops after about half the ring, so nothing is lost.
    // The print starts well after this client has gone (a busy machine may be slow to notice).
    again.write("sleep 2; head -c 200000 /dev/zero | tr '\\0' y; echo; echo second-$((6*7))\n");
    // The command reached the shell (its sleep runs) before the client leaves.
    await new Promise((resolve) => setTimeout(resolve, 300));
    again.destroy();
    await new Promise((resolve) => setTimeout(resolve, 3500));
    const third = attach("d");
    const { hello: paused, replay: kept } = await third.attached;
    assert.ok(paused.start <= hello.end, "what was printed since the last client left is all still there");
    assert.ok(paused.end - hello.end < 64 * 1024, `the shell waited (${paused.end - hello.end} bytes printed)`);
    assert.match(kept.toString("latin1"), /yyyy/, "the print started");
    assert.doesNotMatch(kept.toString("latin1"), /second-42/);
    // Attached again, it continues.
    await readUntil(third, /second-42/);
  });

  it("a large paste while the program in front prints does not hang (input and output are independent)", async () => {
    const held = attach("paste");
    await held.attached;
    held.write("stty -echo; sleep 1; yes 0123456789abcdef | head -c 2000000; echo printed-$((6*7))\n");
    const paste = Buffer.from("echo pasted-line\n".repeat(16 * 1024)); // 272 KiB
    for (let offset = 0; offset < paste.length; offset += 64 * 1024)
      held.write(paste.subarray(offset, offset + 64 * 1024));
    await readUntil(held, /printed-42/, 20_000);
    // The paste then runs, line by line, after the flood.
    await readUntil(held, /pasted-line/, 20_000);
  });

  it("the shell's exit status ends the stream; the next attach starts a new shell", async () => {
    const held = attach("b");
    await held.attached;
    const ended = new Promise((resolve) => held.on("end", resolve));
    held.resume();
    held.write("exit 3\n");
    await ended;
    assert.equal(held.exitStatus, 3);
    const next = attach("b");
    assert.equal((await next.attached).hello.state, "created");
  });

  it("the window size reaches the shell's terminal, at start and on resize", async () => {
    const held = attach("c", 123, 45);
    await held.attached;
    held.write("stty -echo; stty size; echo size-$((6*7))\n");
    assert.match(await readUntil(held, /size-42/), /45 123/);
    held.resize(77, 22);
    held.write("stty size; echo resized-$((6*7))\n");
    assert.match(await readUntil(held, /resized-42/), /22 77/);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  generationBase,
  HeldShellOutputFilter,
  heldShellCommand,
  isStaleOwner,
  parseHeldShellHeader,
  processOwner,
} from "./held-shell";

describe("held shell", () => {
  it("parses the attach command's header and keeps the output after it", () => {
    assert.equal(parseHeldShellHeader(Buffer.from("kubelab-terminal cre")), undefined);
    const parsed = parseHeldShellHeader(
      Buffer.from("kubelab-terminal attached 42 3 25=h:1:2 x 30=h:7:9\r\n\x1b[H\x1b[Jmarker"),
    );
    assert.deepEqual(parsed?.header, {
      state: "attached",
      clientPid: 42,
      generation: 3,
      others: [
        { pid: 25, owner: "h:1:2" },
        { pid: 30, owner: "h:7:9" },
      ],
    });
    assert.equal(parsed?.rest.toString(), "\x1b[H\x1b[Jmarker");
    assert.equal(parseHeldShellHeader(Buffer.from("kubelab-terminal plain 7 0\r\n"))?.header.state, "plain");
    assert.throws(() => parseHeldShellHeader(Buffer.from("Welcome!\r\n")), /unexpected first line/);
    assert.throws(() => parseHeldShellHeader(Buffer.from("kubelab-terminal gone 1 0\n")), /bad header/);
    assert.throws(() => parseHeldShellHeader(Buffer.alloc(5000, 0x61)), /no header/);
  });

  it("numbers each attach generation above the previous one's offsets", () => {
    assert.equal(generationBase(0), 0);
    assert.equal(generationBase(1), 2 ** 42);
    assert.ok(generationBase(10_000) <= Number.MAX_SAFE_INTEGER);
  });

  it("passes the terminal id, owner and holder switch as arguments, not in the script", () => {
    const cmd = heldShellCommand("main", "host:1:2", true);
    assert.deepEqual(cmd.slice(0, 2), ["/bin/sh", "-c"]);
    assert.deepEqual(cmd.slice(3), ["kubelab-terminal", "main", "host:1:2", "1"]);
    assert.equal(heldShellCommand("main", "o", false).at(-1), "0");
    assert.ok(!cmd[2]!.includes("host:1:2"));
  });

  it("treats only dead processes of this host (or this process's earlier run) as stale owners", () => {
    const me = processOwner("kubelab-1", 1, 2000);
    assert.equal(me, "kubelab-1:1:2000");
    const alive = new Set([1, 55]);
    const isAlive = (pid: number) => alive.has(pid);
    assert.equal(isStaleOwner("kubelab-1:1:1000", me, isAlive), true, "the same PID in a restarted container");
    assert.equal(isStaleOwner("kubelab-1:1:2000", me, isAlive), false, "this process");
    assert.equal(isStaleOwner("kubelab-1:77:5", me, isAlive), true, "a process that is gone");
    assert.equal(isStaleOwner("kubelab-1:55:5", me, isAlive), false, "another live process");
    assert.equal(isStaleOwner("other-host:77:5", me, isAlive), false, "another host: not ours to judge");
    assert.equal(processOwner("a b:c", 3, 4), "a_b_c:3:4");
  });

  it("takes dtach's screen clear and end banner out of the output, and nothing else", () => {
    const filter = new HeldShellOutputFilter();
    assert.equal(filter.filter(Buffer.alloc(0)).length, 0);
    assert.equal(filter.filter(Buffer.from("\x1b[H\x1b[Jprompt$ ")).toString(), "prompt$ ");
    assert.equal(filter.filter(Buffer.from("\x1b[H\x1b[Jclear")).toString(), "\x1b[H\x1b[Jclear", "only at the start");
    const end = filter.filter(Buffer.from("logout\r\n\x1b[999H\r\n[EOF - dtach terminating]\r\n"));
    assert.equal(end.toString(), "logout\r\n");
    assert.equal(filter.filter(Buffer.from("\x1b[?25h")).length, 0, "the cursor reset after the banner");
    const other = new HeldShellOutputFilter();
    assert.equal(other.filter(Buffer.from("hi \x1b[?25h")).toString(), "hi \x1b[?25h");
  });
});

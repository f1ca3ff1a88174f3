import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TerminalReplayBuffer } from "./terminal-replay-buffer";

const text = (buffer: Buffer): string => buffer.toString("utf8");

describe("terminal replay buffer", () => {
  it("replays exactly the bytes after the offset a client names", () => {
    const buffer = new TerminalReplayBuffer(100);
    buffer.append(Buffer.from("hello "));
    buffer.append(Buffer.from(""));
    buffer.append(Buffer.from("world"));
    assert.equal(buffer.endSeq, 11);
    assert.equal(text(buffer.readFrom(0).data), "hello world");
    assert.equal(text(buffer.readFrom(3).data), "lo world");
    assert.equal(text(buffer.readFrom(6).data), "world");
    assert.deepEqual(buffer.readFrom(11), { data: Buffer.alloc(0), from: 11 });
    // A client claiming more than was sent gets nothing, not a negative slice.
    assert.equal(buffer.readFrom(50).data.length, 0);
  });

  it("keeps only the newest bytes and names the range a late client lost", () => {
    const buffer = new TerminalReplayBuffer(8);
    buffer.append(Buffer.from("abcdef"));
    buffer.append(Buffer.from("ghijkl"));
    assert.equal(buffer.startSeq, 4);
    assert.equal(buffer.endSeq, 12);
    assert.deepEqual(buffer.readFrom(1), { data: Buffer.from("efghijkl"), from: 4, lost: { from: 1, to: 4 } });
    assert.equal(text(buffer.readFrom(9).data), "jkl");
  });

  it("drops a whole chunk larger than the capacity down to its tail", () => {
    const buffer = new TerminalReplayBuffer(4);
    buffer.append(Buffer.from("0123456789"));
    assert.equal(text(buffer.readFrom(0).data), "6789");
    assert.equal(buffer.readFrom(0).lost?.to, 6);
  });
});

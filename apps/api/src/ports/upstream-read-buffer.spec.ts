import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LARGE_READ_BYTES, SMALL_READ_BYTES, UpstreamReadBuffer } from "./upstream-read-buffer";

describe("UpstreamReadBuffer", () => {
  it("reuses its buffer while nothing holds the last read", () => {
    const reads = new UpstreamReadBuffer();
    const first = reads.current();
    assert.equal(first.length, SMALL_READ_BYTES);
    reads.afterRead(100, false);
    assert.equal(reads.current(), first);
  });

  it("gives a new buffer when the bytes of the last read are still held, and never writes over them", () => {
    const reads = new UpstreamReadBuffer();
    const first = reads.current();
    first.write("kept", "latin1");
    reads.afterRead(4, true);
    const second = reads.current();
    assert.notEqual(second, first);
    second.write("next", "latin1");
    assert.equal(first.subarray(0, 4).toString("latin1"), "kept");
  });

  it("grows to the large size after a read that filled the buffer, and stays there", () => {
    const reads = new UpstreamReadBuffer();
    reads.afterRead(SMALL_READ_BYTES, false);
    const large = reads.current();
    assert.equal(large.length, LARGE_READ_BYTES);
    reads.afterRead(10, false);
    assert.equal(reads.current(), large);
    reads.afterRead(LARGE_READ_BYTES, true);
    assert.equal(reads.current().length, LARGE_READ_BYTES);
  });
});

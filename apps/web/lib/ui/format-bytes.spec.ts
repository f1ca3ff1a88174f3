import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatBytes } from "./format-bytes";

describe("formatBytes", () => {
  it("names configured binary sizes the way they were written", () => {
    assert.equal(formatBytes(50 * 1024 ** 2, "en"), "50 MB");
    assert.equal(formatBytes(10 * 1024 ** 3, "en"), "10 GB");
    assert.equal(formatBytes(1536 * 1024, "en"), "1.5 MB");
    assert.equal(formatBytes(1536 * 1024, "es"), "1,5 MB");
    assert.equal(formatBytes(4096, "en"), "4 KB");
    assert.equal(formatBytes(12, "es"), "12 B");
  });
});

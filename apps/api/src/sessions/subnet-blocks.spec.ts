import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  blockCount,
  firstFreeBlock,
  gatewayOf,
  hostsPerBlock,
  isBlockOf,
  overlaps,
  parseCidr,
  parseRanges,
} from "./subnet-blocks";

describe("subnet blocks", () => {
  it("parses CIDR ranges and refuses malformed ones or ones with host bits", () => {
    assert.deepEqual(parseCidr("10.213.0.0/16"), { base: 10 * 2 ** 24 + 213 * 2 ** 16, prefix: 16 });
    assert.deepEqual(parseCidr("255.255.255.240/28"), { base: 2 ** 32 - 16, prefix: 28 });
    for (const bad of ["10.213.0.0", "10.213.0.0/33", "300.1.1.1/8", "10.213/16", "x/16", ""]) {
      assert.throws(() => parseCidr(bad), /not an IPv4 network/, bad);
    }
    assert.throws(() => parseCidr("10.213.0.5/16"), /host bits set; did you mean 10\.213\.0\.0\/16\?/);
  });

  it("cuts ranges into blocks in order and finds the first free one", () => {
    const ranges = parseRanges(["10.213.0.0/27", "192.0.2.64/28"], 28);
    assert.equal(blockCount(ranges, 28), 3);
    assert.equal(firstFreeBlock(ranges, 28, new Set()), "10.213.0.0/28");
    assert.equal(firstFreeBlock(ranges, 28, new Set(["10.213.0.0/28"])), "10.213.0.16/28");
    assert.equal(firstFreeBlock(ranges, 28, new Set(["10.213.0.0/28", "10.213.0.16/28"])), "192.0.2.64/28");
    // A freed block is handed out again before untouched ones further on.
    assert.equal(firstFreeBlock(ranges, 28, new Set(["10.213.0.16/28", "192.0.2.64/28"])), "10.213.0.0/28");
  });

  it("skips blocks that overlap networks Docker already has", () => {
    const ranges = parseRanges(["10.213.0.0/24"], 28);
    const avoid = [parseCidr("10.213.0.0/29"), parseCidr("10.213.0.32/27")];
    assert.equal(firstFreeBlock(ranges, 28, new Set(), avoid), "10.213.0.16/28");
    assert.equal(firstFreeBlock(ranges, 28, new Set(["10.213.0.16/28"]), avoid), "10.213.0.64/28");
    // A network wider than the whole range leaves nothing.
    assert.equal(firstFreeBlock(ranges, 28, new Set(), [parseCidr("10.0.0.0/8")]), undefined);
    assert.equal(overlaps(parseCidr("10.213.0.0/28"), parseCidr("10.213.0.16/28")), false);
    assert.equal(overlaps(parseCidr("10.213.0.0/16"), parseCidr("10.213.7.0/28")), true);
  });

  it("reports exhaustion as no block", () => {
    const ranges = parseRanges(["10.213.0.0/27"], 28);
    assert.equal(firstFreeBlock(ranges, 28, new Set(["10.213.0.0/28", "10.213.0.16/28"])), undefined);
  });

  it("counts the default range's blocks and the addresses a block leaves for containers", () => {
    assert.equal(blockCount(parseRanges(["10.213.0.0/16"], 28), 28), 4096);
    assert.equal(blockCount(parseRanges(["10.213.0.0/16"], 29), 29), 8192);
    // node1..node9 and the Kubelab container (docker-compose) fit a /28; a /29 takes five containers.
    assert.equal(hostsPerBlock(28), 13);
    assert.equal(hostsPerBlock(29), 5);
  });

  it("refuses ranges smaller than a block, overlapping ranges and an empty list", () => {
    assert.throws(() => parseRanges(["10.213.0.0/30"], 28), /smaller than one \/28 session block/);
    assert.throws(
      () => parseRanges(["10.213.0.0/16", "10.213.128.0/20"], 28),
      /10\.213\.0\.0\/16 and 10\.213\.128\.0\/20 overlap/,
    );
    assert.throws(() => parseRanges(["10.213.4.0/24", "10.213.0.0/21"], 28), /overlap/);
    assert.throws(() => parseRanges([], 28), /at least one/);
    assert.doesNotThrow(() => parseRanges(["10.213.0.0/24", "10.213.1.0/24"], 28));
  });

  it("names the gateway and recognises the ranges' own blocks", () => {
    assert.equal(gatewayOf("10.213.0.16/28"), "10.213.0.17");
    const ranges = parseRanges(["10.213.0.0/24"], 28);
    assert.equal(isBlockOf(ranges, 28, "10.213.0.240/28"), true);
    assert.equal(isBlockOf(ranges, 28, "10.213.1.0/28"), false);
    assert.equal(isBlockOf(ranges, 28, "10.213.0.0/29"), false);
    assert.equal(isBlockOf(ranges, 28, "10.213.0.8/28"), false);
  });
});

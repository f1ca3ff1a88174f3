import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { zByteSize, zCommaList, zDuration, zIpv4Cidr } from "./config-parsers";

describe("config parsers", () => {
  it("reads durations only with an explicit unit", () => {
    assert.equal(zDuration.parse("90s"), 90);
    assert.equal(zDuration.parse("30m"), 1800);
    assert.equal(zDuration.parse("1.5h"), 5400);
    assert.equal(zDuration.parse(" 1d "), 86400);
    for (const bad of ["120", "2 hours", "-5m", "5w", ""]) assert.equal(zDuration.safeParse(bad).success, false, bad);
  });

  it("reads sizes as docker's --memory does", () => {
    assert.equal(zByteSize.parse("512"), 512);
    assert.equal(zByteSize.parse("64k"), 64 * 1024);
    assert.equal(zByteSize.parse("2G"), 2 * 1024 ** 3);
    assert.equal(zByteSize.parse("1.5gb"), 1.5 * 1024 ** 3);
    for (const bad of ["lots", "2t", "-1g", "1 g"]) assert.equal(zByteSize.safeParse(bad).success, false, bad);
  });

  it("splits comma lists and drops empty entries", () => {
    assert.deepEqual(zCommaList("").parse(" a, b,,c ,"), ["a", "b", "c"]);
    assert.deepEqual(zCommaList("x,y").parse(undefined), ["x", "y"]);
  });

  it("reads IPv4 networks, a bare address as /32", () => {
    assert.equal(zIpv4Cidr.parse("10.20.0.0/16"), "10.20.0.0/16");
    assert.equal(zIpv4Cidr.parse("192.168.1.7"), "192.168.1.7/32");
    for (const bad of ["10.0.0.0/33", "256.1.1.1", "10.0.0/8", "fd00::/8", "10.0.0.0/"]) {
      assert.equal(zIpv4Cidr.safeParse(bad).success, false, bad);
    }
  });
});

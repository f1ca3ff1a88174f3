import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "./app-config";

describe("NODE_SUBNETS and NODE_SUBNET_SIZE", () => {
  it("default to 10.213.0.0/16 in /28 blocks", () => {
    const { nodes } = loadConfig({});
    assert.deepEqual(nodes.subnetRanges, ["10.213.0.0/16"]);
    assert.equal(nodes.subnetPrefix, 28);
  });

  it("read several ranges and a block size with or without the slash", () => {
    const { nodes } = loadConfig({ NODE_SUBNETS: "10.213.0.0/20, 172.30.0.0/24", NODE_SUBNET_SIZE: "29" });
    assert.deepEqual(nodes.subnetRanges, ["10.213.0.0/20", "172.30.0.0/24"]);
    assert.equal(nodes.subnetPrefix, 29);
  });

  it("refuse bad ranges, overlaps, ranges smaller than a block and odd block sizes, naming the variable", () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ NODE_SUBNETS: "10.213.0.0" }, /NODE_SUBNETS: "10\.213\.0\.0" is not an IPv4 network/],
      [{ NODE_SUBNETS: "10.213.0.1/16" }, /NODE_SUBNETS: .*host bits set/],
      [
        { NODE_SUBNETS: "10.213.0.0/16,10.213.64.0/18" },
        /NODE_SUBNETS: 10\.213\.0\.0\/16 and 10\.213\.64\.0\/18 overlap/,
      ],
      [{ NODE_SUBNETS: "10.213.0.0/29" }, /NODE_SUBNETS: 10\.213\.0\.0\/29 is smaller than one \/28 session block/],
      [{ NODE_SUBNET_SIZE: "/30" }, /NODE_SUBNET_SIZE: expected a prefix length from \/16 to \/29/],
      [{ NODE_SUBNET_SIZE: "big" }, /NODE_SUBNET_SIZE/],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
      );
    }
  });
});

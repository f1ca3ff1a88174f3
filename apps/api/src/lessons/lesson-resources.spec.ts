import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { memoryBytes, nodeResources } from "./lesson-resources";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

describe("node resources", () => {
  // NODE_MEMORY=2g, NODE_CPUS=1 by default; lessons may ask up to NODE_MEMORY_MAX=4g, NODE_CPUS_MAX=2.
  const limits = { memoryBytes: 2 * GiB, cpus: 1, maxMemoryBytes: 4 * GiB, maxCpus: 2 };

  it("reads memory sizes in m and g", () => {
    assert.equal(memoryBytes("4g"), 4 * GiB);
    assert.equal(memoryBytes("1536M"), 1536 * MiB);
    assert.equal(memoryBytes("1.5g"), 1.5 * GiB);
  });

  it("gives a node the defaults when the lesson asks for nothing", () => {
    assert.deepEqual(nodeResources(undefined, limits), { memoryBytes: 2 * GiB, cpus: 1, clamped: false });
  });

  it("grants what the lesson asks up to the ceiling, less as asked, and no more than the ceiling", () => {
    assert.deepEqual(nodeResources({ memory: "4g", cpus: 2 }, limits), {
      memoryBytes: 4 * GiB,
      cpus: 2,
      clamped: false,
    });
    assert.deepEqual(nodeResources({ memory: "1g" }, limits), { memoryBytes: GiB, cpus: 1, clamped: false });
    assert.deepEqual(nodeResources({ memory: "8g" }, limits), { memoryBytes: 4 * GiB, cpus: 1, clamped: true });
    assert.deepEqual(nodeResources({ cpus: 8 }, limits), { memoryBytes: 2 * GiB, cpus: 2, clamped: true });
  });

  it("never puts the ceiling below the defaults", () => {
    const low = { memoryBytes: 8 * GiB, cpus: 4, maxMemoryBytes: 4 * GiB, maxCpus: 2 };
    assert.deepEqual(nodeResources({ memory: "6g", cpus: 3 }, low), { memoryBytes: 6 * GiB, cpus: 3, clamped: false });
  });

  it("never goes below what a node needs to start", () => {
    assert.equal(nodeResources({ memory: "16m" }, limits).memoryBytes, 256 * MiB);
  });
});

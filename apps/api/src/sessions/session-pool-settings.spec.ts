import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadConfig } from "../config/app-config";
import { PoolSettings } from "./session-pool-settings";

describe("pool settings", () => {
  it("start from POOL_SIZE (NODE_IMAGE), POOL_SIZES, POOL_CONCURRENCY and POOL_MAX_AGE", () => {
    const defaults = new PoolSettings(loadConfig({}));
    assert.deepEqual(defaults.current(), {
      sizes: { "kubelab/node-offline:latest": 1 },
      concurrency: 1,
      maxAgeSeconds: 4 * 3600,
    });
    const set = new PoolSettings(
      loadConfig({
        POOL_SIZE: "3",
        POOL_SIZES: "kubelab/node-centos:latest=10",
        POOL_CONCURRENCY: "2",
        POOL_MAX_AGE: "20s",
      }),
    );
    assert.deepEqual(set.current(), {
      sizes: { "kubelab/node-offline:latest": 3, "kubelab/node-centos:latest": 10 },
      concurrency: 2,
      maxAgeSeconds: 20,
    });
    assert.equal(set.sizeOf("kubelab/node-centos:latest"), 10);
    assert.equal(set.sizeOf("not/pooled:latest"), 0);
  });

  it("reject bad values with the variable's name", () => {
    for (const [name, value] of [
      ["POOL_SIZE", "-1"],
      ["POOL_SIZE", "many"],
      ["POOL_SIZES", "kubelab/node-centos:latest"],
      ["POOL_SIZES", "kubelab/node-centos:latest=x"],
      ["POOL_SIZES", "kubelab/node-centos:latest=1,kubelab/node-centos:latest=2"],
      ["POOL_SIZES", "someone/else:latest=2"],
      ["POOL_CONCURRENCY", "0"],
      ["POOL_MAX_AGE", "4"],
    ] as const) {
      assert.throws(() => loadConfig({ [name]: value }), new RegExp(name), `${name}=${value}`);
    }
  });

  it("change at run time and tell their listeners (no restart)", () => {
    const settings = new PoolSettings(loadConfig({}));
    let heard = 0;
    const unsubscribe = settings.onChange(() => heard++);
    settings.update({ sizes: { "kubelab/node-offline:latest": 0 }, concurrency: 4 });
    assert.equal(settings.sizeOf("kubelab/node-offline:latest"), 0);
    assert.equal(settings.current().concurrency, 4);
    assert.equal(heard, 1);
    assert.throws(() => settings.update({ concurrency: 0 }), RangeError);
    assert.throws(() => settings.update({ sizes: { x: -1 } }), RangeError);
    assert.equal(settings.current().concurrency, 4, "a refused update changes nothing");
    unsubscribe();
    settings.update({ maxAgeSeconds: 60 });
    assert.equal(heard, 1);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { format, resolveSettings } from "./settings-values";

const IMAGE = "kubelab/node-offline:latest";

function entry(resolved: ReturnType<typeof resolveSettings>, key: string) {
  return resolved.entries.find((e) => e.key === key)!;
}

describe("console settings", () => {
  it("take the console over the environment over the default, and say which", () => {
    const resolved = resolveSettings(
      { MAX_SESSIONS: "30", SESSION_DURATION: "1h" },
      { SESSION_DURATION: "90m" },
      IMAGE,
    );
    assert.equal(resolved.effective.maxSessions, 30);
    assert.equal(resolved.effective.durationSeconds, 5400);
    assert.equal(resolved.effective.extensionSeconds, 1800);
    assert.deepEqual(
      ["MAX_SESSIONS", "SESSION_DURATION", "SESSION_EXTENSION"].map((key) => entry(resolved, key).source),
      ["environment", "console", "default"],
    );
    assert.equal(entry(resolved, "SESSION_DURATION").value, "90m");
    assert.equal(entry(resolved, "SESSION_DURATION").fallback, "1h");
    assert.equal(entry(resolved, "SESSION_EXTENSION").value, "30m");
    assert.deepEqual(resolved.problems, []);
  });

  it("give instructors and admins MAX_SESSIONS_PER_USER unless their own is set", () => {
    const resolved = resolveSettings({ MAX_SESSIONS_PER_USER: "2" }, { MAX_SESSIONS_PER_ADMIN: "5" }, IMAGE);
    assert.deepEqual(resolved.effective.maxSessionsPerRole, { attendee: 2, instructor: 2, admin: 5 });
    assert.equal(entry(resolved, "MAX_SESSIONS_PER_INSTRUCTOR").value, "2");
    assert.equal(entry(resolved, "MAX_SESSIONS_PER_INSTRUCTOR").source, "default");
  });

  it("refuse what the configuration refuses, naming the key, and keep the previous value", () => {
    const resolved = resolveSettings({}, { MAX_SESSIONS: "0", NODE_MEMORY: "lots" }, IMAGE);
    assert.deepEqual(
      resolved.problems.map((p) => p.path),
      ["MAX_SESSIONS", "NODE_MEMORY"],
    );
    assert.equal(resolved.effective.maxSessions, 20);
    assert.equal(entry(resolved, "MAX_SESSIONS").source, "default");
  });

  it("check the rules between settings", () => {
    const longer = resolveSettings({}, { SESSION_DURATION: "5h" }, IMAGE);
    assert.deepEqual(
      longer.problems.map((p) => p.path),
      ["SESSION_DURATION"],
    );
    const pool = resolveSettings({}, { POOL_SIZES: "other:latest=2" }, IMAGE);
    assert.deepEqual(
      pool.problems.map((p) => p.path),
      ["POOL_SIZES"],
    );
  });

  it("merge the pool sizes and allowed images with NODE_IMAGE as loadConfig does", () => {
    const resolved = resolveSettings({ POOL_SIZE: "2" }, { NODE_IMAGES: "a:1, b:2", POOL_SIZES: "a:1=3" }, IMAGE);
    assert.deepEqual(resolved.effective.poolSizes, { [IMAGE]: 2, "a:1": 3 });
    assert.deepEqual(resolved.effective.allowedImages, [IMAGE, "a:1", "b:2"]);
  });

  it("write values back the way the environment takes them", () => {
    assert.equal(format("SESSION_MAX_DURATION", 4 * 3600), "4h");
    assert.equal(format("SESSION_EXTENSION", 90), "90s");
    assert.equal(format("NODE_MEMORY", 2 * 1024 ** 3), "2g");
    assert.equal(format("NODE_MEMORY", 1536 * 1024 ** 2), "1536m");
    assert.equal(format("POOL_SIZES", { "a:1": 3, "b:2": 0 }), "a:1=3,b:2=0");
    assert.equal(format("NODE_CPUS", 1.5), "1.5");
  });
});

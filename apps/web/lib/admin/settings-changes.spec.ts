import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TAdminSetting } from "@kubelab/shared";
import { settingsChanges } from "./settings-changes";

function setting(key: TAdminSetting["key"], value: string, source: TAdminSetting["source"]): TAdminSetting {
  return { key, value, source, fallback: value, updatedAt: null, updatedBy: null };
}

const SETTINGS = [
  setting("MAX_SESSIONS", "20", "default"),
  setting("SESSION_DURATION", "2h", "console"),
  setting("NODE_MEMORY", "2g", "environment"),
];

describe("settings form changes", () => {
  it("send only edited values, trimmed", () => {
    assert.deepEqual(settingsChanges(SETTINGS, { MAX_SESSIONS: " 30 ", NODE_MEMORY: "2g" }, new Set()), {
      MAX_SESSIONS: "30",
    });
  });

  it("clear a console value asked to reset, and ignore a reset of anything else", () => {
    assert.deepEqual(
      settingsChanges(SETTINGS, { SESSION_DURATION: "3h" }, new Set(["SESSION_DURATION", "NODE_MEMORY"] as const)),
      { SESSION_DURATION: null },
    );
  });

  it("read a list typed one entry per line as comma-separated", () => {
    assert.deepEqual(settingsChanges(SETTINGS, { MAX_SESSIONS: "a:1\n b:2 \n\n" }, new Set()), {
      MAX_SESSIONS: "a:1,b:2",
    });
  });

  it("send nothing when nothing changed", () => {
    assert.deepEqual(settingsChanges(SETTINGS, {}, new Set()), {});
  });
});

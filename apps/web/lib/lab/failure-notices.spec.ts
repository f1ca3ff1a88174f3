import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TSessionNotice, TSessionStopReason } from "@kubelab/shared";
import { noticesExplainingFailure } from "./failure-notices";

const notice = (code: TSessionNotice["code"], node: string): TSessionNotice => ({
  code,
  node,
  at: "2026-12-02T18:00:00.000Z",
  usedBytes: null,
  limitBytes: null,
});
const reason = (code: TSessionStopReason["code"], nodes: string[]): TSessionStopReason => ({
  code,
  nodes,
  exitCode: 137,
  detail: null,
});

describe("noticesExplainingFailure", () => {
  const notices = [notice("disk_warning", "node1"), notice("oom_kill", "node1"), notice("oom_kill", "node2")];

  it("keeps the out-of-memory notice of the node that died", () => {
    const kept = noticesExplainingFailure({ notices, stopReason: reason("node_died", ["node2"]) });
    assert.deepEqual(
      kept.map((n) => [n.code, n.node]),
      [["oom_kill", "node2"]],
    );
  });

  it("keeps the disk limit, and no memory notice when the node did not die", () => {
    const kept = noticesExplainingFailure({
      notices: [...notices, notice("disk_limit", "node1")],
      stopReason: reason("disk_limit", ["node1"]),
    });
    assert.deepEqual(
      kept.map((n) => n.code),
      ["disk_limit"],
    );
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ZSessionEndReasonCode } from "@kubelab/shared";
import {
  endReasonOf,
  legacyReasonOf,
  reasonText,
  SessionFailure,
  stopReasonOf,
  toFailureReason,
  toReasonColumns,
} from "./session-reason";

describe("session reasons", () => {
  it("are stored as a code with structured details and read back typed", () => {
    const columns = toReasonColumns({ code: "node_died", nodes: ["node2"], exitCode: 137 });
    assert.deepEqual(columns, {
      statusReason: "node_died",
      statusNodes: ["node2"],
      statusExitCode: 137,
      statusDetail: "node2 stopped (exit code 137)",
    });
    assert.deepEqual(stopReasonOf(columns), {
      code: "node_died",
      nodes: ["node2"],
      exitCode: 137,
      detail: "node2 stopped (exit code 137)",
    });
  });

  it("keep the API's plain reason as before: the code alone, or the English detail", () => {
    assert.equal(legacyReasonOf(toReasonColumns({ code: "deleted" })), "deleted");
    assert.equal(legacyReasonOf(toReasonColumns({ code: "expired" })), "expired");
    assert.equal(legacyReasonOf(toReasonColumns({ code: "disk_limit", nodes: ["node1"] })), "disk_limit");
    assert.match(legacyReasonOf(toReasonColumns({ code: "server_restarted" })) ?? "", /restarted/);
    assert.match(legacyReasonOf(toReasonColumns({ code: "server_shutdown" })) ?? "", /shut down/);
    assert.equal(reasonText({ code: "node_died", nodes: ["node1", "node2"] }), "node1 and node2 stopped unexpectedly");
  });

  it("leave rows with a code this version does not know untyped, their text still shown", () => {
    const row = { statusReason: "some_future_code", statusNodes: [], statusExitCode: null, statusDetail: null };
    assert.equal(stopReasonOf(row), null);
    assert.equal(legacyReasonOf(row), "some_future_code");
    assert.equal(stopReasonOf({ ...row, statusReason: null }), null);
  });

  it("finish an ending session with an end reason, whatever its row holds", () => {
    // The reconciler and reaper once cast the row's free text to an end reason.
    assert.deepEqual(endReasonOf({ statusReason: "expired" }), { code: "expired" });
    assert.deepEqual(endReasonOf({ statusReason: "owner_banned" }), { code: "owner_banned" });
    for (const text of ["owner banned", "node_died", null]) {
      const { code } = endReasonOf({ statusReason: text });
      assert.ok(ZSessionEndReasonCode.safeParse(code).success, `${String(text)} gave ${code}`);
    }
  });

  it("turn provisioning errors into typed failures", () => {
    assert.deepEqual(toFailureReason(new SessionFailure({ code: "ready_timeout", nodes: ["node1"] })), {
      code: "ready_timeout",
      nodes: ["node1"],
    });
    assert.deepEqual(toFailureReason(new Error("network create failed")), {
      code: "provision_error",
      detail: "network create failed",
    });
  });
});

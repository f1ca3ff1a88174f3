import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { watchStatus, watchTabs } from "./watch-status";

describe("watch status", () => {
  it("follows the connection before the server's watch state", () => {
    assert.deepEqual(watchStatus("connecting", null), { status: "connecting", canTakeOver: false });
    assert.deepEqual(watchStatus("connected", null), { status: "connecting", canTakeOver: false });
    assert.deepEqual(watchStatus("reconnecting", { type: "watch", typing: true, mayTakeOver: "allowed" }), {
      status: "reconnecting",
      canTakeOver: false,
    });
    assert.equal(watchStatus("exited", null).status, "ended");
    assert.equal(watchStatus("closed", null).status, "ended");
  });

  it("enables take-over only while the attendee allows it or asks for help, and not while typing", () => {
    const state = (typing: boolean, mayTakeOver: "allowed" | "help" | "no") =>
      watchStatus("connected", { type: "watch", typing, mayTakeOver });
    assert.deepEqual(state(false, "no"), { status: "readOnly", canTakeOver: false });
    assert.deepEqual(state(false, "allowed"), { status: "allowed", canTakeOver: true });
    assert.deepEqual(state(false, "help"), { status: "help", canTakeOver: true });
    assert.deepEqual(state(true, "help"), { status: "typing", canTakeOver: false });
  });

  it("makes one tab per running terminal, node by node", () => {
    assert.deepEqual(
      watchTabs([
        { name: "node1", terminals: ["main", "t2"] },
        { name: "node2", terminals: [] },
      ]),
      [
        { key: "node1/main", node: "node1", terminalId: "main" },
        { key: "node1/t2", node: "node1", terminalId: "t2" },
      ],
    );
  });
});

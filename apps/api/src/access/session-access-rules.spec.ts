import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TApiErrorCode } from "@kubelab/shared";
import { AppError } from "../common/app-error";
import { usableNode, usableSession, type SessionFacts } from "./session-access-rules";

const OWNER = { id: "owner" };
const ready: SessionFacts = {
  ownerId: "owner",
  status: "ready",
  nodes: [
    { name: "node1", containerId: "c1", ip: "10.0.0.2" },
    { name: "node2", containerId: null, ip: null },
  ],
};

function refusal(fn: () => unknown): { code: TApiErrorCode; message: string } {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AppError);
    return { code: error.code, message: error.message };
  }
  assert.fail("expected a refusal");
}

describe("session access rules", () => {
  it("lets the owner in and makes others' sessions look missing, admins included", () => {
    assert.equal(usableSession(OWNER, ready), ready);
    const missing = refusal(() => usableSession(OWNER, null));
    assert.deepEqual(
      refusal(() => usableSession({ id: "mallory" }, ready)),
      missing,
    );
    assert.deepEqual(
      refusal(() => usableSession({ id: "root", role: "admin" }, ready)),
      missing,
    );
    assert.deepEqual(missing, { code: "not_found", message: "No such session" });
  });

  it("asks for a login only where one is needed", () => {
    assert.equal(refusal(() => usableSession(null, ready)).code, "unauthenticated");
    assert.equal(
      refusal(() => usableSession(null, ready, { loginMessage: "Log in to open this port" })).message,
      "Log in to open this port",
    );
    assert.equal(usableSession(null, ready, { open: true }), ready);
    // A public port of a session that does not exist is still missing.
    assert.equal(refusal(() => usableSession(null, null, { open: true })).code, "not_found");
  });

  it("knows only the session's own nodes, by valid name", () => {
    assert.equal(usableNode(ready, "node1", "terminal").name, "node1");
    for (const name of ["node3", "10.0.0.2", "../node1", "Node1"]) {
      assert.deepEqual(
        refusal(() => usableNode(ready, name, "manage")),
        {
          code: "not_found",
          message: `This session has no node "${name}"`,
        },
      );
    }
  });

  it("needs a ready session and what the use needs: a container for terminals and uploads, an address for ports", () => {
    const provisioning = { ...ready, status: "provisioning" };
    assert.equal(usableNode(provisioning, "node1", "manage").name, "node1");
    assert.deepEqual(
      refusal(() => usableNode(provisioning, "node1", "terminal")),
      {
        code: "session_not_active",
        message: "The session is provisioning; terminals open once it is ready",
      },
    );
    assert.equal(
      refusal(() => usableNode(provisioning, "node1", "upload")).message,
      "The session is provisioning; files can be uploaded once it is ready",
    );
    assert.equal(
      refusal(() => usableNode(provisioning, "node1", "port")).message,
      "The session is provisioning; ports open once it is ready",
    );
    assert.equal(refusal(() => usableNode(ready, "node2", "terminal")).code, "session_not_active");
    assert.equal(refusal(() => usableNode(ready, "node2", "upload")).code, "session_not_active");
    assert.deepEqual(
      refusal(() => usableNode(ready, "node2", "port")),
      {
        code: "session_not_active",
        message: "node2 has no address yet",
      },
    );
    assert.equal(usableNode(ready, "node1", "port").ip, "10.0.0.2");
  });

  it("runs lesson checks only in a running node of a ready session, refused as node_not_running", () => {
    assert.equal(usableNode(ready, "node1", "check").containerId, "c1");
    assert.deepEqual(
      refusal(() => usableNode({ ...ready, status: "provisioning" }, "node1", "check")),
      { code: "node_not_running", message: "The session is provisioning; checks run once it is ready" },
    );
    assert.equal(refusal(() => usableNode(ready, "node2", "check")).code, "node_not_running");
    assert.equal(refusal(() => usableNode(ready, "node3", "check")).code, "not_found");
  });
});

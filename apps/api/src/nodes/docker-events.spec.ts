import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nodeEventOf, nodeEventsFrom, type NodeEvent } from "./docker-events";

// Shaped like Docker's /events output for a node container (Engine API 1.41+).
const dockerEvent = (action: string, attributes: Record<string, string>): Record<string, unknown> => ({
  Type: "container",
  Action: action,
  Actor: { ID: "f00d", Attributes: { image: "kubelab/node-offline:latest", name: "kubelab-s1-node2", ...attributes } },
  scope: "local",
  time: 1764662400,
});
const nodeLabels = { "kubelab.instance": "i1", "kubelab.session": "s1", "kubelab.node": "node2" };

async function collect(chunks: (Buffer | string)[]): Promise<NodeEvent[]> {
  async function* source(): AsyncGenerator<Buffer | string> {
    for (const chunk of chunks) yield await Promise.resolve(chunk);
  }
  const events: NodeEvent[] = [];
  for await (const event of nodeEventsFrom(source())) events.push(event);
  return events;
}

describe("node events from Docker's event stream", () => {
  it("maps a die with its exit code and an oom to typed node events", () => {
    assert.deepEqual(nodeEventOf(dockerEvent("die", { ...nodeLabels, exitCode: "137" })), {
      kind: "died",
      sessionId: "s1",
      node: "node2",
      exitCode: 137,
    });
    assert.deepEqual(nodeEventOf(dockerEvent("die", { ...nodeLabels, exitCode: "0" })), {
      kind: "died",
      sessionId: "s1",
      node: "node2",
      exitCode: 0,
    });
    assert.deepEqual(nodeEventOf(dockerEvent("oom", nodeLabels)), { kind: "oom", sessionId: "s1", node: "node2" });
  });

  it("keeps a death whose exit code is missing or unreadable, with no code rather than a made-up one", () => {
    assert.equal((nodeEventOf(dockerEvent("die", nodeLabels)) as { exitCode: unknown }).exitCode, null);
    const odd = nodeEventOf(dockerEvent("die", { ...nodeLabels, exitCode: "killed" }));
    assert.equal(odd?.kind, "died");
    assert.equal((odd as { exitCode: unknown }).exitCode, null);
  });

  it("ignores other actions, other object types, containers that are not session nodes, and junk", () => {
    assert.equal(nodeEventOf(dockerEvent("start", nodeLabels)), undefined);
    assert.equal(nodeEventOf(dockerEvent("kill", { ...nodeLabels, signal: "9" })), undefined);
    assert.equal(nodeEventOf({ ...dockerEvent("die", nodeLabels), Type: "network" }), undefined);
    // The disk probe and firewall helpers carry the instance label but no session or node.
    assert.equal(nodeEventOf(dockerEvent("die", { "kubelab.instance": "i1", exitCode: "1" })), undefined);
    assert.equal(nodeEventOf(dockerEvent("die", { "kubelab.session": "s1", exitCode: "1" })), undefined);
    assert.equal(nodeEventOf(dockerEvent("oom", { ...nodeLabels, "kubelab.node": "" })), undefined);
    for (const junk of [null, undefined, 42, "die", [], { Action: "die" }, { Action: "die", Actor: {} }]) {
      assert.equal(nodeEventOf(junk), undefined);
    }
  });

  it("decodes lines split across chunks, even inside a UTF-8 character, and skips lines that are not JSON", async () => {
    // Session ids are ASCII today; the decoder must not depend on it.
    const first = JSON.stringify(dockerEvent("die", { ...nodeLabels, exitCode: "1", "kubelab.session": "s-ñandú" }));
    const second = JSON.stringify(dockerEvent("oom", { ...nodeLabels, "kubelab.node": "node1" }));
    const bytes = Buffer.from(
      `${first}\n\n{not json\n${second}\n${JSON.stringify(dockerEvent("start", nodeLabels))}\n`,
    );
    const cut = bytes.indexOf(Buffer.from("ñ")) + 1; // inside the two bytes of "ñ"
    const events = await collect([bytes.subarray(0, 10), bytes.subarray(10, cut), bytes.subarray(cut)]);
    assert.deepEqual(events, [
      { kind: "died", sessionId: "s-ñandú", node: "node2", exitCode: 1 },
      { kind: "oom", sessionId: "s1", node: "node1" },
    ]);
  });

  it("drops an unfinished last line instead of guessing at it", async () => {
    const whole = JSON.stringify(dockerEvent("die", { ...nodeLabels, exitCode: "2" }));
    const events = await collect([`${whole}\n`, whole.slice(0, 40)]);
    assert.deepEqual(events, [{ kind: "died", sessionId: "s1", node: "node2", exitCode: 2 }]);
  });
});

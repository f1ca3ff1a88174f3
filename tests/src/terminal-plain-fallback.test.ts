// A node image without python3 (a custom image) cannot run the terminal holder (issue 19): its
// terminals are plain shells of their docker exec, which work as before and are simply not held.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { derivedImage, docker, execIn } from "./support/docker-objects";
import { useKubelab } from "./support/lab-fixture";
import { TerminalClient } from "./support/terminal-client";

const BASE_IMAGE = process.env.KUBELAB_TEST_NODE_IMAGE ?? "kubelab/node-offline:latest";
const TAG = `t${process.pid}`;
const IMAGE = `kubelab-test/no-python:${TAG}`;

describe("terminals in a node without python3", () => {
  before(async () => {
    await derivedImage(
      BASE_IMAGE,
      "kubelab-test/no-python",
      TAG,
      ['ENTRYPOINT ["/usr/local/bin/kubelab-entrypoint"]'],
      "rm -f /usr/bin/python3*",
    );
  });
  const lab = useKubelab({
    withReadySession: true,
    browserOrigin: true,
    env: { NODE_IMAGE: IMAGE, NODE_IMAGES: IMAGE },
  });
  after(async () => {
    await docker
      .getImage(IMAGE)
      .remove({ force: true })
      .catch(() => undefined);
  });

  it("get plain shells that work, one per terminal, without a holder", async () => {
    const [container] = await docker.listContainers({
      filters: { label: [`kubelab.session=${lab.session.id}`, "kubelab.node=node1"] },
    });
    assert.ok(container, "node1 runs");
    assert.equal(container.Image, IMAGE);
    const terminals: TerminalClient[] = [];
    try {
      for (const name of ["main", "second"]) {
        const terminal = await TerminalClient.connect(lab.owner, lab.publicUrl, lab.session.id, "node1", {
          terminal: name,
        });
        terminals.push(terminal);
        assert.equal(terminal.last("hello")?.created, true);
        terminal.send(`echo ${name}-$((6*7))\r`);
        await terminal.waitForOutput(new RegExp(`${name}-42`), 30_000);
      }
      const { output } = await execIn(container.Id, ["ps", "-eo", "comm="]);
      assert.doesNotMatch(output, /kubelab-hold|kubelab-attach|python3/, "no holder in this node");
      assert.equal(output.split("\n").filter((line) => line.trim() === "bash").length, 2, "two shells");
    } finally {
      for (const terminal of terminals) terminal.close();
    }
  });
});

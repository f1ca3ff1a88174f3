// How Kubelab learns that a node is ready (issue 14): the offline image prints a ready line that
// Kubelab reads off the node's output, so nothing polls it with `docker exec`; images without the
// marker label are still polled; a node that dies while starting fails the session at once, with
// what it printed. Real server and engine; the other images are the offline one with other
// settings, made with `docker commit` (no build, no registry).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { derivedImage, docker, removeInstanceObjects } from "./support/docker-objects";
import { KubelabServer } from "./support/kubelab-server";
import { startTestDatabase, type TestDatabase } from "./support/test-database";

const BASE_IMAGE = process.env.KUBELAB_TEST_NODE_IMAGE ?? "kubelab/node-offline:latest";
const TAG = randomBytes(4).toString("hex");

/** The base image with Dockerfile-style changes (LABEL, ENTRYPOINT), as a new local image. */
function derivedNodeImage(name: string, changes: string[]): Promise<string> {
  return derivedImage(BASE_IMAGE, `kubelab-test/${name}`, TAG, changes);
}

/** Every `docker exec` Docker reports in an instance's containers, as the command it ran. */
async function watchExecs(instanceId: string): Promise<{ commands: string[]; stop: () => void }> {
  const filters = { type: ["container" as const], event: ["exec_create"], label: [`kubelab.instance=${instanceId}`] };
  const stream = (await docker.getEvents({ filters })) as unknown as Readable;
  const commands: string[] = [];
  let buffered = "";
  stream.on("data", (chunk: Buffer) => {
    const lines = (buffered + chunk.toString("utf8")).split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines.filter(Boolean)) {
      commands.push(String((JSON.parse(line) as { Action: string }).Action).replace(/^exec_create: /, ""));
    }
  });
  return { commands, stop: () => stream.destroy() };
}

describe("node readiness", () => {
  let db: TestDatabase;
  const images: string[] = [];

  before(async () => {
    db = await startTestDatabase();
  });
  after(async () => {
    for (const image of images)
      await docker
        .getImage(image)
        .remove({ force: true })
        .catch(() => undefined);
    await db?.stop();
  });

  /** A server whose nodes run `image`, one guest, one session: the session once settled, and the execs seen. */
  async function sessionOn(image: string): Promise<{ status: string; reason: string | null; execs: string[] }> {
    const server = await KubelabServer.start({
      databaseUrl: db.url,
      env: { NODE_IMAGE: image, NODE_READY_TIMEOUT: "240s" },
    });
    const watch = await watchExecs(server.instanceId);
    try {
      const client = server.client();
      await client.loginAsGuest("Readiness");
      const created = await client.createSession();
      const settled = await client.waitUntilSettled(created.id, 240_000);
      await sleep(500); // events of the last moments arrive
      return { status: settled.status, reason: settled.reason, execs: [...watch.commands] };
    } finally {
      watch.stop();
      await server.stop();
      await removeInstanceObjects(server.instanceId);
    }
  }

  it("nodes of the offline image say they are ready: no exec runs in them while they start", async () => {
    const { status, reason, execs } = await sessionOn(BASE_IMAGE);
    assert.equal(status, "ready", reason ?? "");
    assert.deepEqual(execs, [], "nothing polled the nodes");
  });

  it("nodes of an image without the marker label are polled with `docker info`, and become ready", async () => {
    const image = await derivedNodeImage("no-marker", ["LABEL kubelab.ready-marker=0"]);
    images.push(image);
    const { status, reason, execs } = await sessionOn(image);
    assert.equal(status, "ready", reason ?? "");
    assert.ok(
      execs.some((command) => command.startsWith("docker info")),
      `expected docker info execs, saw: ${execs.join("; ")}`,
    );
  });

  it("a node that dies while starting fails the session at once, with its last output", async () => {
    // Keeps the base image's marker label: Kubelab follows its output and sees it end.
    const image = await derivedNodeImage("dies", [
      'ENTRYPOINT ["/bin/sh", "-c", "echo no engine in this node >&2; exit 3"]',
    ]);
    images.push(image);
    const started = Date.now();
    const { status, reason } = await sessionOn(image);
    assert.equal(status, "failed");
    assert.match(reason ?? "", /stopped while starting: no engine in this node/);
    // Far below NODE_READY_TIMEOUT (240 s): the end of the node's output said it, no deadline did.
    assert.ok(Date.now() - started < 60_000, `took ${Date.now() - started} ms`);
  });
});

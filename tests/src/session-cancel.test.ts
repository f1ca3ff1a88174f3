// Ending a session while it is still starting (threat: a classroom that clicks Start, then Delete,
// on a loaded host). The readiness check of a node may take the rest of NODE_READY_TIMEOUT when the
// node's Docker engine does not answer; a DELETE must not wait for it, and must leave nothing behind.
// Real server, real Docker engine: the node image here has a `docker` command that never returns.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { countLabelled, docker } from "./support/docker-objects";
import { useKubelab } from "./support/lab-fixture";
import { waitFor } from "./support/wait-for";

const BASE_IMAGE = process.env.KUBELAB_TEST_NODE_IMAGE ?? "kubelab/node-offline:latest";
const HUNG_IMAGE = "kubelab-test/node-hung-docker:latest";
const DOCKER_TIMEOUT_S = 10;

/** The node image with a `docker` command (found before the real one on PATH) that hangs. */
async function buildHungImage(): Promise<void> {
  const base = await docker.getImage(BASE_IMAGE).inspect();
  const container = await docker.createContainer({
    Image: BASE_IMAGE,
    Entrypoint: ["/bin/sh", "-c"],
    Cmd: ["printf '#!/bin/sh\\nexec sleep 3600\\n' > /usr/local/bin/docker && chmod 755 /usr/local/bin/docker"],
  });
  try {
    await container.start();
    const exited = (await container.wait()) as { StatusCode: number };
    assert.equal(exited.StatusCode, 0);
    const [repo, tag] = HUNG_IMAGE.split(":");
    await container.commit({
      repo,
      tag,
      // Committing keeps the override above; the node must start as the real image does.
      changes: [
        `ENTRYPOINT ${JSON.stringify(base.Config.Entrypoint ?? [])}`,
        `CMD ${JSON.stringify(base.Config.Cmd ?? [])}`,
      ],
    });
  } finally {
    await container.remove({ force: true });
  }
}

describe("ending a session that is still starting", () => {
  before(buildHungImage);
  const lab = useKubelab({
    env: {
      NODE_IMAGE: HUNG_IMAGE,
      NODE_READY_TIMEOUT: "300s",
      DOCKER_TIMEOUT: `${DOCKER_TIMEOUT_S}s`,
      REAPER_INTERVAL: "60s",
    },
  });
  after(async () => {
    await docker
      .getImage(HUNG_IMAGE)
      .remove({ force: true })
      .catch(() => undefined);
  });

  it("DELETE during a hung readiness check answers at once and removes every Docker object", async () => {
    const owner = lab.server.client();
    await owner.loginAsGuest("Impatient");
    const session = await owner.createSession();
    // Both nodes run and their readiness checks (which hang here) are in flight.
    await waitFor(
      "both nodes running while the session is still provisioning",
      async () => {
        const now = await owner.getSession(session.id);
        assert.equal(now.status, "provisioning");
        return now.nodes.every((n) => n.status === "running") ? now : undefined;
      },
      120_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    const started = Date.now();
    const deleted = await owner.request("DELETE", `/api/sessions/${session.id}`);
    const elapsed = Date.now() - started;
    assert.equal(deleted.status, 204);
    // Past DOCKER_TIMEOUT the server would give up waiting and leave the objects to a later sweep
    // (REAPER_INTERVAL is a minute here): answering sooner means the cleanup did not wait for the check.
    assert.ok(elapsed < DOCKER_TIMEOUT_S * 1000, `DELETE took ${elapsed} ms`);
    assert.equal((await owner.getSession(session.id)).status, "ended");
    assert.deepEqual(await countLabelled(lab.server.instanceId, session.id), {
      containers: 0,
      networks: 0,
      volumes: 0,
    });
  });
});

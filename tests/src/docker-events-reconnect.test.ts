// Docker's event stream breaking (engine restart, proxy cut): the server reconnects, reconciles what
// it missed meanwhile, and follows node deaths again. Real server and engine; the server reaches the
// engine through a small Unix-socket relay in this test that can cut the event stream only.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { docker, ENGINE_ADDRESS } from "./support/docker-objects";
import { useKubelab } from "./support/lab-fixture";
import { waitFor } from "./support/wait-for";

/** Relays every connection to the engine; `/events` requests can be cut and refused for a while. */
function startEngineRelay(socketPath: string) {
  const events = new Set<net.Socket>();
  let refuseEventsUntil = 0;
  let eventsAccepted = 0;
  const connections = new Set<net.Socket>();
  const server = net.createServer((client) => {
    connections.add(client);
    client.once("close", () => connections.delete(client));
    const engine = net.connect(ENGINE_ADDRESS);
    // Checked on every chunk: a kept-alive connection may carry an /events request after others.
    client.on("data", (chunk: Buffer) => {
      if (/^GET \S*\/events[?\s]/.test(chunk.toString("latin1", 0, 200)) && !events.has(client)) {
        if (Date.now() < refuseEventsUntil) {
          client.destroy();
          engine.destroy();
          return;
        }
        eventsAccepted++;
        events.add(client);
        client.once("close", () => events.delete(client));
      }
      engine.write(chunk);
    });
    engine.pipe(client);
    client.on("error", () => engine.destroy());
    engine.on("error", () => client.destroy());
    client.on("close", () => engine.destroy());
    engine.on("close", () => client.destroy());
  });
  server.listen(socketPath);
  return {
    openEventStreams: () => events.size,
    eventsAccepted: () => eventsAccepted,
    /** Drops the open event streams and refuses new ones for `ms`. */
    cutEvents(ms: number): void {
      refuseEventsUntil = Date.now() + ms;
      for (const socket of events) socket.destroy();
    },
    // server.close alone would wait for the server's kept-alive connections, which never end.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of connections) socket.destroy();
      }),
  };
}

describe("Docker event stream reconnect", () => {
  const socketPath = path.join(os.tmpdir(), `kubelab-engine-relay-${randomBytes(4).toString("hex")}.sock`);
  const relay = startEngineRelay(socketPath);
  const lab = useKubelab({ env: { DOCKER_HOST: `unix://${socketPath}` }, withReadySession: true });
  // Registered after the fixture's, so it runs once the server (which needs the relay to shut down) stopped.
  after(async () => {
    await relay.close();
    fs.rmSync(socketPath, { force: true });
  });

  it("a node that died while the stream was down fails its session on reconnect; later deaths are seen again", async () => {
    await waitFor("the server to watch events", () => (relay.openEventStreams() > 0 ? true : undefined), 30_000);
    const acceptedBefore = relay.eventsAccepted();

    relay.cutEvents(6_000);
    const node2 = docker.getContainer(`kubelab-${lab.session.id}-node2`);
    await node2.kill();
    await waitFor("node2 to stop", async () => ((await node2.inspect()).State.Running ? undefined : true), 10_000);
    await sleep(1_000);
    // The death happened with no stream open: nothing may have told the server yet.
    assert.equal((await lab.owner.getSession(lab.session.id)).status, "ready");

    // Only the reconciliation after reconnecting words it this way (the event path names the exit code).
    const failed = await lab.owner.waitForStatus(lab.session.id, "failed", 30_000);
    assert.match(failed.reason ?? "", /node2 stopped unexpectedly/);
    assert.ok(relay.eventsAccepted() > acceptedBefore, "the server opened a new event stream");

    // The new stream works: a later death arrives as an event, with its exit code.
    const next = await lab.owner.createSession();
    assert.equal((await lab.owner.waitUntilSettled(next.id)).status, "ready");
    await docker.getContainer(`kubelab-${next.id}-node1`).kill({ signal: "SIGKILL" });
    const nextFailed = await lab.owner.waitForStatus(next.id, "failed", 30_000);
    assert.match(nextFailed.reason ?? "", /node1 stopped \(exit code 137\)/);
  });
});

// Docker faults (threat case 30): an upload whose client goes away half-way, a Docker call that hangs,
// and a graceful shutdown with terminals open. Real server, real Docker engine, real sockets.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { TPortList, TSession } from "@kubelab/shared";
import type { ApiClient } from "./support/api-client";
import { countLabelled, docker, execIn } from "./support/docker-objects";
import { useKubelab } from "./support/lab-fixture";
import { openRawRequest } from "./support/raw-http";
import { TerminalClient } from "./support/terminal-client";
import { waitFor } from "./support/wait-for";
import WebSocket from "ws";

const ORIGIN = "http://localhost:4310";
const DOCKER_TIMEOUT_S = 6;

/** Settles within `ms` or fails naming what hung: a wedged call must fail the test, not stall it. */
async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Holds Docker's lock on a container the way an unfinished upload does (an archive
 * request whose body never ends): until `release`, inspect, exec and removal of that
 * container hang in the engine itself.
 */
async function holdContainerLock(container: string): Promise<{ release: () => void }> {
  const body = new PassThrough();
  const release = (): void => void body.destroy(new Error("released by the test"));
  docker
    .getContainer(container)
    .putArchive(body, { path: "/tmp" })
    .catch(() => undefined);
  body.write(Buffer.alloc(512));
  await sleep(500);
  const probe = await Promise.race([
    docker
      .getContainer(container)
      .inspect()
      .then(() => "answered"),
    sleep(1_500, "hangs"),
  ]);
  if (probe !== "hangs") {
    release();
    assert.fail("the engine should hang on a container with an open archive request");
  }
  return { release };
}

describe("Docker faults", () => {
  const lab = useKubelab({
    env: {
      PUBLIC_URL: ORIGIN,
      DOCKER_TIMEOUT: `${DOCKER_TIMEOUT_S}s`,
      REAPER_INTERVAL: "1s",
      // Only Docker calls are meant to be short here; nodes may start slowly on a busy host.
      NODE_READY_TIMEOUT: "240s",
      MAX_SESSIONS_PER_USER: "1",
      UPLOAD_MAX_SIZE: "8m",
    },
    withReadySession: true,
  });

  const upload = (owner: ApiClient, sessionId: string, node: string, name: string, body: Buffer) =>
    fetch(`${lab.server.url}/api/sessions/${sessionId}/nodes/${node}/files/${name}`, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream", cookie: owner.cookieHeader ?? "" },
      body,
    });

  const deleteAndExpectEnded = async (owner: ApiClient, session: TSession, limitMs: number): Promise<void> => {
    const started = Date.now();
    const deleted = await within(limitMs, "DELETE", owner.request("DELETE", `/api/sessions/${session.id}`));
    assert.equal(deleted.status, 204);
    assert.equal((await owner.getSession(session.id)).status, "ended");
    console.log(`DELETE answered in ${Date.now() - started} ms`);
  };

  /** Each test has its own user (quota 1) and session, so each one fails or passes on its own. */
  const readySessionOf = async (name: string): Promise<{ owner: ApiClient; session: TSession }> => {
    const owner = lab.server.client();
    await owner.loginAsGuest(name);
    const session = await owner.createSession();
    assert.equal((await owner.waitUntilSettled(session.id)).status, "ready");
    return { owner, session };
  };

  it("an upload cut off half-way leaves the node, its terminals, ports and deletion working", async () => {
    const session = lab.session;
    const node1 = `kubelab-${session.id}-node1`;
    // The attack: 1 MiB declared, 100 bytes sent, socket closed.
    const socket = await openRawRequest(
      lab.server.port,
      `PUT /api/sessions/${session.id}/nodes/node1/files/x HTTP/1.1\r\nHost: 127.0.0.1:${lab.server.port}\r\n` +
        `Cookie: ${lab.owner.cookieHeader ?? ""}\r\nContent-Type: application/octet-stream\r\n` +
        `Content-Length: 1048576\r\n\r\n${"a".repeat(100)}`,
    );
    await sleep(1_000); // the server has started copying into the node
    socket.destroy();
    await sleep(500);

    // Well under DOCKER_TIMEOUT: the engine let go of the container, nothing merely timed out.
    const inspected = await within(5_000, "docker inspect of node1", docker.getContainer(node1).inspect());
    assert.equal(inspected.State.Running, true);
    const exec = await within(5_000, "docker exec in node1", execIn(node1, ["echo", "exec-works"]));
    assert.match(exec.output, /exec-works/);
    const term = await within(
      8_000,
      "a new terminal",
      TerminalClient.connect(lab.owner, ORIGIN, session.id, "node1", { terminal: "after-abort" }),
    );
    term.send('echo "echo-$((20 + 22))"\n');
    await term.waitForOutput(/echo-42/, 8_000);
    term.close();
    const ports = await within(
      8_000,
      "GET ports",
      lab.owner.request<TPortList>("GET", `/api/sessions/${session.id}/ports`),
    );
    assert.equal(ports.status, 200);
    const data = randomBytes(200_000);
    const second = await within(8_000, "a second upload", upload(lab.owner, session.id, "node1", "x", data));
    assert.equal(second.status, 201);
    const size = await execIn(node1, ["stat", "-c", "%s", "/root/x"]);
    assert.equal(size.output.trim(), String(data.length), "the second upload's file is complete");

    // A client that stops sending but stays connected is told why once DOCKER_TIMEOUT passes without data.
    const stalled = await openRawRequest(
      lab.server.port,
      `PUT /api/sessions/${session.id}/nodes/node1/files/stalled HTTP/1.1\r\nHost: 127.0.0.1:${lab.server.port}\r\n` +
        `Cookie: ${lab.owner.cookieHeader ?? ""}\r\nContent-Type: application/octet-stream\r\n` +
        `Content-Length: 1048576\r\n\r\n${"a".repeat(100)}`,
    );
    let answer = "";
    stalled.on("data", (chunk: Buffer) => (answer += chunk.toString("utf8")));
    await within(
      DOCKER_TIMEOUT_S * 1000 + 5_000,
      "the answer to a stalled upload",
      waitFor("the answer", () => (answer.includes("upload_incomplete") ? true : undefined), 60_000, 100),
    );
    assert.match(answer, /^HTTP\/1\.1 400 /);
    stalled.destroy();
    const node1Answers = await within(5_000, "docker inspect after the stall", docker.getContainer(node1).inspect());
    assert.equal(node1Answers.State.Running, true);

    await deleteAndExpectEnded(lab.owner, session, 10_000);
    assert.deepEqual(await countLabelled(lab.server.instanceId, session.id), {
      containers: 0,
      networks: 0,
      volumes: 0,
    });
  });

  it("a Docker call that hangs fails after DOCKER_TIMEOUT instead of wedging the API", async () => {
    const { owner, session } = await readySessionOf("Hung");
    const node1 = `kubelab-${session.id}-node1`;
    const lock = await holdContainerLock(node1);
    try {
      const limit = DOCKER_TIMEOUT_S * 1000 + 3_000;
      const ports = await within(
        limit,
        "GET ports",
        owner.request<TPortList>("GET", `/api/sessions/${session.id}/ports`),
      );
      assert.equal(ports.status, 200, "node2 still reports its ports; node1's discovery timed out");
      // The upgrade itself only needs the database; starting the shell then fails and closes with 1011.
      const ws = new WebSocket(TerminalClient.url(lab.server.url, session.id, "node1", { terminal: "hung" }), {
        headers: { origin: ORIGIN, cookie: owner.cookieHeader ?? "" },
      });
      ws.on("error", () => undefined);
      const [code] = (await within(limit, "a terminal on the hung node to give up", once(ws, "close"))) as [number];
      assert.equal(code, 1011);

      const upload1 = await within(
        limit,
        "an upload into the hung node",
        upload(owner, session.id, "node1", "y", Buffer.from("y")),
      );
      assert.equal(upload1.status, 504);
      assert.equal(((await upload1.json()) as { error: { code: string } }).error.code, "engine_timeout");

      await deleteAndExpectEnded(owner, session, limit);
      // It no longer counts against the quota (MAX_SESSIONS_PER_USER=1): a new session is accepted at once.
      const replacement = await owner.createSession();
      assert.equal((await owner.request("DELETE", `/api/sessions/${replacement.id}`)).status, 204);
    } finally {
      lock.release();
    }
    // What Docker could not remove while it hung is removed by the reaper's sweep once it answers again.
    await waitFor(
      "the hung session's Docker objects to be removed",
      async () => {
        const left = await countLabelled(lab.server.instanceId, session.id);
        return left.containers + left.networks + left.volumes === 0 ? true : undefined;
      },
      30_000,
      500,
    );
  });

  it("closes open terminal sockets with 1001 and a reason on SIGTERM", async () => {
    const { owner, session } = await readySessionOf("Shutdown");
    const term = await TerminalClient.connect(owner, ORIGIN, session.id, "node1", { terminal: "shutdown" });
    term.send("echo ready-for-shutdown\n");
    await term.waitForOutput(/ready-for-shutdown/);
    lab.server.process.kill("SIGTERM");
    const closed = await within(10_000, "the socket to close", term.closed);
    assert.equal(closed.code, 1001, `close code ${closed.code} (${closed.reason})`);
    assert.match(closed.reason, /restart|shut/i);
    if (lab.server.process.exitCode === null) await once(lab.server.process, "exit");
  });
});

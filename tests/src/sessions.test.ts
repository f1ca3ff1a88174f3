// Lab sessions end to end: real Kubelab server process, real PostgreSQL, real Docker engine.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ZSession } from "@kubelab/shared";
import { docker, countLabelled, execIn } from "./support/docker-objects";
import { useKubelab } from "./support/lab-fixture";

describe("lab sessions", () => {
  const lab = useKubelab({ env: { MAX_SESSIONS_PER_USER: "2", SESSION_MAX_EXTENSIONS: "1" } });

  it("creates two real nodes on a private network, with Docker inside, and removes everything on delete", async () => {
    const alice = lab.server.client();
    await alice.loginAsGuest("Alice");
    const created = await alice.createSession();
    assert.equal(created.status, "provisioning");
    assert.match(created.id, /^[0-9a-f]{32}$/);
    assert.deepEqual(
      created.nodes.map((n) => n.name),
      ["node1", "node2"],
    );
    ZSession.parse(created);

    const ready = await alice.waitUntilSettled(created.id);
    assert.equal(ready.status, "ready", `session failed: ${ready.reason}\n${lab.server.logs().slice(-3000)}`);
    assert.ok(ready.readyAt);
    for (const node of ready.nodes) {
      assert.equal(node.status, "running");
      assert.match(node.ip ?? "", /^\d+\.\d+\.\d+\.\d+$/);
    }

    const containers = await docker.listContainers({ filters: { label: [`kubelab.session=${created.id}`] } });
    assert.equal(containers.length, 2);
    for (const c of containers) {
      assert.equal(c.Labels["kubelab.owner"], (await alice.request<{ id: string }>("GET", "/api/me")).body.id);
      assert.ok(["node1", "node2"].includes(c.Labels["kubelab.node"] ?? ""));
    }
    const node1 = `kubelab-${created.id}-node1`;
    const inspected = await docker.getContainer(node1).inspect();
    assert.equal(inspected.Config.Hostname, "node1");
    // The node is on its own session network only, not the default bridge.
    assert.deepEqual(Object.keys(inspected.NetworkSettings.Networks), [`kubelab-${created.id}`]);
    assert.equal(inspected.HostConfig.PidsLimit, 4096);
    assert.equal(inspected.HostConfig.Memory, 1024 ** 3);
    assert.ok(inspected.Mounts.some((m) => m.Destination === "/var/lib/docker" && m.Type === "volume"));

    const ping = await execIn(node1, ["ping", "-c", "1", "-W", "3", "node2"]);
    assert.equal(ping.exitCode, 0, ping.output);
    const info = await execIn(node1, ["docker", "info", "--format", "{{.ServerVersion}}"]);
    assert.equal(info.exitCode, 0, info.output);
    // No registry is reachable here, so the nested container comes from an image built inside the node.
    const nested = await execIn(`kubelab-${created.id}-node2`, ["kubelab-nested-test"]);
    assert.equal(nested.exitCode, 0, nested.output);
    assert.match(nested.output, /nested-ok/);

    const deleted = await alice.request("DELETE", `/api/sessions/${created.id}`);
    assert.equal(deleted.status, 204);
    assert.deepEqual(await countLabelled(lab.server.instanceId, created.id), {
      containers: 0,
      networks: 0,
      volumes: 0,
    });
    const after = await alice.getSession(created.id);
    assert.equal(after.status, "ended");
    assert.equal(after.reason, "deleted");
    assert.deepEqual(after.stopReason, { code: "deleted", nodes: [], exitCode: null, detail: null });
    const list = await alice.request<{ sessions: unknown[] }>("GET", "/api/sessions");
    assert.equal(list.body.sessions.length, 0, "ended sessions are not listed");
  });

  it("keeps sessions private: other users get 404, anonymous callers 401", async () => {
    const alice = lab.server.client();
    await alice.loginAsGuest("Alice");
    const session = await alice.createSession();
    const mallory = lab.server.client();
    await mallory.loginAsGuest("Mallory");
    for (const [method, path] of [
      ["GET", `/api/sessions/${session.id}`],
      ["POST", `/api/sessions/${session.id}/extend`],
      ["DELETE", `/api/sessions/${session.id}`],
    ] as const) {
      const res = await mallory.request<{ error: { code: string } }>(method, path);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.body.error.code, "not_found");
    }
    assert.deepEqual((await mallory.request<{ sessions: unknown[] }>("GET", "/api/sessions")).body.sessions, []);

    const anonymous = lab.server.client();
    for (const [method, path] of [
      ["GET", "/api/sessions"],
      ["POST", "/api/sessions"],
      ["GET", `/api/sessions/${session.id}`],
      ["DELETE", `/api/sessions/${session.id}`],
      ["GET", "/api/me"],
    ] as const) {
      const res = await anonymous.request<{ error: { code: string } }>(method, path);
      assert.equal(res.status, 401, `${method} ${path}`);
      assert.equal(res.body.error.code, "unauthenticated");
    }
    // Mallory's attempts changed nothing.
    const settled = await alice.waitUntilSettled(session.id);
    assert.equal(settled.status, "ready");
    assert.equal((await alice.request("DELETE", `/api/sessions/${session.id}`)).status, 204);
  });

  it("rejects bad bodies with 400 and a stable code, creating nothing", async () => {
    const bob = lab.server.client();
    await bob.loginAsGuest("Bob");
    const before = await countLabelled(lab.server.instanceId);
    for (const body of [
      { image: "alpine" },
      { privileged: true },
      { lesson: "../etc/passwd" },
      { lesson: 42 },
      { binds: ["/:/host"] },
    ]) {
      const res = await bob.request<{ error: { code: string; message: string } }>("POST", "/api/sessions", body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, "bad_request");
      assert.ok(res.body.error.message.length > 0);
    }
    const malformed = await bob.request<{ error: { code: string } }>("POST", "/api/sessions", undefined, "{not json");
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error.code, "bad_request");
    assert.equal((await bob.request("GET", "/api/sessions/not-a-session-id")).status, 404);
    assert.deepEqual((await bob.request<{ sessions: unknown[] }>("GET", "/api/sessions")).body.sessions, []);
    assert.deepEqual(await countLabelled(lab.server.instanceId), before);
  });

  it("extends a session up to the configured number of times", async () => {
    const carol = lab.server.client();
    await carol.loginAsGuest("Carol");
    const session = await carol.createSession();
    const extended = await carol.request<{ expiresAt: string; extensions: number }>(
      "POST",
      `/api/sessions/${session.id}/extend`,
    );
    assert.equal(extended.status, 200);
    assert.equal(extended.body.extensions, 1);
    assert.equal(Date.parse(extended.body.expiresAt) - Date.parse(session.expiresAt), 30 * 60 * 1000);
    const again = await carol.request<{ error: { code: string } }>("POST", `/api/sessions/${session.id}/extend`);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, "extension_limit");
    const unknownField = await carol.request("POST", `/api/sessions/${session.id}/extend`, { minutes: 999 });
    assert.equal(unknownField.status, 400);
    assert.equal((await carol.request("DELETE", `/api/sessions/${session.id}`)).status, 204);
    const ended = await carol.request<{ error: { code: string } }>("POST", `/api/sessions/${session.id}/extend`);
    assert.equal(ended.status, 409);
    assert.equal(ended.body.error.code, "session_not_active");
    assert.deepEqual(await countLabelled(lab.server.instanceId, session.id), {
      containers: 0,
      networks: 0,
      volumes: 0,
    });
  });
});

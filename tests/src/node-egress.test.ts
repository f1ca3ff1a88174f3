// Node egress and the host firewall (threat cases 12 and 29): real server, real Docker nodes, real
// iptables rules on this host. "Outside" destinations live in a network namespace the test creates
// (FakeOutside), so no packet leaves the machine.
import assert from "node:assert/strict";
import type net from "node:net";
import { after, before, describe, it } from "node:test";
import type { TSession } from "@kubelab/shared";
import type { ApiClient } from "./support/api-client";
import {
  docker,
  execIn,
  instanceFirewallRules,
  removeInstanceFirewall,
  removeInstanceObjects,
} from "./support/docker-objects";
import { FakeOutside, hostAddresses, hostCanConnect, hostConnect, startHostListener } from "./support/egress-targets";
import { freePort } from "./support/free-port";
import { KubelabServer } from "./support/kubelab-server";
import { HEADER_ECHO_APP, startNodeApp } from "./support/node-apps";
import { startTestDatabase, type TestDatabase } from "./support/test-database";
import { waitFor } from "./support/wait-for";

const container = (sessionId: string, node: string): string => `kubelab-${sessionId}-${node}`;

// Connects to every target at once from inside a node; "open" = the TCP handshake completed.
const PROBE = String.raw`
import socket, sys, threading
results = {}
def probe(target):
    host, port = target.rsplit(":", 1)
    try:
        s = socket.create_connection((host, int(port)), timeout=3)
        s.settimeout(1)
        try:
            banner = s.recv(200).decode(errors="replace").strip()
        except Exception:
            banner = ""
        results[target] = "open " + banner
    except Exception as e:
        results[target] = "closed " + type(e).__name__
threads = [threading.Thread(target=probe, args=(t,)) for t in sys.argv[1:]]
for t in threads: t.start()
for t in threads: t.join()
for t in sys.argv[1:]: print(t, results[t])
`;

async function probeFrom(sessionId: string, node: string, targets: string[]): Promise<Map<string, string>> {
  const { exitCode, output } = await execIn(container(sessionId, node), ["python3", "-c", PROBE, ...targets]);
  assert.equal(exitCode, 0, output);
  const results = new Map<string, string>();
  for (const line of output.trim().split("\n")) {
    const [target, ...rest] = line.trim().split(" ");
    if (target) results.set(target, rest.join(" "));
  }
  return results;
}

function assertClosed(results: Map<string, string>, targets: string[]): void {
  for (const target of targets) assert.match(results.get(target) ?? "missing", /^closed/, `${target} must be closed`);
}

function assertOpen(results: Map<string, string>, targets: string[], banner?: RegExp): void {
  for (const target of targets) {
    const result = results.get(target) ?? "missing";
    assert.match(result, /^open/, `${target} must be open, got ${result}`);
    if (banner) assert.match(result, banner, target);
  }
}

async function gatewayOf(sessionId: string, node: string): Promise<string> {
  const info = await docker.getContainer(container(sessionId, node)).inspect();
  const gateway = info.NetworkSettings.Networks[`kubelab-${sessionId}`]?.Gateway;
  assert.ok(gateway, "the node has a gateway on its session network");
  return gateway;
}

async function readySession(server: KubelabServer, name: string): Promise<{ client: ApiClient; session: TSession }> {
  const client = server.client();
  await client.loginAsGuest(name);
  const created = await client.createSession();
  const session = await client.waitUntilSettled(created.id, 300_000);
  assert.equal(session.status, "ready", session.reason ?? "");
  return { client, session };
}

describe("node egress and the host firewall", () => {
  let port: number;
  let hostListener: net.Server;
  let outside: FakeOutside;

  before(async () => {
    port = await freePort();
    hostListener = await startHostListener(port, "host-secret");
    outside = await FakeOutside.create(port);
  });

  after(async () => {
    outside?.tearDown();
    await new Promise((resolve) => (hostListener ? hostListener.close(resolve) : resolve(undefined)));
  });

  describe("one installation, restarted from NODE_EGRESS=internet (the default) to none", () => {
    let db: TestDatabase;
    let server: KubelabServer;
    let alice: TSession;
    let bob: TSession;
    let aliceClient: ApiClient;
    let bobClient: ApiClient;
    const t = (ip: string): string => `${ip}:${port}`;
    const ipOf = (session: TSession, node: string): string => session.nodes.find((n) => n.name === node)?.ip ?? "";

    before(async () => {
      db = await startTestDatabase();
      server = await KubelabServer.start({
        databaseUrl: db.url,
        env: { NODE_EGRESS_ALLOW: outside.allowedCidr, NODE_READY_TIMEOUT: "300s" },
      });
      [{ client: aliceClient, session: alice }, { client: bobClient, session: bob }] = await Promise.all([
        readySession(server, "Alice"),
        readySession(server, "Bob"),
      ]);
      await Promise.all([
        startNodeApp(container(alice.id, "node2"), HEADER_ECHO_APP, 8000),
        startNodeApp(container(bob.id, "node1"), HEADER_ECHO_APP, 8000),
      ]);
      // The host (the port proxy's side) reaches both apps: a closed port below is the firewall's doing.
      for (const ip of [ipOf(alice, "node2"), ipOf(bob, "node1")]) {
        await waitFor(`the app on ${ip}:8000`, () => hostCanConnect(ip, 8000).then((ok) => ok || undefined), 30_000);
      }
    });

    after(async () => {
      await server?.stop();
      if (server) await removeInstanceObjects(server.instanceId);
      await db?.stop();
    });

    it("names session bridges with the installation's prefix and jumps from INPUT and DOCKER-USER", async () => {
      const network = await docker.getNetwork(`kubelab-${alice.id}`).inspect();
      const bridge = (network.Options as Record<string, string>)["com.docker.network.bridge.name"] ?? "";
      assert.match(bridge, /^kl[0-9a-f]{13}$/);
      assert.equal(bridge.slice(7), alice.id.slice(0, 8));
      const rules = instanceFirewallRules(server.instanceId);
      const prefix = `-i ${bridge.slice(0, 7)}+`;
      assert.ok(
        rules.some((r) => r.startsWith("-A INPUT ") && r.includes(prefix)),
        rules.join("\n"),
      );
      assert.ok(
        rules.some((r) => r.startsWith("-A DOCKER-USER ") && r.includes(prefix)),
        rules.join("\n"),
      );
    });

    it("the host itself reaches every target, so the probes below can succeed", async () => {
      assert.equal(await hostConnect("127.0.0.1", port), "host-secret");
      for (const address of [...hostAddresses(), await gatewayOf(alice.id, "node1")]) {
        assert.equal(await hostConnect(address, port), "host-secret", address);
      }
      for (const ip of [outside.metadataIp, outside.privateIp, outside.internetIp, outside.allowedIp]) {
        assert.equal(await hostConnect(ip, port), `outside ${ip}`);
      }
    });

    it("internet: no host address (listener on 0.0.0.0), no metadata, no private range, no other session", async () => {
      const host = [...new Set([await gatewayOf(alice.id, "node1"), ...hostAddresses()])].map(t);
      const closed = [...host, t(outside.metadataIp), t(outside.privateIp), `${ipOf(bob, "node1")}:8000`];
      const open = [t(outside.internetIp), t(outside.allowedIp), "node2:8000"];
      const results = await probeFrom(alice.id, "node1", [...closed, ...open]);
      assertClosed(results, closed);
      assertOpen(results, [t(outside.internetIp)], /outside 203\.0\.113\.77/);
      assertOpen(results, [t(outside.allowedIp)], /outside 10\.252\./);
      assertOpen(results, ["node2:8000"]);
    });

    it("a stop with live sessions keeps the rules; npm run firewall:remove deletes them", async () => {
      await server.stop();
      assert.notEqual(instanceFirewallRules(server.instanceId).length, 0, "rules kept while sessions live");
      removeInstanceFirewall(server.instanceId);
      assert.deepEqual(instanceFirewallRules(server.instanceId), []);
    });

    it("none: after a restart with NODE_EGRESS=none the running nodes reach only their session and the allowed network", async () => {
      server = await KubelabServer.start({
        ...server.options,
        instanceId: server.instanceId,
        port: server.port,
        env: { NODE_EGRESS: "none", NODE_EGRESS_ALLOW: outside.allowedCidr, NODE_READY_TIMEOUT: "300s" },
      });
      assert.equal((await aliceClient.getSession(alice.id)).status, "ready");
      const host = [...new Set([await gatewayOf(alice.id, "node1"), ...hostAddresses()])].map(t);
      const closed = [
        ...host,
        t(outside.metadataIp),
        t(outside.privateIp),
        t(outside.internetIp),
        `${ipOf(bob, "node1")}:8000`,
      ];
      const open = [t(outside.allowedIp), "node2:8000"];
      const results = await probeFrom(alice.id, "node1", [...closed, ...open]);
      assertClosed(results, closed);
      assertOpen(results, open);
    });

    it("a graceful stop with no session left removes the installation's rules", async () => {
      for (const [client, session] of [
        [aliceClient, alice],
        [bobClient, bob],
      ] as const) {
        const res = await client.request("DELETE", `/api/sessions/${session.id}`);
        assert.ok(res.status < 300, `delete: ${res.status}`);
        await client.waitForStatus(session.id, "ended");
      }
      assert.notEqual(instanceFirewallRules(server.instanceId).length, 0);
      await server.stop();
      assert.deepEqual(instanceFirewallRules(server.instanceId), []);
    });
  });
});

// NODE_REGISTRY_MIRROR: every node's start-up gives the mirror to its dockerd (`docker info` lists it)
// and writes containerd's hosts.toml for docker.io; without the setting nodes are as before. Real
// server and nodes (the offline image); the mirror's name never resolves, nothing is pulled.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TSession } from "@kubelab/shared";
import { execIn } from "./support/docker-objects";
import { useKubelab } from "./support/lab-fixture";

const MIRROR = "http://mirror.invalid:5000";
const HOSTS_TOML = "/etc/containerd/certs.d/docker.io/hosts.toml";
const ENV = { NODE_READY_TIMEOUT: "300s", POOL_SIZE: "0" };

const node1 = (session: TSession): string => `kubelab-${session.id}-node1`;

async function mirrorsOf(session: TSession): Promise<string[]> {
  const info = await execIn(node1(session), ["docker", "info", "--format", "{{json .RegistryConfig.Mirrors}}"]);
  assert.equal(info.exitCode, 0, info.output);
  return (JSON.parse(info.output.trim()) as string[] | null) ?? [];
}

describe("NODE_REGISTRY_MIRROR set", () => {
  const lab = useKubelab({ env: { ...ENV, NODE_REGISTRY_MIRROR: MIRROR }, withReadySession: true });

  it("the node's dockerd lists the mirror", async () => {
    assert.deepEqual(await mirrorsOf(lab.session), [`${MIRROR}/`]);
  });

  it("containerd's hosts.toml for docker.io points at the mirror", async () => {
    const toml = await execIn(node1(lab.session), ["cat", HOSTS_TOML]);
    assert.equal(toml.exitCode, 0, toml.output);
    assert.match(toml.output, /^server = "https:\/\/registry-1\.docker\.io"$/m);
    assert.match(toml.output, /^\[host\."http:\/\/mirror\.invalid:5000"\]$/m);
    assert.match(toml.output, /capabilities = \["pull", "resolve"\]/);
  });
});

describe("NODE_REGISTRY_MIRROR unset", () => {
  const lab = useKubelab({ env: ENV, withReadySession: true });

  it("the node has no mirror and no hosts.toml", async () => {
    assert.deepEqual(await mirrorsOf(lab.session), []);
    const toml = await execIn(node1(lab.session), ["test", "-e", HOSTS_TOML]);
    assert.notEqual(toml.exitCode, 0, `${HOSTS_TOML} must not exist`);
  });
});

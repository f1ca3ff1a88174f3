import { execFileSync } from "node:child_process";
import type net from "node:net";
import path from "node:path";
import Docker from "dockerode";
import { REPO_ROOT } from "./repo-paths";

export const docker = new Docker();

/** Where the engine really is (a Unix socket, or tcp://host:port without TLS), for relays in tests. */
export const ENGINE_ADDRESS: net.NetConnectOpts = ((host) => {
  if (host.startsWith("tcp://")) {
    const url = new URL(host);
    return { host: url.hostname, port: Number(url.port || 2375) };
  }
  return { path: host.replace(/^unix:\/\//, "") };
})(process.env.DOCKER_HOST || "unix:///var/run/docker.sock");

/** Counts the Docker objects a Kubelab instance (or one session of it) has on the engine. */
export async function countLabelled(
  instanceId: string,
  sessionId?: string,
): Promise<{ containers: number; networks: number; volumes: number }> {
  const label = [`kubelab.instance=${instanceId}`, ...(sessionId ? [`kubelab.session=${sessionId}`] : [])];
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters: { label } }),
    docker.listNetworks({ filters: { label } }),
    docker.listVolumes({ filters: { label } }),
  ]);
  return { containers: containers.length, networks: networks.length, volumes: (volumes.Volumes ?? []).length };
}

/** Runs a command in a container; returns exit code and combined output. */
export async function execIn(container: string, cmd: string[]): Promise<{ exitCode: number; output: string }> {
  const exec = await docker.getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  const sink = { write: (chunk: Buffer) => chunks.push(chunk) } as unknown as NodeJS.WritableStream;
  docker.modem.demuxStream(stream, sink, sink);
  await new Promise((resolve, reject) => {
    stream.on("end", resolve);
    stream.on("error", reject);
  });
  const info = await exec.inspect();
  return { exitCode: info.ExitCode ?? -1, output: Buffer.concat(chunks).toString("utf8") };
}

/** The host firewall rules (iptables-save lines, both backends) of an instance: its jumps carry `kubelab:<id>`. */
export function instanceFirewallRules(instanceId: string): string[] {
  const lines: string[] = [];
  let readable = false;
  for (const tool of ["iptables-nft-save", "iptables-legacy-save", "ip6tables-nft-save", "ip6tables-legacy-save"]) {
    try {
      const out = execFileSync(tool, [], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
      readable = true;
      lines.push(...out.split("\n").filter((line) => line.includes(`"kubelab:${instanceId}"`)));
    } catch {
      // this backend (or iptables itself) is not available here
    }
  }
  if (!readable) throw new Error("cannot read the host firewall (iptables-save missing or not root)");
  return lines;
}

/**
 * Removes an instance's node firewall with the product's own command, as an admin would. A server
 * stopped with live sessions keeps its rules by design, which in tests would pile up on the host.
 */
export function removeInstanceFirewall(instanceId: string): void {
  let present = true;
  try {
    present = instanceFirewallRules(instanceId).length > 0;
  } catch {
    // cannot tell: remove anyway
  }
  if (!present) return;
  execFileSync(process.execPath, [path.join(REPO_ROOT, "apps/api/dist/nodes/node-firewall-remove.cli.js")], {
    env: {
      PATH: process.env.PATH ?? "",
      DOCKER_HOST: process.env.DOCKER_HOST ?? "",
      INSTANCE_ID: instanceId,
      NODE_IMAGE: process.env.KUBELAB_TEST_NODE_IMAGE ?? "kubelab/node-offline:latest",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
}

/** Removes everything an instance left (test cleanup, so a failed test cannot leak into the next). */
export async function removeInstanceObjects(instanceId: string): Promise<void> {
  const filters = { label: [`kubelab.instance=${instanceId}`] };
  // The instance's disk probe (see NodeDiskMonitor) is left behind when a test kills the server.
  const probes = await docker.listContainers({ all: true, filters: { label: [`kubelab.disk-probe=${instanceId}`] } });
  for (const c of [...probes, ...(await docker.listContainers({ all: true, filters }))]) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true, v: true })
      .catch(() => undefined);
  }
  for (const n of await docker.listNetworks({ filters }))
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => undefined);
  for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) {
    await docker
      .getVolume(v.Name)
      .remove({ force: true })
      .catch(() => undefined);
  }
  removeInstanceFirewall(instanceId);
}

/**
 * A new local image from `base` with Dockerfile-style `changes` (LABEL, ENTRYPOINT), made with
 * `docker commit` (no build, no registry). With `prepare`, that shell script runs in the container
 * first and its changes to the files are kept (e.g. removing a program).
 */
export async function derivedImage(
  base: string,
  repo: string,
  tag: string,
  changes: string[],
  prepare?: string,
): Promise<string> {
  const container = await docker.createContainer({
    Image: base,
    Labels: { "kubelab.test": tag },
    ...(prepare ? { Entrypoint: ["/bin/sh", "-c", prepare] } : {}),
  });
  try {
    if (prepare) {
      await container.start();
      await container.wait();
    }
    await container.commit({ repo, tag, changes });
  } finally {
    await container.remove({ force: true });
  }
  return `${repo}:${tag}`;
}

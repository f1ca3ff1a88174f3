import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import Docker from "dockerode";
import { docker } from "./docker-objects";
import { REPO_ROOT } from "./repo-paths";
import { waitFor } from "./wait-for";

export interface SecondEngine {
  /** tcp://address:2375, as DOCKER_ENGINES lists it. */
  url: string;
  /** A client of it, to look at what Kubelab made there. */
  client: Docker;
  /** Stops its container (the engine stops answering); `remove` then deletes it and its data. */
  stop(): Promise<void>;
  /** Freezes its processes (it stops answering, nothing is lost) and thaws them. */
  pause(): Promise<void>;
  unpause(): Promise<void>;
  remove(): Promise<void>;
}

interface SecurityModule {
  securityHostConfig(profile: "capabilities"): Docker.HostConfig;
}

/** The HostConfig Kubelab gives a node under the "capabilities" profile (privileged is refused on some hosts). */
async function nodeHostConfig(): Promise<Docker.HostConfig> {
  const modulePath = path.join(REPO_ROOT, "apps/api/dist/nodes/node-security-profile.js");
  const security = (await import(pathToFileURL(modulePath).href)) as SecurityModule;
  return security.securityHostConfig("capabilities");
}

/**
 * A second Docker engine on this machine, standing for another host: the node image's own dockerd
 * in a container, listening on TCP without TLS on the default bridge (reachable from this host
 * only). `image` is loaded into it, so Kubelab can start nodes there.
 */
export async function startSecondEngine(image: string): Promise<SecondEngine> {
  const name = `kubelab-test-engine-${randomBytes(4).toString("hex")}`;
  const volume = `${name}-data`;
  const container = await docker.createContainer({
    name,
    Image: image,
    Cmd: ["--host=tcp://0.0.0.0:2375"],
    Labels: { "kubelab.test-engine": "true" },
    HostConfig: {
      // As a node, with its engine's seccomp off: it hosts nodes, which get Kubelab's filter themselves.
      ...(await nodeHostConfig()),
      SecurityOpt: ["seccomp=unconfined", "apparmor=unconfined"],
      Mounts: [{ Type: "volume", Source: volume, Target: "/var/lib/docker" }],
    },
  });
  await container.start();
  const address = (await container.inspect()).NetworkSettings.IPAddress;
  const url = `tcp://${address}:2375`;
  const client = new Docker({ host: address, port: 2375, protocol: "http" });
  await waitFor(
    "the second engine to answer",
    async () => ((await client.ping().catch(() => null)) ? true : undefined),
    60_000,
    200,
  );
  await loadImage(image, url);
  return {
    url,
    client,
    pause: async () => {
      await container.pause();
    },
    unpause: async () => {
      await container.unpause();
    },
    stop: async () => {
      await container.stop({ t: 1 }).catch(() => undefined);
    },
    remove: async () => {
      await container.remove({ force: true, v: true }).catch(() => undefined);
      await docker
        .getVolume(volume)
        .remove()
        .catch(() => undefined);
    },
  };
}

/** docker save | docker -H <engine> load, with the CLI: the simplest byte-exact copy. */
async function loadImage(image: string, url: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const save = spawn("docker", ["save", image], { stdio: ["ignore", "pipe", "inherit"] });
    const load = spawn("docker", ["-H", url, "load", "-q"], { stdio: ["pipe", "ignore", "inherit"] });
    save.stdout.pipe(load.stdin);
    save.on("error", reject);
    load.on("error", reject);
    load.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`docker load into ${url} exited with ${code}`)),
    );
  });
}

import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import { spawn } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import Docker from "dockerode";
import { docker } from "./docker-objects";
import { REPO_ROOT } from "./repo-paths";
import { waitFor } from "./wait-for";

export interface SecondEngine {
  /** tcp://address:2376, as DOCKER_ENGINES lists it. */
  url: string;
  /** The folder with the client's ca.pem, cert.pem and key.pem (DOCKER_ENGINES tls=). */
  tlsDir: string;
  /** A client of it, to look at what Kubelab made there. */
  client: Docker;
  /** Stops its container (the engine stops answering); `remove` then deletes it and its data. */
  stop(): Promise<void>;
  /** Freezes its processes (it stops answering, nothing is lost) and thaws them. */
  pause(): Promise<void>;
  unpause(): Promise<void>;
  remove(): Promise<void>;
}

/**
 * A CA, a server certificate for the engine's address and a client certificate for Kubelab, then
 * the node image's entrypoint with dockerd on TCP requiring client certificates (--tlsverify).
 */
const TLS_ENGINE_SCRIPT = `set -e
cd /certs
ip=$(hostname -i | awk '{print $1}')
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days 2 -subj /CN=kubelab-test-ca 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout server-key.pem -out server.csr -subj /CN=engine 2>/dev/null
printf 'subjectAltName=IP:%s\\nextendedKeyUsage=serverAuth\\n' "$ip" > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out server-cert.pem -days 2 -extfile server.ext 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout client-key.pem -out client.csr -subj /CN=kubelab 2>/dev/null
printf 'extendedKeyUsage=clientAuth\\n' > client.ext
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out cert.pem -days 2 -extfile client.ext 2>/dev/null
chmod 644 ./*.pem
mv client-key.pem key.pem
exec /usr/local/bin/kubelab-entrypoint --host=tcp://0.0.0.0:2376 --tlsverify --tlscacert=/certs/ca.pem --tlscert=/certs/server-cert.pem --tlskey=/certs/server-key.pem
`;

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
  const tlsDir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-engine-tls-"));
  const container = await docker.createContainer({
    name,
    Image: image,
    // Its certificates are made where its address is known: in it, before its dockerd starts.
    Entrypoint: ["/bin/sh", "-c", TLS_ENGINE_SCRIPT],
    Labels: { "kubelab.test-engine": "true" },
    HostConfig: {
      // As a node, with its engine's seccomp off: it hosts nodes, which get Kubelab's filter themselves.
      ...(await nodeHostConfig()),
      SecurityOpt: ["seccomp=unconfined", "apparmor=unconfined"],
      Mounts: [{ Type: "volume", Source: volume, Target: "/var/lib/docker" }],
      Binds: [`${tlsDir}:/certs`],
    },
  });
  await container.start();
  const address = (await container.inspect()).NetworkSettings.IPAddress;
  const url = `tcp://${address}:2376`;
  const read = (file: string): Buffer => fs.readFileSync(path.join(tlsDir, file));
  await waitFor("the engine's certificates", () => (fs.existsSync(path.join(tlsDir, "key.pem")) ? true : undefined));
  const client = new Docker({
    host: address,
    port: 2376,
    protocol: "https",
    ca: read("ca.pem"),
    cert: read("cert.pem"),
    key: read("key.pem"),
  });
  await waitFor(
    "the second engine to answer",
    async () => ((await client.ping().catch(() => null)) ? true : undefined),
    60_000,
    200,
  );
  await loadImage(image, url, tlsDir);
  return {
    url,
    tlsDir,
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
      fs.rmSync(tlsDir, { recursive: true, force: true });
    },
  };
}

/** docker save | docker -H <engine> load, with the CLI: the simplest byte-exact copy. */
async function loadImage(image: string, url: string, tlsDir: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const save = spawn("docker", ["save", image], { stdio: ["ignore", "pipe", "inherit"] });
    const tls = [
      "--tlsverify",
      ...["cacert", "cert", "key"].map((k) => `--tls${k}=${tlsDir}/${k === "cacert" ? "ca" : k}.pem`),
    ];
    const load = spawn("docker", [...tls, "-H", url, "load", "-q"], { stdio: ["pipe", "ignore", "inherit"] });
    save.stdout.pipe(load.stdin);
    save.on("error", reject);
    load.on("error", reject);
    load.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`docker load into ${url} exited with ${code}`)),
    );
  });
}

import fs from "node:fs";
import path from "node:path";
import type Docker from "dockerode";
import type { EngineConfig } from "../config/docker-engines-config";

/**
 * How dockerode reaches one engine of DOCKER_ENGINES. An engine without a URL is the environment's
 * (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, as the docker CLI reads them), so a
 * single-host installation behaves as before.
 */
export function dockerodeOptions(engine: EngineConfig): Docker.DockerOptions | undefined {
  if (!engine.url) return undefined;
  const url = new URL(engine.url);
  switch (url.protocol) {
    case "unix:":
      return { socketPath: url.pathname };
    case "tcp:": {
      const base = { host: url.hostname, port: Number(url.port) };
      if (!engine.tlsDir) return { ...base, protocol: "http" };
      // Mutual TLS, as `dockerd --tlsverify` expects: the engine proves itself with the CA, Kubelab with its cert.
      const read = (file: string): Buffer => fs.readFileSync(path.join(engine.tlsDir!, file));
      return { ...base, protocol: "https", ca: read("ca.pem"), cert: read("cert.pem"), key: read("key.pem") };
    }
    case "ssh:":
      // The ssh user's keys come from the ssh agent (SSH_AUTH_SOCK), as with `docker -H ssh://`.
      return {
        protocol: "ssh",
        host: url.hostname,
        port: url.port ? Number(url.port) : 22,
        username: decodeURIComponent(url.username) || undefined,
        sshOptions: { agent: process.env.SSH_AUTH_SOCK },
      };
    default:
      throw new Error(`unsupported Docker engine URL ${engine.url}`);
  }
}

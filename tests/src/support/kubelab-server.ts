import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ApiClient } from "./api-client";
import { freePort } from "./free-port";
import { TEST_DATA_PLANE } from "./data-plane";
import { SERVER_ENTRY } from "./repo-paths";
import { waitFor } from "./wait-for";

const LOG_DIR = process.env.KUBELAB_TEST_LOG_DIR ?? path.join(os.tmpdir(), "kubelab-test-logs");

export interface ServerOptions {
  databaseUrl: string;
  /** Extra environment, e.g. quotas or durations for the scenario under test. */
  env?: Record<string, string>;
  /** Reuse an instance id (to restart "the same" Kubelab); a fresh one by default. */
  instanceId?: string;
  port?: number;
}

/**
 * The real Kubelab server, started as its own process the way `npm start`
 * does, so tests cover config parsing, migrations, reconciliation at boot and
 * the HTTP stack exactly as users get them.
 */
export class KubelabServer {
  readonly url: string;
  private output = "";

  private constructor(
    readonly process: ChildProcess,
    readonly instanceId: string,
    readonly port: number,
    readonly options: ServerOptions,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    // Full server output also goes to a file, for post-mortems of failed runs (CI prints the path).
    fs.mkdirSync(LOG_DIR, { recursive: true });
    const logFile = fs.createWriteStream(path.join(LOG_DIR, `${instanceId}.log`), { flags: "a" });
    const append = (chunk: Buffer): void => {
      logFile.write(chunk);
      this.output = (this.output + chunk.toString("utf8")).slice(-200_000);
    };
    process.stdout?.on("data", append);
    process.stderr?.on("data", append);
  }

  static async start(options: ServerOptions): Promise<KubelabServer> {
    // Unique per test file, so each file's reconciler only ever touches its own Docker objects.
    const instanceId = options.instanceId ?? `t${randomBytes(5).toString("hex")}`;
    const port = options.port ?? (await freePort());
    const child = spawn(process.execPath, [SERVER_ENTRY], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/root",
        DOCKER_HOST: process.env.DOCKER_HOST ?? "",
        NODE_IMAGE: process.env.KUBELAB_TEST_NODE_IMAGE ?? "kubelab/node-offline:latest",
        NODE_SECURITY_PROFILE: process.env.KUBELAB_TEST_SECURITY_PROFILE ?? "auto",
        NODE_MEMORY: "1g",
        DATABASE_URL: options.databaseUrl,
        INSTANCE_ID: instanceId,
        PORT: String(port),
        HOST: "127.0.0.1",
        WEB_ENABLED: "false",
        LOG_LEVEL: "debug",
        // Every test user is a guest from 127.0.0.1, standing for people on different networks;
        // guest-quota.test.ts sets the real cap.
        GUEST_SESSIONS_PER_ADDRESS: "1000",
        // The product keeps one pooled session by default; tests that do not test the pool would see
        // an extra session and containers building behind them, so they run without one.
        // session-pool.test.ts sets the sizes it tests.
        POOL_SIZE: "0",
        // KUBELAB_TEST_PORT_DATA_PLANE=haproxy runs every suite's server behind HAProxy (docs/ports.md).
        PORT_DATA_PLANE: TEST_DATA_PLANE,
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const server = new KubelabServer(child, instanceId, port, options);
    // A server that stops during start-up fails the start at once, with all its output ('close' waits for it).
    const closed = new Promise<never>((_, reject) =>
      child.once("close", (code, signal) => reject(new Error(`server exited with ${code ?? signal}`))),
    );
    closed.catch(() => undefined);
    try {
      const outcome = await Promise.race([
        closed,
        waitFor(
          "the server to answer /api/health",
          async () => {
            // Stops polling too (not only the race), so a failed start leaves nothing running.
            if (child.exitCode !== null || child.signalCode !== null) return "exited";
            const res = await fetch(`${server.url}/api/health`);
            return res.ok ? "healthy" : undefined;
          },
          60_000,
          100,
        ),
      ]);
      if (outcome === "exited") await closed;
    } catch (error) {
      child.kill("SIGKILL");
      throw new Error(`${(error as Error).message}\n--- server output ---\n${server.logs()}`);
    }
    return server;
  }

  client(): ApiClient {
    return new ApiClient(this.url);
  }

  logs(): string {
    return this.output;
  }

  /** Graceful stop (SIGTERM), as a process manager would do. */
  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.kill("SIGTERM");
    await once(this.process, "exit");
  }

  /** Abrupt death (SIGKILL): no shutdown hooks run. */
  async kill(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.kill("SIGKILL");
    await once(this.process, "exit");
  }

  /** A new server process on the same database, instance id and port. */
  async restart(): Promise<KubelabServer> {
    return KubelabServer.start({ ...this.options, instanceId: this.instanceId, port: this.port });
  }
}

import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";

/**
 * A test stand-in run as its own process (an OAuth server, an OIDC provider),
 * so Kubelab talks to it over real HTTP exactly as it would to the real one.
 * The process prints "LISTENING <port>" once it accepts connections.
 */
export class HelperProcess {
  private output = "";

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout?.on("data", (chunk: Buffer) => (this.output += chunk.toString("utf8")));
    child.stderr?.on("data", (chunk: Buffer) => (this.output += chunk.toString("utf8")));
  }

  static async start(entry: string, env: Record<string, string>): Promise<HelperProcess> {
    const child = spawn(process.execPath, [entry], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let seen = "";
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${entry} did not start within 20 s:\n${seen}`)), 20_000);
      child.stdout?.on("data", (chunk: Buffer) => {
        seen += chunk.toString("utf8");
        const match = /LISTENING (\d+)/.exec(seen);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.stderr?.on("data", (chunk: Buffer) => (seen += chunk.toString("utf8")));
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${entry} exited with ${code}:\n${seen}`));
      });
    });
    return new HelperProcess(child, port);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  logs(): string {
    return this.output;
  }

  /** POSTs JSON to one of the stand-in's /_control endpoints (test-only knobs). */
  async control(path: string, body: unknown): Promise<unknown> {
    const res = await fetch(`${this.url}/_control/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`control ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGTERM");
    await once(this.child, "exit");
  }
}

import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import { waitFor } from "./wait-for";

/** A reverse proxy from Debian running for a test or a benchmark, in a temporary folder of its own. */
export interface RunningProxy {
  port: number;
  /** The process started: the proxy itself, or its launcher (valgrind runs the proxy in its own process). */
  pid: number;
  url: string;
  stop(): Promise<void>;
}

/**
 * Runs `command` (a proxy in the foreground whose files live in `dir`) until it accepts connections
 * on `port`; stop() ends it and removes `dir`. A missing binary fails with `install` as the hint.
 * `launcher` runs the command, e.g. valgrind with its options.
 */
export async function startProxyProcess(
  command: string,
  args: string[],
  port: number,
  dir: string,
  install: string,
  launcher: string[] = [],
): Promise<RunningProxy> {
  const [program, ...programArgs] = [...launcher, command, ...args] as [string, ...string[]];
  const child = spawn(program, programArgs, { stdio: ["ignore", "ignore", "pipe"] });
  const missing = new Promise<never>((_, reject) =>
    child.once("error", (error) => reject(new Error(`${command} could not start (${error.message}): ${install}`))),
  );
  missing.catch(() => undefined);
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const listening = waitFor(`${command} on port ${port}`, async () => {
    if (child.exitCode !== null) throw new Error(`${command} exited: ${stderr}`);
    return new Promise<true | undefined>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(undefined));
    });
  });
  await Promise.race([listening, missing]);
  return {
    port,
    pid: child.pid!,
    url: `http://localhost:${port}`,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      // nginx's worker may recreate folders until it has gone.
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./free-port";
import { startProxyProcess, type RunningProxy } from "./proxy-process";

/**
 * Starts HAProxy from Debian (one thread, in the foreground, its files in a temporary folder) with
 * `sections` after its global and defaults sections; `listen` is the chosen port, `dir` the folder
 * (for map files). Stops with it.
 */
export async function startHaproxy(
  sections: (listen: number, dir: string) => string,
  files: Record<string, string> = {},
  launcher: string[] = [],
): Promise<RunningProxy> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-haproxy-"));
  const port = await freePort();
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  const config = path.join(dir, "haproxy.cfg");
  fs.writeFileSync(
    config,
    `global
  nbthread 1
  # Below the file-descriptor limit of a test machine, above any benchmark's connections.
  maxconn 8192
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
${sections(port, dir)}
`,
  );
  return runHaproxy(config, port, dir, launcher);
}

/**
 * Runs HAProxy on the configuration file `config` (which listens on `port`, its files in `dir`)
 * with the options Kubelab gives it (-dMglobal, haproxy-process.ts), in the foreground. Stops
 * with it.
 */
export function runHaproxy(config: string, port: number, dir: string, launcher: string[] = []): Promise<RunningProxy> {
  return startProxyProcess(
    "haproxy",
    ["-dMglobal", "-db", "-f", config],
    port,
    dir,
    "apt-get install haproxy",
    launcher,
  );
}

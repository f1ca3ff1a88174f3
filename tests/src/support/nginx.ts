import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./free-port";
import { startProxyProcess, type RunningProxy } from "./proxy-process";

export type RunningNginx = RunningProxy;

export interface NginxOptions {
  /** Runs nginx, e.g. valgrind with its options. */
  launcher?: string[];
  /** false: the worker's work done by nginx's only process (so that a launcher sees it). */
  masterProcess?: boolean;
}

/**
 * Starts nginx from Debian (one worker, in the foreground, everything in a temporary folder) with
 * `http` as the body of its http block; `listen` is replaced by the chosen port. Stops with it.
 */
export async function startNginx(
  http: (listen: number, dir: string) => string,
  options: NginxOptions = {},
): Promise<RunningNginx> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubelab-nginx-"));
  const port = await freePort();
  fs.writeFileSync(
    path.join(dir, "nginx.conf"),
    `worker_processes 1;
daemon off;
master_process ${options.masterProcess === false ? "off" : "on"};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  ${http(port, dir)}
}
`,
  );
  return startProxyProcess(
    "nginx",
    ["-p", dir, "-c", path.join(dir, "nginx.conf")],
    port,
    dir,
    "apt-get install nginx-light",
    options.launcher,
  );
}

/**
 * nginx in front of several Kubelab processes, round-robin, as docs/operations.md sets it up (with
 * WebSocket upgrades and long reads for terminals).
 */
export function startRoundRobinNginx(ports: number[]): Promise<RunningNginx> {
  const servers = ports.map((port) => `server 127.0.0.1:${port} max_fails=1 fail_timeout=1s;`).join(" ");
  return startNginx(
    (listen) => `
  map $http_upgrade $connection_upgrade { default upgrade; "" ""; }
  # No kept-alive upstream connections: after a process died, one of them would be a dead end
  # that nginx counts as that request's try of the other process too (a 502).
  upstream kubelab { ${servers} }
  server {
    listen 127.0.0.1:${listen};
    location / {
      proxy_pass http://kubelab;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_read_timeout 3600s;
    }
  }`,
  );
}

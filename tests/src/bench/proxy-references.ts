// The reference proxies of bench:proxy and bench:proxy-cpu, configured alike in both.

/**
 * nginx as a production proxy would run it for one app (at ip:appPort, and a download app at
 * ip:downloadPort under /download): one worker, kept-alive upstream connections.
 */
export function nginxHttp(listen: number, ip: string, appPort: number, downloadPort: number): string {
  const upstream = (name: string, port: number): string => `upstream ${name} { server ${ip}:${port}; keepalive 256; }`;
  return `
  ${upstream("app", appPort)}
  ${upstream("download", downloadPort)}
  server {
    listen 127.0.0.1:${listen} backlog=4096;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $remote_addr;
    }
    location /download {
      # Buffers in memory only, no temporary files: the body streams through as it does in Kubelab.
      proxy_max_temp_file_size 0;
      proxy_pass http://download;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }`;
}

/**
 * HAProxy looking the port cookie up in a map (which its runtime API can change without a reload)
 * and connecting to the node address found there; connections to the nodes are kept and reused.
 * Nothing else: no header rules.
 */
export function haproxyPortMap(listen: number, dir: string): string {
  return `
frontend ports
  bind 127.0.0.1:${listen} backlog 4096
  http-request set-var(txn.node) req.cook(kubelab_port),map(${dir}/ports.map)
  http-request deny deny_status 403 unless { var(txn.node) -m found }
  default_backend nodes
backend nodes
  http-reuse always
  option forwardfor
  http-request set-dst var(txn.node),field(1,:)
  http-request set-dst-port var(txn.node),field(2,:)
  server node 0.0.0.0:0
`;
}

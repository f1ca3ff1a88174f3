import http from "node:http";
import { listen } from "../common/listen";
import { Logger } from "@nestjs/common";
import type { Metrics } from "./metrics.service";

/**
 * The METRICS_PORT listener: GET /metrics without a token, nothing else (404). Meant for a
 * private address (METRICS_HOST, loopback by default) that only Prometheus reaches.
 */
export async function startMetricsServer(
  metrics: Metrics,
  host: string,
  port: number,
): Promise<{ close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not found\n");
      return;
    }
    metrics.render().then(
      ({ contentType, body }) => {
        res.writeHead(200, { "content-type": contentType, "cache-control": "no-store" });
        res.end(req.method === "HEAD" ? undefined : body);
      },
      (error: unknown) => {
        metrics.onScrapeError(error);
        res.writeHead(503, { "content-type": "text/plain; charset=utf-8" }).end("Metrics unavailable\n");
      },
    );
  });
  const listening = await listen(server, host, port);
  new Logger("Metrics").log(`Prometheus metrics on http://${host.includes(":") ? `[${host}]` : host}:${port}/metrics`);
  return listening;
}

import http from "node:http";
import { listen } from "../common/listen";

const STARTING = JSON.stringify({
  status: "unavailable",
  phase: "starting",
  error: { code: "starting", message: "Kubelab is starting (database migrations, recovery); try again shortly" },
});

/**
 * Holds PORT while the server starts (migrations, reconciliation): every request, /api/ready and
 * /api/health included, gets 503 with Retry-After instead of a refused connection, so a load
 * balancer or orchestrator sees "starting" rather than "gone". Closed just before Nest listens.
 */
export async function startStartupResponder(host: string, port: number): Promise<{ close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(503, {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      "retry-after": "2",
      connection: "close",
    });
    res.end(STARTING);
  });
  return listen(server, host, port);
}

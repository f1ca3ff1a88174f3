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
 *
 * `sharable` (HAProxy will take PORT over): the responder lets another process bind PORT beside
 * it (SO_REUSEPORT, which HAProxy sets on its listeners), so it can leave once HAProxy listens,
 * without a moment of refused connections. PORT is first bound alone, so a port already in use
 * still fails the start.
 */
export async function startStartupResponder(
  host: string,
  port: number,
  options: { sharable?: boolean } = {},
): Promise<{ close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(503, {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      "retry-after": "2",
      connection: "close",
    });
    res.end(STARTING);
  });
  if (!options.sharable) return listen(server, host, port);
  await (await listen(http.createServer(), host, port)).close();
  return listen(server, host, port, { reusePort: true });
}

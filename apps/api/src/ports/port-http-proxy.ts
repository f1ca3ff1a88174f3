import http, { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http";
import { limitConnectTime } from "./connect-timeout";
import { forwardResponseHeaders } from "./forward-headers";
import type { PortTarget } from "./port-access.service";
import { relayTo } from "./node-relay";

// Kept-alive connections to the nodes: without them every proxied request pays a TCP handshake.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });

export interface HttpForward {
  target: PortTarget;
  /** Path and query as the app sees them. */
  path: string;
  headers: OutgoingHttpHeaders;
  /** Set in the path form: redirects and cookies are kept under it. */
  pathPrefix: string | undefined;
  /** Called instead of answering when the node refuses or cannot be reached before any response. */
  onUnreachable(error: Error): void;
}

/** Streams one request to the app in the node and its response back, in both directions, with backpressure. */
export function proxyHttp(req: IncomingMessage, res: ServerResponse, forward: HttpForward): void {
  const upstream = http.request(
    {
      host: forward.target.ip,
      port: forward.target.port,
      method: req.method,
      path: forward.path,
      headers: forward.headers,
      // A relayed node gets a connection of its own per request (an exec each; see NodeRelayStream).
      // Node uses createConnection only without an agent (not even agent: false).
      ...(forward.target.relay ? { createConnection: () => relayTo(forward.target) } : { agent }),
      setHost: false,
      // Whatever NODE_OPTIONS says: the app's headers must be parsed the strict way, see forwardResponseHeaders.
      insecureHTTPParser: false,
    },
    (response) => {
      res.writeHead(response.statusCode ?? 502, forwardResponseHeaders(response.headers, forward.pathPrefix));
      response.pipe(res);
      response.on("error", () => res.destroy());
    },
  );
  limitConnectTime(upstream);
  upstream.on("error", (error) => {
    if (!res.headersSent) forward.onUnreachable(error);
    else res.destroy();
  });
  // The client went away: stop talking to the app too.
  res.on("close", () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

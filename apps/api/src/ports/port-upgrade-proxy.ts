import http, { type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import type { Duplex } from "node:stream";
import { limitConnectTime } from "./connect-timeout";
import { forwardResponseHeaders, forwardUpgradeHeaders } from "./forward-headers";
import type { PortTarget } from "./port-access.service";
import { relayTo } from "./node-relay";

// The app's handshake answer is read whole before it is passed on; anything bigger is not an answer.
const MAX_RESPONSE_HEAD = 64 * 1024;

export interface UpgradeForward {
  target: PortTarget;
  /** Path and query as the app sees them. */
  path: string;
  headers: OutgoingHttpHeaders;
  /** Set in the path form: cookies are kept under it. */
  pathPrefix: string | undefined;
  /** Called instead of answering when the app cannot be reached or its answer cannot be parsed. */
  onFailure(error: Error): void;
}

/**
 * Sends an Upgrade request to the app with Node's HTTP client, so its answer
 * goes through the same strict parser (llhttp) as plain proxied responses.
 * The client gets a head written here from the parsed, filtered headers, never
 * the app's raw bytes: a 101 joins the two sockets, any other answer is passed
 * on as an ordinary response and the connection closed.
 */
export function proxyUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, forward: UpgradeForward): void {
  const upstream = http.request({
    host: forward.target.ip,
    port: forward.target.port,
    method: req.method ?? "GET",
    path: forward.path,
    headers: forward.headers,
    // One connection per upgrade: it becomes the app's end of the tunnel and is never reused.
    // (Node uses createConnection only without an agent, not even agent: false.)
    ...(forward.target.relay ? { createConnection: () => relayTo(forward.target) } : { agent: false }),
    setHost: false,
    insecureHTTPParser: false,
    maxHeaderSize: MAX_RESPONSE_HEAD,
  });
  limitConnectTime(upstream);
  let answered = false;
  upstream.on("error", (error) => {
    if (answered) client.destroy();
    else forward.onFailure(error);
  });
  client.on("close", () => upstream.destroy());

  upstream.on("upgrade", (response: IncomingMessage, tunnel: Duplex, upstreamHead: Buffer) => {
    answered = true;
    tunnel.on("error", () => client.destroy());
    client.on("error", () => tunnel.destroy());
    client.on("close", () => tunnel.destroy());
    tunnel.on("close", () => client.destroy());
    let headText: string;
    try {
      headText = responseHead(101, forwardUpgradeHeaders(response.headers, forward.pathPrefix));
    } catch (error) {
      tunnel.destroy();
      forward.onFailure(error as Error);
      return;
    }
    client.write(headText);
    if (upstreamHead.length > 0) client.write(upstreamHead);
    if (head.length > 0) tunnel.write(head);
    tunnel.pipe(client);
    client.pipe(tunnel);
  });

  // The app declined to switch protocols (404, 426, ...): an ordinary answer, filtered the same way.
  upstream.on("response", (response: IncomingMessage) => {
    answered = true;
    const status = response.statusCode ?? 502;
    const headers = { ...forwardResponseHeaders(response.headers, forward.pathPrefix), connection: "close" };
    let headText: string;
    try {
      headText = responseHead(status, headers);
    } catch (error) {
      response.destroy();
      forward.onFailure(error as Error);
      return;
    }
    client.write(headText);
    // Chunked framing was removed with the hop-by-hop headers: the body ends when the connection closes.
    response.pipe(client);
    response.on("error", () => client.destroy());
  });

  upstream.end();
}

/**
 * Status line and header lines from already parsed values. Node's own checks
 * run on every name and value, so nothing but a well-formed head can leave here.
 */
function responseHead(status: number, headers: OutgoingHttpHeaders): string {
  let text = `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? "Unknown"}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    http.validateHeaderName(name);
    for (const v of Array.isArray(value) ? value : [String(value)]) {
      http.validateHeaderValue(name, v);
      text += `${name}: ${v}\r\n`;
    }
  }
  return `${text}\r\n`;
}

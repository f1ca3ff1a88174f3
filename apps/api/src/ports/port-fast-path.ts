import { IncomingMessage, ServerResponse, STATUS_CODES, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import { Inject, Injectable } from "@nestjs/common";
import { readCookie } from "../auth/cookie-header";
import { AppError } from "../common/app-error";
import { ErrorRenderer } from "../common/error-renderer.service";
import { REQUEST_ID_KEY, requestIdOf, requestIsHttps } from "../common/request-origin";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { Metrics } from "../metrics/metrics.service";
import { forwardRequestHeaders, forwardResponseHeaders } from "./forward-headers";
import {
  ChunkedReframer,
  MAX_HEAD_BYTES,
  headEnd,
  parseRequestHead,
  parseResponseHead,
  requestHasBody,
  responseFraming,
  serializeHead,
  type BodyFraming,
  type RequestHead,
} from "./http1";
import { adoptProxiedPeer, parseProxyLine } from "./haproxy/proxy-protocol";
import { PortGrants } from "./haproxy/port-grants";
import { PortAccess, type PortCredential, type PortTarget } from "./port-access.service";
import { PORT_COOKIE } from "./port-cookie";
import { closedPortError, isMalformedResponse, isUnreachable, malformedResponseError } from "./port-error-response";
import { AUTH_PATH } from "./port-http.gateway";
import { portRouteOf, type PortRoute } from "./port-route";
import { UpstreamReadBuffer } from "./upstream-read-buffer";

const CONNECT_TIMEOUT_MS = 5_000;
const EMPTY = Buffer.alloc(0);
// What a client that stops reading may make the server hold per connection before the app is paused
// (a socket's usual high-water mark; 1 MiB let a few thousand idle readers cost gigabytes).
const WRITE_SLACK_BYTES = 64 * 1024;
// Methods whose meaning the fast path knows; CONNECT (a tunnel on 2xx), TRACE and methods Node's
// parser does not know go to Node's server, which refuses or handles them as before.
const FAST_METHODS = new Set(["GET", "HEAD", "OPTIONS", "DELETE", "POST", "PUT", "PATCH"]);

type Listener = (socket: Socket) => void;

/**
 * The port proxy's data path (docs/ports.md, "Fast path"). It sees every connection of the
 * server first and reads the first request head itself. A request for a port that is allowed
 * and simple (HTTP/1.1, no body, no Upgrade) is forwarded over a kept-alive connection to the
 * node with no Express, Nest or Node HTTP objects in between, each request of the connection
 * checked the same way. Everything else (the platform's pages and API, refusals, redirects,
 * ticket exchanges, bodies, WebSockets, anything odd) makes the connection Node's HTTP server's
 * for good, at a request boundary: the bytes read so far are put back and the server parses
 * them as if it had read them, so those requests take the middleware path as before.
 */
@Injectable()
export class PortFastPath {
  private readonly open = new Set<FastConnection>();

  constructor(
    readonly access: PortAccess,
    readonly grants: PortGrants,
    readonly errors: ErrorRenderer,
    readonly metrics: Metrics,
    @Inject(APP_CONFIG) readonly config: AppConfig,
  ) {}

  /**
   * Puts the fast path in front of `server`'s own connection handling. With `proxyProtocol` (Kubelab
   * behind its own HAProxy, on loopback) each connection starts with HAProxy's PROXY line naming
   * the client; connections without one are closed.
   */
  attach(server: Server, options: { proxyProtocol: boolean } = { proxyProtocol: false }): void {
    const nodeListeners = server.listeners("connection") as Listener[];
    server.removeAllListeners("connection");
    const toNode = (socket: Socket, buffered: Buffer): void => {
      if (buffered.length > 0) socket.unshift(buffered);
      for (const listener of nodeListeners) listener.call(server, socket);
      socket.resume();
    };
    server.on("connection", (socket: Socket) => {
      const connection = new FastConnection(socket, this, server, options.proxyProtocol, (buffered) => {
        this.open.delete(connection);
        toNode(socket, buffered);
      });
      this.open.add(connection);
      socket.once("close", () => this.open.delete(connection));
    });
    server.once("close", () => this.closeAll());
  }

  /**
   * Ends every connection the fast path still holds. Node's server and Nest's connection tracking
   * never see them (only handed-over sockets), so without this a streaming port response keeps a
   * shutdown waiting until its deadline.
   */
  closeAll(): void {
    for (const connection of this.open) connection.destroy();
    this.open.clear();
  }
}

/** What one forwarded request needs until its response is complete. */
interface Exchange {
  head: RequestHead;
  route: PortRoute;
  target: PortTarget;
  /** The credential the request was allowed with (PortGrants reads its token only when granting). */
  credential: PortCredential;
  https: boolean;
  /** The request as sent to the app, kept for one retry on a fresh connection. */
  raw: string;
  started: number;
  requestId: string;
  responded: boolean;
  retried: boolean;
  response: Buffer;
  framing: BodyFraming | undefined;
  remaining: number;
  chunks: ChunkedReframer | undefined;
  keepUpstream: boolean;
  statusCode?: number;
}

class FastConnection {
  private buffer: Buffer = EMPTY;
  private exchange: Exchange | undefined;
  private upstream: Socket | undefined;
  private upstreamKey = "";
  private upstreamUsed = false;
  private headSince = 0;
  private clientEnded = false;
  private handedOver = false;
  /** An error page is being written; the connection closes after it. */
  private closing = false;

  constructor(
    private readonly socket: Socket,
    private readonly owner: PortFastPath,
    private readonly server: Server,
    /** A PROXY protocol line is still expected before the first request. */
    private awaitingProxyLine: boolean,
    private readonly handOver: (buffered: Buffer) => void,
  ) {
    socket.setNoDelay(true);
    socket.on("data", this.onData);
    socket.on("end", this.onEnd);
    socket.on("error", this.onGone);
    socket.on("close", this.onGone);
    socket.on("timeout", this.onIdle);
    // Before its first request a connection may stay unused as long as Node's server allows
    // (headersTimeout): browsers open connections ahead of need and keep them for up to 10 s
    // (Chromium), so closing them after the keep-alive timeout (5 s) raced with the request a
    // browser then sent on one. Between requests the keep-alive timeout applies, as in Node.
    socket.setTimeout(server.headersTimeout || 60_000);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.closing) return;
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (this.awaitingProxyLine && !this.readProxyLine()) return;
    if (this.exchange) {
      // Pipelined requests wait; a client that sends more than a head's worth meanwhile is paused.
      if (this.buffer.length > MAX_HEAD_BYTES) this.socket.pause();
      return;
    }
    this.next();
  };

  private readonly onEnd = (): void => {
    this.clientEnded = true;
    if (!this.exchange) this.socket.end();
  };

  private readonly onGone = (): void => {
    this.upstream?.destroy();
    if (this.exchange && !this.handedOver) this.finishMetrics(0);
    this.exchange = undefined;
  };

  private readonly onIdle = (): void => {
    // A response still streaming (long polls, event streams) may be quiet for long.
    if (!this.exchange && !this.handedOver) this.socket.destroy();
  };

  /** Takes HAProxy's PROXY line off the buffer; false while it is incomplete (or was refused). */
  private readProxyLine(): boolean {
    const line = parseProxyLine(this.buffer);
    if (line.kind === "incomplete") return false;
    if (line.kind === "invalid") {
      this.closing = true;
      this.socket.destroy();
      return false;
    }
    if (line.source) adoptProxiedPeer(this.socket, line.source);
    this.buffer = this.buffer.subarray(line.length);
    this.awaitingProxyLine = false;
    return true;
  }

  /** Gives the connection, with every byte read and not yet forwarded, to Node's HTTP server. */
  private toNode(): void {
    if (this.handedOver) return;
    this.handedOver = true;
    this.socket.removeListener("data", this.onData);
    this.socket.removeListener("end", this.onEnd);
    this.socket.removeListener("error", this.onGone);
    this.socket.removeListener("close", this.onGone);
    this.socket.setTimeout(0);
    this.socket.removeListener("timeout", this.onIdle);
    this.socket.pause();
    this.upstream?.destroy();
    this.upstream = undefined;
    this.handOver(this.buffer);
    this.buffer = EMPTY;
  }

  private next(): void {
    if (this.buffer.length === 0) return;
    const end = headEnd(this.buffer);
    if (end < 0) {
      const now = Date.now();
      if (this.headSince === 0) this.headSince = now;
      // Too large, or trickling in: Node's server has the limits and the answers (431, 408).
      if (this.buffer.length > MAX_HEAD_BYTES || now - this.headSince > this.server.headersTimeout) this.toNode();
      return;
    }
    this.headSince = 0;
    const head = end <= MAX_HEAD_BYTES ? parseRequestHead(this.buffer.subarray(0, end)) : null;
    const headers = head?.headers;
    if (
      !head ||
      !headers ||
      head.minor !== 1 ||
      !FAST_METHODS.has(head.method) ||
      headers.host === undefined ||
      requestHasBody(headers) ||
      headers.upgrade ||
      headers.expect
    ) {
      return this.toNode();
    }
    const req = { method: head.method, url: head.target, headers, socket: this.socket } as IncomingMessage;
    const route = portRouteOf(req, this.owner.config);
    if (!route?.parsed.ok) return this.toNode();
    if (route.form === "host" && route.path.split("?")[0] === AUTH_PATH) return this.toNode();
    if (route.form === "path" && head.target.split("?")[0] === route.prefix) return this.toNode();
    const address = route.parsed.address;
    const started = performance.now();
    const credential =
      route.form === "path"
        ? ({ form: "path", req } as const)
        : ({ form: "host", portCookie: readCookie(headers.cookie, PORT_COOKIE) } as const);
    // Placeholder until the access check answers: pipelined bytes wait behind it.
    this.exchange = {} as Exchange;
    this.owner.access.resolve(address, credential).then(
      (target) => {
        if (this.handedOver || this.socket.destroyed) return;
        // Relayed nodes (another host's engine) go through Node's HTTP client (NodeRelayStream).
        if (target.relay) {
          this.exchange = undefined;
          return this.toNode();
        }
        this.buffer = this.buffer.subarray(end);
        this.start(req, head, route, target, credential, started);
      },
      // Refusals and redirects to the login are the middleware's to answer, as always.
      () => {
        this.exchange = undefined;
        if (!this.socket.destroyed) this.toNode();
      },
    );
  }

  private start(
    req: IncomingMessage,
    head: RequestHead,
    route: PortRoute,
    target: PortTarget,
    credential: PortCredential,
    started: number,
  ): void {
    const config = this.owner.config;
    const https = requestIsHttps(req, config);
    const headers = forwardRequestHeaders(req, { config, host: route.host, https });
    const requestId = requestIdOf(req, config);
    (req as { [REQUEST_ID_KEY]?: string })[REQUEST_ID_KEY] = requestId;
    this.exchange = {
      head,
      route,
      target,
      credential,
      https,
      raw: serializeHead(`${head.method} ${route.path} HTTP/1.1`, headers),
      started,
      requestId,
      responded: false,
      retried: false,
      response: EMPTY,
      framing: undefined,
      remaining: 0,
      chunks: undefined,
      keepUpstream: true,
    };
    this.send();
  }

  /** Writes the request to the app over the connection kept for this target, or a new one. */
  private send(): void {
    const exchange = this.exchange!;
    const key = `${exchange.target.ip}:${exchange.target.port}`;
    if (this.upstream && (this.upstreamKey !== key || this.upstream.destroyed)) {
      this.upstream.destroy();
      this.upstream = undefined;
    }
    if (!this.upstream) {
      const reads = new UpstreamReadBuffer();
      const upstream: Socket = connect({
        host: exchange.target.ip,
        port: exchange.target.port,
        noDelay: true,
        onread: {
          buffer: reads.current,
          callback: (bytes: number, buffer: Uint8Array): boolean => {
            this.onUpstreamData(upstream, (buffer as Buffer).subarray(0, bytes));
            reads.afterRead(bytes, this.holdsReadBytes());
            // Pausing is left to write() (backpressure), as with "data" events.
            return true;
          },
        },
      });
      upstream.setTimeout(CONNECT_TIMEOUT_MS, () => {
        const error: NodeJS.ErrnoException = new Error("connect timeout");
        error.code = "ETIMEDOUT";
        upstream.destroy(error);
      });
      upstream.once("connect", () => upstream.setTimeout(0));
      upstream.on("end", () => this.onUpstreamEnd(upstream, undefined));
      upstream.on("error", (error) => this.onUpstreamEnd(upstream, error));
      upstream.on("close", () => this.onUpstreamEnd(upstream, undefined));
      this.upstream = upstream;
      this.upstreamKey = key;
      this.upstreamUsed = false;
    }
    exchange.keepUpstream = true;
    this.upstream.write(exchange.raw, "latin1");
  }

  private onUpstreamEnd(upstream: Socket, error: Error | undefined): void {
    if (upstream !== this.upstream) return;
    this.upstream = undefined;
    upstream.destroy();
    const exchange = this.exchange;
    if (!exchange?.raw) return;
    if (exchange.responded) {
      // A body delimited by the close is complete now; any other body was cut off.
      if (exchange.framing?.kind === "close") this.complete(false);
      else this.socket.destroy();
      return;
    }
    // A kept-alive connection the app closed just as we reused it: once more on a new one.
    const safe = exchange.head.method === "GET" || exchange.head.method === "HEAD";
    if (this.upstreamUsed && exchange.response.length === 0 && !exchange.retried && safe) {
      exchange.retried = true;
      this.send();
      return;
    }
    const cause: NodeJS.ErrnoException = error ?? Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    this.fail(cause);
  }

  private onUpstreamData(upstream: Socket, data: Buffer): void {
    const exchange = this.exchange;
    if (upstream !== this.upstream || !exchange?.raw) {
      // Bytes nobody asked for: the connection cannot be trusted for another request.
      upstream.destroy();
      return;
    }
    // Head and body of a small response leave in one write (writev), not one per piece.
    this.socket.cork();
    if (!exchange.responded) {
      exchange.response = exchange.response.length === 0 ? data : Buffer.concat([exchange.response, data]);
      this.readResponseHead(exchange);
    } else {
      this.body(exchange, data);
    }
    this.socket.uncork();
  }

  /** Whether the bytes of the last read from the app are still referred to (see UpstreamReadBuffer). */
  private holdsReadBytes(): boolean {
    // The exchange is a placeholder without a response while the access check of a pipelined request runs.
    const pending: Buffer | undefined = this.exchange?.response;
    return this.socket.writableLength > 0 || (pending !== undefined && pending.length > 0);
  }

  private readResponseHead(exchange: Exchange): void {
    for (;;) {
      const end = headEnd(exchange.response);
      if (end < 0 || end > MAX_HEAD_BYTES) {
        if (exchange.response.length > MAX_HEAD_BYTES || end > MAX_HEAD_BYTES) this.badResponse();
        return;
      }
      const head = parseResponseHead(exchange.response.subarray(0, end));
      const framing = head && head.status !== 101 ? responseFraming(exchange.head.method, head) : null;
      if (!head || !framing) return this.badResponse();
      const rest = exchange.response.subarray(end);
      if (head.status < 200) {
        // 100 Continue, 103 Early Hints: not passed on (as before), the final response follows.
        exchange.response = rest;
        continue;
      }
      const connection = (head.headers.connection ?? "").toLowerCase();
      exchange.keepUpstream = head.minor === 1 && !/(^|,)\s*close\s*(,|$)/.test(connection);
      exchange.framing = framing;
      exchange.responded = true;
      exchange.response = EMPTY;
      const closing = framing.kind === "close" || this.clientWantsClose(exchange.head);
      const out = forwardResponseHeaders(head.headers, exchange.route.prefix);
      if (out.date === undefined) out.date = httpDate();
      out["x-request-id"] = exchange.requestId;
      let extra = closing ? "connection: close\r\n" : "";
      if (framing.kind === "length") {
        out["content-length"] = framing.length;
        exchange.remaining = framing.length;
      } else if (framing.kind === "chunked") {
        extra += "transfer-encoding: chunked\r\n";
        exchange.chunks = new ChunkedReframer();
      } else if (framing.kind === "close") {
        delete out["content-length"];
      }
      // "none" (HEAD, 204, 304): the app's Content-Length, if any, describes the entity and stays.
      const status = `HTTP/1.1 ${head.status} ${STATUS_CODES[head.status] ?? "Unknown"}`;
      this.socket.write(serializeHead(status, out, extra), "latin1");
      exchange.statusCode = head.status;
      // The app answered an allowed request: HAProxy (when it is the data plane) may carry the
      // next ones of this route and credential itself.
      if (exchange.route.parsed.ok && head.status < 500) {
        this.owner.grants.granted(exchange.route, exchange.route.parsed.address, exchange.target, exchange.credential);
      }
      // No body to wait for: a HEAD, 204 or 304, and any response with Content-Length: 0 (a bare
      // res.end(), most redirects). Waiting for body bytes that never come would hang the connection.
      if (framing.kind === "none" || (framing.kind === "length" && framing.length === 0)) {
        return this.complete(rest.length === 0);
      }
      if (rest.length > 0) this.body(exchange, rest);
      return;
    }
  }

  private body(exchange: Exchange, data: Buffer): void {
    const framing = exchange.framing!;
    if (framing.kind === "close") return this.write(data);
    if (framing.kind === "length") {
      const take = Math.min(exchange.remaining, data.length);
      if (take > 0) this.write(take === data.length ? data : data.subarray(0, take));
      exchange.remaining -= take;
      if (exchange.remaining === 0) this.complete(take === data.length);
      return;
    }
    const result = exchange.chunks!.push(data);
    if (result instanceof Error) {
      this.socket.destroy();
      return;
    }
    for (const piece of result.out) this.write(piece);
    if (exchange.chunks!.done) this.complete(result.used === data.length);
  }

  /** Passes body bytes on, holding the app back while the client is slower. */
  private write(data: Buffer): void {
    // Some slack before holding the app back: pausing and resuming for every read costs more than the copy.
    if (this.socket.write(data) || this.socket.writableLength < WRITE_SLACK_BYTES) return;
    const upstream = this.upstream;
    if (!upstream || upstream.isPaused()) return;
    upstream.pause();
    this.socket.once("drain", () => upstream.resume());
  }

  /** The response is complete: keep or drop the app connection, then the next request. */
  private complete(clean: boolean): void {
    const exchange = this.exchange!;
    this.finishMetrics(exchange.statusCode ?? 0);
    this.exchange = undefined;
    if (this.upstream) {
      if (clean && exchange.keepUpstream) this.upstreamUsed = true;
      else {
        this.upstream.destroy();
        this.upstream = undefined;
      }
    }
    if (exchange.framing?.kind === "close" || this.clientEnded || this.clientWantsClose(exchange.head)) {
      this.socket.end();
      return;
    }
    this.socket.setTimeout(this.server.keepAliveTimeout || 5_000);
    this.socket.resume();
    this.next();
  }

  private finishMetrics(status: number): void {
    const exchange = this.exchange;
    if (!exchange?.raw) return;
    this.owner.metrics.portHttpRequest(status, (performance.now() - exchange.started) / 1000);
  }

  private clientWantsClose(head: RequestHead): boolean {
    return /(^|,)\s*close\s*(,|$)/i.test(head.headers.connection ?? "");
  }

  private badResponse(): void {
    const error: NodeJS.ErrnoException = new Error("malformed response head");
    error.code = "HPE_INVALID_HEADER_TOKEN";
    this.fail(error);
  }

  /**
   * No response could be passed on: the same answers as the middleware path (the closed-port
   * page, 502 port_bad_response), written through a ServerResponse, then the connection closes.
   */
  private fail(error: NodeJS.ErrnoException): void {
    const exchange = this.exchange!;
    this.closing = true;
    this.upstream?.destroy();
    this.upstream = undefined;
    const address = exchange.route.parsed.ok ? exchange.route.parsed.address : undefined;
    const req = new IncomingMessage(this.socket);
    req.method = exchange.head.method;
    req.url = exchange.head.target;
    req.headers = exchange.head.headers;
    req.httpVersionMajor = 1;
    req.httpVersionMinor = 1;
    (req as { [REQUEST_ID_KEY]?: string })[REQUEST_ID_KEY] = exchange.requestId;
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(this.socket);
    res.once("finish", () => {
      res.detachSocket(this.socket);
      this.finishMetrics(res.statusCode);
      this.exchange = undefined;
      this.socket.end();
    });
    const page = { format: "negotiate", cause: error } as const;
    const errors = this.owner.errors;
    if (address && isUnreachable(error)) errors.http(req, res, closedPortError(address), { ...page, retry: true });
    else if (address && isMalformedResponse(error)) errors.http(req, res, malformedResponseError(address), page);
    else errors.http(req, res, new AppError("internal_error", "The app could not be reached"), page);
  }
}

let dateCache = "";
let dateSecond = 0;

/** The Date header, formatted once a second. */
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateCache = new Date(now).toUTCString();
  }
  return dateCache;
}

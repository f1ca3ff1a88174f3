import type { IncomingMessage, OutgoingHttpHeaders, Server } from "node:http";
import net from "node:net";
import type { Duplex } from "node:stream";
import { Inject, Injectable, Logger, type OnModuleDestroy } from "@nestjs/common";
import { readLoginToken } from "../auth/login-cookie";
import { AppError, HTTP_STATUS_BY_CODE } from "../common/app-error";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { allowedSetCookies, forwardRequestHeaders } from "./forward-headers";
import { PortAccess, type PortTarget } from "./port-access.service";
import type { PortAddress } from "./port-address";
import { readPortCookie } from "./port-cookie";
import { closedPortError } from "./port-error-response";
import { portRouteOf, type PortRoute } from "./port-route";
import { requestIsHttps } from "../common/request-origin";

// The app's handshake answer is read whole before it is passed on; anything bigger is not an answer.
const MAX_RESPONSE_HEAD = 64 * 1024;

/**
 * WebSocket (and any other Upgrade) requests for ports. They bypass Express,
 * so they are checked here with the same rules as plain HTTP, then the two
 * sockets are joined after the app's handshake answer has had its cookies
 * filtered.
 */
@Injectable()
export class PortUpgradeHandler implements OnModuleDestroy {
  private readonly logger = new Logger("PortProxy");
  // Upgraded sockets are invisible to the HTTP server's close(); without this, shutdown would wait for them.
  private readonly open = new Set<Duplex>();

  constructor(
    private readonly access: PortAccess,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleDestroy(): void {
    for (const socket of this.open) socket.destroy();
  }

  /** Whether an upgrade is the port proxy's; other upgrade listeners must leave these alone. */
  claims(req: IncomingMessage): boolean {
    return portRouteOf(req, this.config) !== null;
  }

  listen(server: Server): void {
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const route = portRouteOf(req, this.config);
      if (!route) return;
      socket.on("error", () => undefined);
      this.open.add(socket);
      socket.once("close", () => this.open.delete(socket));
      this.handle(req, socket, head, route).catch((error: unknown) => {
        if (error instanceof AppError) return refuse(socket, error);
        this.logger.error("Port upgrade failed", (error as Error).stack);
        refuse(socket, new AppError("internal_error", "Something went wrong on the server"));
      });
    });
  }

  private async handle(req: IncomingMessage, socket: Duplex, head: Buffer, route: PortRoute): Promise<void> {
    if (!route.parsed.ok) throw new AppError(route.parsed.code, route.parsed.message);
    const address = route.parsed.address;
    const https = requestIsHttps(req, this.config);
    this.checkOrigin(req, route, https);
    const target = await this.access.resolve(
      address,
      route.form === "path"
        ? { form: "path", loginToken: readLoginToken(req, this.config) }
        : { form: "host", portCookie: readPortCookie(req) },
    );
    const headers = forwardRequestHeaders(req, { config: this.config, host: route.host, https });
    headers.connection = "Upgrade";
    headers.upgrade = req.headers.upgrade ?? "websocket";
    const upstream = await connect(target, address);
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
    socket.on("close", () => upstream.destroy());
    upstream.on("close", () => socket.destroy());
    upstream.write(`${req.method ?? "GET"} ${route.path} HTTP/1.1\r\n${serialize(headers)}\r\n`);
    if (head.length > 0) upstream.write(head);
    relayResponseHead(upstream, socket, route.prefix).catch(() => {
      if (!socket.destroyed) refuse(socket, closedPortError(address));
      upstream.destroy();
    });
  }

  /**
   * Cross-site WebSocket hijacking: browsers always send Origin on WebSocket
   * handshakes. Allowed: the port host itself; in the path form the platform
   * and "null" (the sandboxed app's opaque origin).
   */
  private checkOrigin(req: IncomingMessage, route: PortRoute, https: boolean): void {
    const origin = req.headers.origin;
    if (!origin) return;
    const allowed =
      route.form === "host"
        ? [`${https ? "https" : "http"}://${route.host}`]
        : [this.config.server.publicUrl.origin, "null"];
    if (!allowed.includes(origin)) throw new AppError("forbidden", `Origin ${origin} may not open this port`);
  }
}

function connect(target: PortTarget, address: PortAddress): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: target.ip, port: target.port });
    const timer = setTimeout(
      () => socket.destroy(Object.assign(new Error("connect timeout"), { code: "ETIMEDOUT" })),
      5_000,
    );
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(isConnectError(error) ? closedPortError(address) : error);
    });
  });
}

function isConnectError(error: Error): boolean {
  return ["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT"].includes(
    (error as NodeJS.ErrnoException).code ?? "",
  );
}

function serialize(headers: OutgoingHttpHeaders): string {
  let text = "";
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) text += `${name}: ${v}\r\n`;
  }
  return text;
}

/** Reads the app's response head, drops cookies the app may not set, writes it out, then joins the sockets. */
function relayResponseHead(upstream: net.Socket, client: Duplex, pathPrefix: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf("\r\n\r\n");
      if (end < 0) {
        if (buffered.length > MAX_RESPONSE_HEAD) fail(new Error("response head too large"));
        return;
      }
      upstream.off("data", onData);
      upstream.off("end", onEnd);
      const [statusLine = "", ...lines] = buffered.subarray(0, end).toString("latin1").split("\r\n");
      const cookies = lines.filter((l) => /^set-cookie:/i.test(l)).map((l) => l.slice(l.indexOf(":") + 1).trim());
      const kept = allowedSetCookies(cookies, pathPrefix).map((c) => `Set-Cookie: ${c}`);
      const others = lines.filter((l) => !/^set-cookie:/i.test(l));
      client.write(`${[statusLine, ...others, ...kept].join("\r\n")}\r\n\r\n`);
      const rest = buffered.subarray(end + 4);
      if (rest.length > 0) client.write(rest);
      upstream.pipe(client);
      client.pipe(upstream);
      resolve();
    };
    const onEnd = (): void => fail(new Error("the app closed the connection before answering"));
    const fail = (error: Error): void => {
      upstream.off("data", onData);
      reject(error);
    };
    upstream.on("data", onData);
    upstream.once("end", onEnd);
  });
}

function refuse(socket: Duplex, error: AppError): void {
  const status = HTTP_STATUS_BY_CODE[error.code];
  const body = JSON.stringify({ error: { code: error.code, message: error.message } });
  socket.end(
    `HTTP/1.1 ${status} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

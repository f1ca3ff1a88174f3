import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { Inject, Injectable, Logger, type OnModuleDestroy } from "@nestjs/common";
import { readLoginToken } from "../auth/login-cookie";
import { AppError, HTTP_STATUS_BY_CODE } from "../common/app-error";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { forwardRequestHeaders } from "./forward-headers";
import { PortAccess } from "./port-access.service";
import { readPortCookie } from "./port-cookie";
import { closedPortError, isMalformedResponse, isUnreachable, malformedResponseError } from "./port-error-response";
import { proxyUpgrade } from "./port-upgrade-proxy";
import { portRouteOf, type PortRoute } from "./port-route";
import { requestIsHttps } from "../common/request-origin";

/**
 * WebSocket (and any other Upgrade) requests for ports. They bypass Express,
 * so they are checked here with the same rules as plain HTTP, then the two
 * sockets are joined after the app's handshake answer has been parsed and
 * filtered like any proxied response (port-upgrade-proxy.ts).
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
    proxyUpgrade(req, socket, head, {
      target,
      path: route.path,
      headers,
      pathPrefix: route.prefix,
      onFailure: (error) => {
        if (isUnreachable(error)) return refuse(socket, closedPortError(address));
        if (isMalformedResponse(error)) return refuse(socket, malformedResponseError(address));
        this.logger.warn(`Proxying an upgrade to ${address.node}:${address.port} failed: ${error.message}`);
        refuse(socket, new AppError("port_bad_response", "The app's answer could not be passed on"));
      },
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

function refuse(socket: Duplex, error: AppError): void {
  const status = HTTP_STATUS_BY_CODE[error.code];
  const body = JSON.stringify({ error: { code: error.code, message: error.message } });
  socket.end(
    `HTTP/1.1 ${status} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

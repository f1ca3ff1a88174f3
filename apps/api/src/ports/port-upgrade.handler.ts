import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { Inject, Injectable, type OnModuleDestroy } from "@nestjs/common";
import { RequestAuth } from "../auth/request-auth.service";
import { AppError } from "../common/app-error";
import { ErrorRenderer } from "../common/error-renderer.service";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { forwardRequestHeaders } from "./forward-headers";
import { PortAccess } from "./port-access.service";
import { readPortCookie } from "./port-cookie";
import { closedPortError, isMalformedResponse, isUnreachable, malformedResponseError } from "./port-error-response";
import { proxyUpgrade } from "./port-upgrade-proxy";
import { Metrics } from "../metrics/metrics.service";
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
  // Upgraded sockets are invisible to the HTTP server's close(); without this, shutdown would wait for them.
  private readonly open = new Set<Duplex>();

  constructor(
    private readonly access: PortAccess,
    private readonly requests: RequestAuth,
    private readonly errors: ErrorRenderer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
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
      this.metrics.portUpgrade();
      this.open.add(socket);
      socket.once("close", () => this.open.delete(socket));
      this.handle(req, socket, head, route).catch((error: unknown) => this.errors.socket(req, socket, error));
    });
  }

  private async handle(req: IncomingMessage, socket: Duplex, head: Buffer, route: PortRoute): Promise<void> {
    if (!route.parsed.ok) throw new AppError(route.parsed.code, route.parsed.message);
    const address = route.parsed.address;
    const https = requestIsHttps(req, this.config);
    this.checkOrigin(req, route, https);
    const target = await this.access.resolve(
      address,
      route.form === "path" ? { form: "path", req } : { form: "host", portCookie: readPortCookie(req) },
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
        const refuse = (refusal: AppError): void => this.errors.socket(req, socket, refusal, { cause: error });
        if (isUnreachable(error)) return refuse(closedPortError(address));
        if (isMalformedResponse(error)) return refuse(malformedResponseError(address));
        refuse(new AppError("port_bad_response", "The app's answer could not be passed on"));
      },
    });
  }

  /**
   * Cross-site WebSocket hijacking: browsers always send Origin on WebSocket
   * handshakes. Allowed: the port host itself; in the path form the platform
   * and "null" (the sandboxed app's opaque origin).
   */
  private checkOrigin(req: IncomingMessage, route: PortRoute, https: boolean): void {
    const allowed =
      route.form === "host"
        ? [`${https ? "https" : "http"}://${route.host}`]
        : [this.requests.platformOrigin(), "null"];
    this.requests.requireOrigin(
      req,
      allowed,
      "allow",
      (sender) =>
        new AppError("forbidden", `Origin ${"origin" in sender ? sender.origin : "(none)"} may not open this port`),
    );
  }
}

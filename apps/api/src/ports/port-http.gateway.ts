import type { IncomingMessage, ServerResponse } from "node:http";
import { Inject, Injectable } from "@nestjs/common";
import { safeNextPath } from "@kubelab/shared";
import { AppError } from "../common/app-error";
import { ErrorRenderer } from "../common/error-renderer.service";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { forwardRequestHeaders } from "./forward-headers";
import { PortAccess, type PortCredential } from "./port-access.service";
import type { PortAddress } from "./port-address";
import { portCookieHeader, readPortCookie } from "./port-cookie";
import { closedPortError, isMalformedResponse, isUnreachable, malformedResponseError } from "./port-error-response";
import { proxyHttp } from "./port-http-proxy";
import { portRouteOf, type PortRoute } from "./port-route";
import { PortTokens } from "./port-tokens";
import { Metrics } from "../metrics/metrics.service";
import { requestIsHttps } from "../common/request-origin";

// Reserved on every port host: where a ticket from the platform is exchanged for the port cookie.
export const AUTH_PATH = "/__kubelab/auth";

/**
 * The HTTP side of the port proxy, mounted before Nest and Next.js: requests
 * for a port host or a /ports/ path are answered here and never reach the
 * platform's routes (nor its body parsers, so bodies stream untouched).
 */
@Injectable()
export class PortHttpGateway {
  constructor(
    private readonly access: PortAccess,
    private readonly tokens: PortTokens,
    private readonly errors: ErrorRenderer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  /** Express-style middleware: everything that is not a port request goes on to the platform. */
  middleware(): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
    return (req, res, next) => {
      const route = portRouteOf(req, this.config);
      if (!route) return next();
      const started = performance.now();
      // Every port request, refused ones included; 'close' also comes for responses cut off.
      res.once("close", () =>
        this.metrics.portHttpRequest(res.writableFinished ? res.statusCode : 0, (performance.now() - started) / 1000),
      );
      this.handle(req, res, route).catch((error: unknown) =>
        this.errors.http(req, res, error, { format: "negotiate" }),
      );
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse, route: PortRoute): Promise<void> {
    if (!route.parsed.ok) throw new AppError(route.parsed.code, route.parsed.message);
    const address = route.parsed.address;
    const https = requestIsHttps(req, this.config);
    if (route.form === "host" && route.path.split("?")[0] === AUTH_PATH) {
      return this.exchangeTicket(req, res, address, https);
    }
    if (route.form === "path" && (req.url ?? "").split("?")[0] === route.prefix) {
      // Without the trailing slash the app's relative links would resolve outside the prefix.
      const query = route.path.slice(1);
      res.writeHead(308, { location: `${route.prefix}/${query}` }).end();
      return;
    }
    const credential: PortCredential =
      route.form === "path" ? { form: "path", req } : { form: "host", portCookie: readPortCookie(req) };
    let target;
    try {
      target = await this.access.resolve(address, credential);
    } catch (error) {
      // A browser without a port cookie goes through the platform, which knows the login and mints a ticket.
      if (error instanceof AppError && error.code === "unauthenticated" && route.form === "host" && isPageLoad(req)) {
        const open = new URL(
          `/api/sessions/${address.sessionId}/nodes/${address.node}/ports/${address.port}/open`,
          this.config.server.publicUrl,
        );
        open.searchParams.set("path", route.path);
        res.writeHead(302, { location: open.href, "cache-control": "no-store" }).end();
        return;
      }
      throw error;
    }
    proxyHttp(req, res, {
      target,
      path: route.path,
      headers: forwardRequestHeaders(req, { config: this.config, host: route.host, https }),
      pathPrefix: route.prefix,
      onUnreachable: (error) => {
        const page = { format: "negotiate", cause: error } as const;
        if (isUnreachable(error)) return this.errors.http(req, res, closedPortError(address), { ...page, retry: true });
        if (isMalformedResponse(error)) return this.errors.http(req, res, malformedResponseError(address), page);
        this.errors.http(req, res, new AppError("internal_error", "The app could not be reached"), page);
      },
    });
  }

  private async exchangeTicket(
    req: IncomingMessage,
    res: ServerResponse,
    address: PortAddress,
    https: boolean,
  ): Promise<void> {
    const url = new URL(req.url ?? "/", "http://port.invalid");
    const userId = this.tokens.verify("ticket", url.searchParams.get("ticket") ?? undefined, address);
    if (!userId) throw new AppError("forbidden", "This link has expired; open the port again from Kubelab");
    const expiresAt = await this.access.ownedSessionExpiry(address.sessionId, userId);
    if (!expiresAt) throw new AppError("not_found", "No such session");
    const cookie = this.tokens.sign("cookie", userId, address, expiresAt);
    res.writeHead(302, {
      location: safeNextPath(url.searchParams.get("next"), { loopPath: AUTH_PATH }),
      "set-cookie": portCookieHeader(cookie, expiresAt, https),
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
    });
    res.end();
  }
}

function isPageLoad(req: IncomingMessage): boolean {
  return req.method === "GET" && (req.headers.accept ?? "").includes("text/html");
}

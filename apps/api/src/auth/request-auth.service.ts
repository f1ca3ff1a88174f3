import type { IncomingMessage } from "node:http";
import { Inject, Injectable } from "@nestjs/common";
import { AppError } from "../common/app-error";
import { refusedOrigin, type MissingOrigin } from "../common/request-origin";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import type { User } from "../generated/prisma/client";
import { REQUEST_FLOOD_CACHE, RefreshingCache } from "../common/refreshing-cache";
import { AuthService } from "./auth.service";
import { readLoginToken } from "./login-cookie";

/**
 * Login and Origin checks on raw Node requests: the Nest guards use it, and so
 * do the paths Nest never sees (terminal and port WebSocket upgrades, the port
 * proxy), so each rule has exactly one implementation.
 */
@Injectable()
export class RequestAuth {
  // The port proxy asks for every asset of a page: a second or so of staleness after a logout is its price.
  private readonly recent = new RefreshingCache<User | null>(REQUEST_FLOOD_CACHE);

  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The user the login cookie belongs to, or null. `cached`: for request
   * floods (proxied page assets) where a second-old answer is good enough.
   */
  async userOf(req: IncomingMessage, options: { cached?: boolean } = {}): Promise<User | null> {
    const token = readLoginToken(req, this.config);
    if (!token) return null;
    if (!options.cached) return this.auth.userForToken(token);
    return this.recent.get(token, () => this.auth.userForToken(token));
  }

  async requireUser(req: IncomingMessage): Promise<User> {
    const user = await this.userOf(req);
    if (!user) throw new AppError("unauthenticated", "Log in first");
    return user;
  }

  /** The platform's own origin, the only one its pages are served from. */
  platformOrigin(): string {
    return this.config.server.publicUrl.origin;
  }

  /**
   * Throws `refusal(sender)` unless the request's Origin is one of `allowed`
   * (see refusedOrigin for what a missing Origin means).
   */
  requireOrigin(
    req: IncomingMessage,
    allowed: readonly string[],
    missing: MissingOrigin,
    refusal: (sender: { origin: string } | { fetchSite: string }) => AppError,
  ): void {
    const refused = refusedOrigin(req, allowed, missing);
    if (refused) throw refusal(refused);
  }
}

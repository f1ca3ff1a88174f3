import type { IncomingMessage } from "node:http";
import { Inject, Injectable } from "@nestjs/common";
import { AppError } from "../common/app-error";
import { refusedOrigin, type MissingOrigin } from "../common/request-origin";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import type { User } from "../generated/prisma/client";
import { TtlCache } from "../common/ttl-cache";
import { AuthService } from "./auth.service";
import { readLoginToken } from "./login-cookie";

// The port proxy asks for every asset of a page; one second of staleness after a logout is its price.
const CACHE_MS = 1_000;

/**
 * Login and Origin checks on raw Node requests: the Nest guards use it, and so
 * do the paths Nest never sees (terminal and port WebSocket upgrades, the port
 * proxy), so each rule has exactly one implementation.
 */
@Injectable()
export class RequestAuth {
  // Promises, not values: concurrent requests with one cookie share one query.
  private readonly recent = new TtlCache<Promise<User | null>>(CACHE_MS);

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
    const hit = this.recent.get(token);
    if (hit) return hit;
    const loading = this.auth.userForToken(token);
    this.recent.set(token, loading);
    // A failed lookup (database hiccup) must not be remembered.
    loading.catch(() => this.recent.delete(token));
    return loading;
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

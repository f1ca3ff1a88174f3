import { type CanActivate, type ExecutionContext, Inject, Injectable } from "@nestjs/common";
import type { Request } from "express";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { AppError } from "../common/app-error";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF defence for every state-changing request. SameSite=Lax alone is not
 * enough here: port hosts (node1-8000-<id>.localhost) are same-site with the
 * platform, so a user's app could otherwise POST to the API with the login
 * cookie attached. Browsers always send Origin on such requests (or at least
 * Sec-Fetch-Site); requests with neither come from non-browser clients (curl,
 * scripts), which cannot be tricked into sending someone else's cookie.
 */
@Injectable()
export class SameOriginGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (SAFE_METHODS.has(req.method)) return true;
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (origin === this.config.server.publicUrl.origin) return true;
      throw new AppError("csrf_rejected", `Requests from ${origin} may not change anything here`);
    }
    const fetchSite = req.headers["sec-fetch-site"];
    if (fetchSite === undefined || fetchSite === "same-origin" || fetchSite === "none") return true;
    throw new AppError("csrf_rejected", `A ${String(fetchSite)} request may not change anything here`);
  }
}

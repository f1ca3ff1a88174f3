import { type CanActivate, type ExecutionContext, Injectable } from "@nestjs/common";
import type { Request } from "express";
import { AppError } from "../common/app-error";
import { RequestAuth } from "./request-auth.service";

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
  constructor(private readonly requests: RequestAuth) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (SAFE_METHODS.has(req.method)) return true;
    this.requests.requireOrigin(req, [this.requests.platformOrigin()], "check-fetch-site", (sender) =>
      "origin" in sender
        ? new AppError("csrf_rejected", `Requests from ${sender.origin} may not change anything here`)
        : new AppError("csrf_rejected", `A ${sender.fetchSite} request may not change anything here`),
    );
    return true;
  }
}

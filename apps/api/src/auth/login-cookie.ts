import type { IncomingMessage } from "node:http";
import type { CookieOptions } from "express";
import type { AppConfig } from "../config/app-config";
import { readCookie } from "./cookie-header";

/**
 * Under https the cookie takes the `__Host-` prefix: browsers then refuse it
 * unless Secure, host-only and Path=/, so a sibling subdomain cannot plant it.
 */
export function loginCookieName(config: AppConfig): string {
  return isHttps(config) ? "__Host-kubelab_session" : "kubelab_session";
}

/**
 * The login token a request carries. Read from the raw Cookie header so it
 * works the same for API routes, WebSocket upgrades and the port proxy, which
 * skip Express middleware.
 */
export function readLoginToken(req: IncomingMessage, config: AppConfig): string | undefined {
  return readCookie(req.headers.cookie, loginCookieName(config));
}

export function loginCookieOptions(config: AppConfig): CookieOptions {
  return {
    httpOnly: true,
    sameSite: "lax",
    secure: isHttps(config),
    path: "/",
    maxAge: config.auth.loginSessionSeconds * 1000,
  };
}

function isHttps(config: AppConfig): boolean {
  return config.server.publicUrl.protocol === "https:";
}

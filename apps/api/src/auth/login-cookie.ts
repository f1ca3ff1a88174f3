import type { CookieOptions } from "express";
import type { AppConfig } from "../config/app-config";

/**
 * Under https the cookie takes the `__Host-` prefix: browsers then refuse it
 * unless Secure, host-only and Path=/, so a sibling subdomain cannot plant it.
 */
export function loginCookieName(config: AppConfig): string {
  return isHttps(config) ? "__Host-kubelab_session" : "kubelab_session";
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

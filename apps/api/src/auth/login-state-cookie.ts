import type { CookieOptions } from "express";
import type { AppConfig } from "../config/app-config";
import { LOGIN_ATTEMPT_SECONDS } from "./login-attempts.service";

/**
 * Binds an authorization request to the browser that started it. Without it,
 * an attacker could send a victim their own callback URL and log the victim
 * into the attacker's account (login CSRF). Lax: the callback is a top-level
 * navigation from the provider's site, which Lax cookies survive.
 */
export const LOGIN_STATE_COOKIE = "kubelab_login_state";

export function loginStateCookieOptions(config: AppConfig): CookieOptions {
  return {
    httpOnly: true,
    sameSite: "lax",
    secure: config.server.publicUrl.protocol === "https:",
    path: "/api/auth",
    maxAge: LOGIN_ATTEMPT_SECONDS * 1000,
  };
}

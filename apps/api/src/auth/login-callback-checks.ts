import { timingSafeEqual } from "node:crypto";
import type { Request } from "express";
import type { LoginAttempt, LoginAttempts } from "./login-attempts.service";
import { LoginFailure } from "./login-provider";
import { LOGIN_STATE_COOKIE } from "./login-state-cookie";

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function queryString(req: Request, name: string): string | undefined {
  const value = (req.query as Record<string, unknown>)[name];
  return typeof value === "string" && value ? value : undefined;
}

/**
 * The checks every callback makes before talking to the provider: the
 * provider's own error (consent denied), then `state` present, equal to the
 * cookie set in this browser, and matching an unused attempt.
 */
export async function takeLoginAttempt(
  req: Request,
  attempts: LoginAttempts,
  provider: string,
): Promise<{ state: string; attempt: LoginAttempt }> {
  const state = queryString(req, "state");
  const error = queryString(req, "error");
  if (error) {
    // Consume the attempt anyway: it is finished, and it says where the user was going.
    const attempt = state ? await attempts.consume(provider, state) : null;
    const description = queryString(req, "error_description");
    if (error === "access_denied") {
      throw new LoginFailure("oauth_denied", "You did not allow Kubelab to use your account", attempt?.returnTo);
    }
    throw new LoginFailure(
      "oauth_provider_error",
      `The login provider refused: ${error}${description ? ` (${description})` : ""}`,
      attempt?.returnTo,
    );
  }
  const cookie = (req.cookies as Record<string, string> | undefined)?.[LOGIN_STATE_COOKIE];
  if (!state || !cookie || !sameString(state, cookie)) {
    throw new LoginFailure("oauth_state_invalid", "This login link does not belong to this browser; start again");
  }
  const attempt = await attempts.consume(provider, state);
  if (!attempt)
    throw new LoginFailure("oauth_state_invalid", "This login has expired or was already used; start again");
  return { state, attempt };
}

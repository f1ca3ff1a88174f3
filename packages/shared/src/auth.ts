import { z } from "zod";

export const ZGuestLoginRequest = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, "name must not be empty")
    .max(64, "name must be at most 64 characters")
    // Printable characters only: names show up in instructor views and logs.
    .regex(/^[^\p{C}]+$/u, "name must not contain control characters"),
});
export type TGuestLoginRequest = z.infer<typeof ZGuestLoginRequest>;

export const ZUserRole = z.enum(["attendee", "instructor", "admin"]);

export type TUserRole = z.infer<typeof ZUserRole>;

export const ZMeResponse = z.object({
  id: z.string(),
  name: z.string(),
  provider: z.string(),
  role: ZUserRole,
  /** The provider's handle (GitHub login, OIDC preferred_username); null for guests. */
  login: z.string().nullable(),
  avatarUrl: z.string().nullable(),
});
export type TMeResponse = z.infer<typeof ZMeResponse>;

export const ZLoginProvider = z.object({
  /** Used in /api/auth/<id>/login. */
  id: z.string(),
  name: z.string(),
  kind: z.enum(["github", "oidc"]),
});
export type TLoginProvider = z.infer<typeof ZLoginProvider>;

export const ZLoginProvidersResponse = z.object({
  providers: z.array(ZLoginProvider),
  /** Whether POST /api/auth/guest is open. */
  guest: z.boolean(),
});
export type TLoginProvidersResponse = z.infer<typeof ZLoginProvidersResponse>;

/**
 * Why an OAuth/OIDC login did not complete. The callback redirects to
 * /login?error=<code> so the page can explain it and offer a retry.
 */
export const ZLoginErrorCode = z.enum([
  "oauth_denied",
  "oauth_state_invalid",
  "oauth_provider_error",
  "account_banned",
  "rate_limited",
]);
export type TLoginErrorCode = z.infer<typeof ZLoginErrorCode>;

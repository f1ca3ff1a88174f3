/** Who a provider says logged in, normalised across GitHub and OIDC. */
export interface ExternalProfile {
  /** "github" or the OIDC provider's configured id. */
  provider: string;
  /** Immutable: GitHub's numeric id, OIDC `sub`. Identity hangs off this and `provider` only. */
  providerId: string;
  name: string;
  login: string | null;
  email: string | null;
  avatarUrl: string | null;
}

/**
 * A provider's avatar URL if it is a plain http(s) URL of sane length, else null. Pages put it in
 * an <img src>; anything else (data:, javascript:, megabytes of text) is not stored at all.
 */
export function safeAvatarUrl(value: string | null | undefined): string | null {
  if (!value || value.length > 2048) return null;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

/** What a login provider needs from the HTTP layer to start or finish a login. */
export interface LoginRequestContext {
  /** The full callback URL as the browser requested it (for OIDC's response checks). */
  currentUrl: URL;
  query: Record<string, unknown>;
}

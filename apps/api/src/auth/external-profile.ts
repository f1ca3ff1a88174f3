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

/** What a login provider needs from the HTTP layer to start or finish a login. */
export interface LoginRequestContext {
  /** The full callback URL as the browser requested it (for OIDC's response checks). */
  currentUrl: URL;
  query: Record<string, unknown>;
}

import { ConfigError } from "./config-error";

export interface OidcProviderConfig {
  /** URL segment and user namespace: users are keyed by (id, sub). */
  id: string;
  /** What the login button says. */
  name: string;
  issuer: URL;
  clientId: string;
  /** Unset for public clients, which rely on PKCE alone. */
  clientSecret: string | undefined;
  scopes: string[];
}

interface OidcPreset {
  name: string;
  issuer: string;
}

// Docker ID is an OpenID Connect provider; naming it "dockerid" is all the
// configuration it needs beyond the client credentials Docker issues.
const PRESETS: Record<string, OidcPreset> = {
  dockerid: { name: "Docker ID", issuer: "https://login.docker.com/" },
};

/**
 * Per-provider variables carry the id in their names (OIDC_KEYCLOAK_ISSUER),
 * so they cannot be listed in the static schema; they are read here.
 */
export function loadOidcProviders(ids: string[], env: Record<string, string | undefined>): OidcProviderConfig[] {
  const problems: string[] = [];
  const providers: OidcProviderConfig[] = [];
  for (const id of new Set(ids)) {
    if (id === "github" || id === "guest") {
      problems.push(`  OIDC_PROVIDERS: "${id}" is reserved; pick another id`);
      continue;
    }
    const prefix = `OIDC_${id.toUpperCase()}_`;
    const read = (name: string): string | undefined => env[prefix + name] || undefined;
    const preset = PRESETS[id];
    const issuerText = read("ISSUER") ?? preset?.issuer;
    const clientId = read("CLIENT_ID");
    if (!issuerText) problems.push(`  ${prefix}ISSUER: required for OIDC provider "${id}"`);
    if (!clientId) problems.push(`  ${prefix}CLIENT_ID: required for OIDC provider "${id}"`);
    let issuer: URL | undefined;
    if (issuerText) {
      try {
        issuer = new URL(issuerText);
        if (issuer.protocol !== "https:" && issuer.protocol !== "http:") throw new Error("not http(s)");
      } catch {
        problems.push(`  ${prefix}ISSUER: expected an http(s) URL (got "${issuerText}")`);
      }
    }
    if (!issuer || !clientId) continue;
    providers.push({
      id,
      name: read("NAME") ?? preset?.name ?? id,
      issuer,
      clientId,
      clientSecret: read("CLIENT_SECRET"),
      scopes: (read("SCOPES") ?? "openid profile email").split(/[\s,]+/).filter(Boolean),
    });
  }
  if (problems.length) throw new ConfigError(`Invalid configuration:\n${problems.join("\n")}`);
  return providers;
}

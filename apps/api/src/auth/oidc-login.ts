import { Logger } from "@nestjs/common";
import type { TLoginProvider } from "@kubelab/shared";
import type { Request, Response } from "express";
import * as oidc from "openid-client";
import type { AppConfig } from "../config/app-config";
import type { OidcProviderConfig } from "../config/oidc-provider-config";
import type { ExternalProfile } from "./external-profile";
import { takeLoginAttempt } from "./login-callback-checks";
import type { LoginAttempts } from "./login-attempts.service";
import { LoginFailure, type CompletedLogin, type LoginProvider } from "./login-provider";
import { LOGIN_STATE_COOKIE, loginStateCookieOptions } from "./login-state-cookie";

// A provider that does not answer discovery or the token request within this
// is reported as down rather than leaving the browser spinning.
const PROVIDER_TIMEOUT_SECONDS = 10;

/**
 * Any OpenID Connect provider (Docker ID, Keycloak, GitLab, Google, Dex...):
 * discovery, authorization code flow with PKCE (S256), state and nonce.
 */
export class OidcLogin implements LoginProvider {
  readonly descriptor: TLoginProvider;
  private readonly logger: Logger;
  private discovered: Promise<oidc.Configuration> | undefined;
  private readonly redirectUri: string;

  constructor(
    private readonly provider: OidcProviderConfig,
    private readonly config: AppConfig,
    private readonly attempts: LoginAttempts,
  ) {
    this.descriptor = { id: provider.id, name: provider.name, kind: "oidc" };
    this.logger = new Logger(`OidcLogin:${provider.id}`);
    this.redirectUri = new URL(`/api/auth/${provider.id}/callback`, config.server.publicUrl).href;
  }

  async begin(_req: Request, res: Response, returnTo: string): Promise<void> {
    const configuration = await this.configuration(returnTo);
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const state = await this.attempts.start(this.provider.id, { codeVerifier, nonce, returnTo });
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: this.provider.scopes.join(" "),
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: "S256",
      state,
      nonce,
    });
    res.cookie(LOGIN_STATE_COOKIE, state, loginStateCookieOptions(this.config));
    res.redirect(302, url.href);
  }

  async complete(req: Request): Promise<CompletedLogin> {
    const { state, attempt } = await takeLoginAttempt(req, this.attempts, this.provider.id);
    const configuration = await this.configuration(attempt.returnTo);
    // openid-client checks the response parameters (state, iss) against the URL the browser asked for.
    const currentUrl = new URL(req.originalUrl, this.config.server.publicUrl);
    let claims: oidc.IDToken;
    let accessToken: string;
    try {
      const tokens = await oidc.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: attempt.codeVerifier,
        expectedState: state,
        expectedNonce: attempt.nonce ?? undefined,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw new Error("no ID token");
      claims = idClaims;
      accessToken = tokens.access_token;
    } catch (error) {
      throw this.failure(error, attempt.returnTo);
    }
    let userInfo: oidc.UserInfoResponse | undefined;
    if (configuration.serverMetadata().userinfo_endpoint) {
      try {
        // Many providers keep profile claims out of the ID token; userinfo has them.
        userInfo = await oidc.fetchUserInfo(configuration, accessToken, claims.sub);
      } catch (error) {
        this.logger.warn(`userinfo failed, using ID token claims only: ${(error as Error).message}`);
      }
    }
    return { profile: this.toExternalProfile({ ...claims, ...userInfo, sub: claims.sub }), returnTo: attempt.returnTo };
  }

  private failure(error: unknown, returnTo: string): LoginFailure {
    const cause = (error as { cause?: unknown })?.cause;
    const message = [error, cause]
      .filter((e): e is Error => e instanceof Error)
      .map((e) => e.message)
      .join(": ");
    this.logger.warn(`login failed: ${message || String(error)}`);
    // A claim that does not match (nonce, issuer, audience) means the answer
    // belongs to another login or another client; anything else is the provider's fault.
    if (error instanceof oidc.ClientError && error.code === "OAUTH_JWT_CLAIM_COMPARISON_FAILED") {
      return new LoginFailure(
        "oauth_state_invalid",
        "The provider's answer does not match this login; start again",
        returnTo,
      );
    }
    return new LoginFailure(
      "oauth_provider_error",
      `${this.provider.name} did not confirm the login; try again`,
      returnTo,
    );
  }

  /** Discovery runs on first use and again after a failure, so a provider down at boot does not need a restart. */
  private async configuration(returnTo: string): Promise<oidc.Configuration> {
    this.discovered ??= this.discover();
    try {
      return await this.discovered;
    } catch (error) {
      this.discovered = undefined;
      this.logger.warn(`discovery at ${this.provider.issuer.href} failed: ${(error as Error).message}`);
      throw new LoginFailure(
        "oauth_provider_error",
        `${this.provider.name} cannot be reached right now; try again`,
        returnTo,
      );
    }
  }

  private discover(): Promise<oidc.Configuration> {
    const insecure = this.provider.issuer.protocol === "http:";
    if (insecure)
      this.logger.warn(`issuer ${this.provider.issuer.href} uses plain http; use https outside development`);
    return oidc.discovery(
      this.provider.issuer,
      this.provider.clientId,
      this.provider.clientSecret,
      this.provider.clientSecret ? oidc.ClientSecretPost(this.provider.clientSecret) : oidc.None(),
      { execute: insecure ? [oidc.allowInsecureRequests] : [], timeout: PROVIDER_TIMEOUT_SECONDS },
    );
  }

  private toExternalProfile(claims: Record<string, unknown>): ExternalProfile {
    const text = (key: string): string | null => {
      const value = claims[key];
      return typeof value === "string" && value.trim() ? value.trim() : null;
    };
    const sub = String(claims.sub);
    const login = text("preferred_username") ?? text("nickname");
    return {
      provider: this.provider.id,
      providerId: sub,
      name: (text("name") ?? login ?? text("email") ?? `${this.provider.id}-${sub}`).slice(0, 64),
      login,
      // An unverified address is not shown as the user's: it could be anyone's.
      email: claims.email_verified === false ? null : text("email"),
      avatarUrl: text("picture"),
    };
  }
}

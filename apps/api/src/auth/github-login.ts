import { Logger } from "@nestjs/common";
import type { TLoginProvider } from "@kubelab/shared";
import type { Request, Response } from "express";
import { Authenticator } from "passport";
import { Strategy as GitHubStrategy, type Profile as GitHubProfile } from "passport-github2";
import type OAuth2Strategy from "passport-oauth2";
import type { GithubLoginConfig } from "../config/app-config";
import type { ExternalProfile } from "./external-profile";
import { takeLoginAttempt } from "./login-callback-checks";
import type { LoginAttempt, LoginAttempts } from "./login-attempts.service";
import { LoginFailure, type CompletedLogin, type LoginProvider } from "./login-provider";
import { LOGIN_STATE_COOKIE, loginStateCookieOptions } from "./login-state-cookie";
import type { AppConfig } from "../config/app-config";

const STRATEGY = "github";

interface GithubLoginRequest extends Request {
  kubelabReturnTo?: string;
  kubelabAttempt?: LoginAttempt;
}

type PassportMiddleware = (req: Request, res: Response | undefined, next: (error?: unknown) => void) => void;

/** What passport's custom callback receives. */
interface AuthenticateOutcome {
  error: unknown;
  profile: ExternalProfile | false | undefined;
  info: unknown;
}

/**
 * GitHub (or GitHub Enterprise) login through passport-github2. Kubelab keeps
 * no express-session, so passport's state store is replaced by one over
 * LoginAttempts: the same single-use, database-backed attempts OIDC uses.
 */
export class GithubLogin implements LoginProvider {
  readonly descriptor: TLoginProvider = { id: "github", name: "GitHub", kind: "github" };
  private readonly logger = new Logger("GithubLogin");
  private readonly passport = new Authenticator();

  constructor(
    github: GithubLoginConfig,
    private readonly config: AppConfig,
    private readonly attempts: LoginAttempts,
  ) {
    const stateStore = {
      // Arity 5 tells passport-oauth2 this store keeps the PKCE verifier.
      store: (
        req: GithubLoginRequest,
        verifier: string,
        _appState: unknown,
        _meta: unknown,
        done: (err: Error | null, state?: string) => void,
      ): void => {
        attempts
          .start(STRATEGY, { codeVerifier: verifier, nonce: null, returnTo: req.kubelabReturnTo ?? "/" })
          .then((state) => {
            req.res?.cookie(LOGIN_STATE_COOKIE, state, loginStateCookieOptions(this.config));
            done(null, state);
          })
          .catch((error: Error) => done(error));
      },
      // The callback checks state before passport runs (takeLoginAttempt); this hands passport the verifier.
      verify: (
        req: GithubLoginRequest,
        _state: string,
        done: (err: Error | null, ok: string | false) => void,
      ): void => {
        done(null, req.kubelabAttempt?.codeVerifier ?? false);
      },
    };
    const strategy = new GitHubStrategy(
      {
        clientID: github.clientId,
        clientSecret: github.clientSecret,
        callbackURL: new URL("/api/auth/github/callback", config.server.publicUrl).href,
        authorizationURL: `${github.webUrl}/login/oauth/authorize`,
        tokenURL: `${github.webUrl}/login/oauth/access_token`,
        userProfileURL: `${github.apiUrl}/user`,
        userEmailURL: `${github.apiUrl}/user/emails`,
        scope: ["read:user", "user:email"],
        userAgent: "Kubelab",
        pkce: true,
        store: stateStore as unknown as OAuth2Strategy.StateStore,
      },
      (_accessToken: string, _refreshToken: string, profile: GitHubProfile, done: OAuth2Strategy.VerifyCallback) => {
        done(null, toExternalProfile(profile));
      },
    );
    this.passport.use(STRATEGY, strategy);
  }

  async begin(req: Request, res: Response, returnTo: string): Promise<void> {
    (req as GithubLoginRequest).kubelabReturnTo = returnTo;
    // passport ends the response itself with a redirect; its callback only runs on failure.
    await new Promise<void>((resolve, reject) => {
      res.once("finish", () => resolve());
      this.authenticate((error: unknown) =>
        reject(error instanceof Error ? error : new Error("GitHub login could not start")),
      )(req, res, reject);
    });
  }

  /** passport's authenticate with a custom callback; its typings return `any`. */
  private authenticate(callback: (error: unknown, profile?: unknown, info?: unknown) => void): PassportMiddleware {
    return this.passport.authenticate(STRATEGY, { session: false }, callback) as PassportMiddleware;
  }

  async complete(req: Request): Promise<CompletedLogin> {
    const { attempt } = await takeLoginAttempt(req, this.attempts, STRATEGY);
    (req as GithubLoginRequest).kubelabAttempt = attempt;
    const outcome = await new Promise<AuthenticateOutcome>((resolve) => {
      this.authenticate((error: unknown, profile: unknown, info: unknown) =>
        resolve({ error, profile: profile as ExternalProfile | false | undefined, info }),
      )(req, req.res, (error: unknown) => resolve({ error, profile: undefined, info: undefined }));
    });
    if (outcome.error || !outcome.profile) {
      // Token exchange or profile fetch failed: GitHub down, a replayed code, a revoked app.
      this.logger.warn(`GitHub login failed: ${describe(outcome.error ?? outcome.info)}`);
      throw new LoginFailure("oauth_provider_error", "GitHub did not confirm the login; try again", attempt.returnTo);
    }
    return { profile: outcome.profile, returnTo: attempt.returnTo };
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  return JSON.stringify(value) ?? String(value);
}

function toExternalProfile(profile: GitHubProfile): ExternalProfile {
  const login = profile.username ?? null;
  return {
    provider: STRATEGY,
    // GitHub's numeric id: logins can be renamed and reused, ids cannot.
    providerId: String(profile.id),
    name: profile.displayName || login || `github-${profile.id}`,
    login,
    email: profile.emails?.[0]?.value ?? null,
    avatarUrl: profile.photos?.[0]?.value ?? null,
  };
}

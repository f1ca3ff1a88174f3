import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from "@nestjs/common";
import {
  safeNextPath,
  ZGuestLoginRequest,
  type TLoginErrorCode,
  type TLoginProvidersResponse,
  type TMeResponse,
} from "@kubelab/shared";
import type { Request, Response } from "express";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { AppError } from "../common/app-error";
import { clientAddress } from "../common/request-origin";
import { parseBody } from "../common/zod-validation";
import type { User } from "../generated/prisma/client";
import { AuthService } from "./auth.service";
import { CurrentUser, type AuthenticatedRequest } from "./current-user.decorator";
import { loginCookieName, loginCookieOptions, readLoginToken } from "./login-cookie";
import { LoginFailure } from "./login-provider";
import { LoginProviders } from "./login-providers";
import { LoginRateLimiter } from "./login-rate-limiter";
import { LOGIN_STATE_COOKIE, loginStateCookieOptions } from "./login-state-cookie";
import { PublicRoute } from "./public-route.decorator";
import { UsersService } from "./users.service";
import { Metrics } from "../metrics/metrics.service";

export function toMe(user: User): TMeResponse {
  return {
    id: user.id,
    name: user.name,
    provider: user.provider,
    role: user.role,
    login: user.login,
    avatarUrl: user.avatarUrl,
  };
}

@Controller("api")
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly providers: LoginProviders,
    private readonly users: UsersService,
    private readonly rateLimiter: LoginRateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  @PublicRoute()
  @Get("auth/providers")
  listProviders(): TLoginProvidersResponse {
    return this.providers.describe();
  }

  @PublicRoute()
  @Post("auth/guest")
  @HttpCode(200)
  async guestLogin(
    @Req() req: Request,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TMeResponse> {
    let token: string;
    let user: User;
    try {
      await this.rateLimiter.hit(req);
      const { name } = parseBody(ZGuestLoginRequest, body);
      ({ token, user } = await this.auth.loginAsGuest(
        name,
        readLoginToken(req, this.config),
        clientAddress(req, this.config),
      ));
    } catch (error) {
      this.countLogin("guest", error);
      throw error;
    }
    this.metrics.loginAttempt("guest", "succeeded");
    res.cookie(loginCookieName(this.config), token, loginCookieOptions(this.config));
    return toMe(user);
  }

  /** Starts a login with a provider: records the attempt and redirects the browser there. */
  @PublicRoute()
  @Get("auth/:provider/login")
  async providerLogin(
    @Param("provider") providerId: string,
    @Query("next") next: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const returnTo = safeNextPath(typeof next === "string" ? next : undefined);
    try {
      await this.rateLimiter.hit(req);
      await this.providers.require(providerId).begin(req, res, returnTo);
      this.metrics.loginAttempt(providerId, "started");
    } catch (error) {
      this.countLogin(providerId, error);
      this.sendLoginFailure(res, error, returnTo);
    }
  }

  /** Where the provider sends the browser back; ends in a redirect to the page the user wanted, or to /login?error=. */
  @PublicRoute()
  @Get("auth/:provider/callback")
  async providerCallback(
    @Param("provider") providerId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    // The state cookie has done its job whatever happens next.
    res.clearCookie(LOGIN_STATE_COOKIE, { ...loginStateCookieOptions(this.config), maxAge: undefined });
    // Not rate limited: the login that led here was counted when it started, and the
    // callback only completes an attempt that exists (a flood of callbacks finds nothing).
    try {
      const { profile, returnTo } = await this.providers.require(providerId).complete(req);
      const user = await this.users.upsertFromLogin(profile, returnTo);
      const token = await this.auth.replaceLoginSession(readLoginToken(req, this.config), user.id);
      res.cookie(loginCookieName(this.config), token, loginCookieOptions(this.config));
      this.metrics.loginAttempt(providerId, "succeeded");
      res.redirect(302, returnTo);
    } catch (error) {
      this.countLogin(providerId, error);
      this.sendLoginFailure(res, error, error instanceof LoginFailure ? error.returnTo : undefined);
    }
  }

  @PublicRoute()
  @Post("auth/logout")
  @HttpCode(204)
  async logout(@Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response): Promise<void> {
    const token = readLoginToken(req, this.config);
    if (token) await this.auth.logout(token);
    res.clearCookie(loginCookieName(this.config), { ...loginCookieOptions(this.config), maxAge: undefined });
  }

  @Get("me")
  me(@CurrentUser() user: User): TMeResponse {
    return toMe(user);
  }

  /** A failed login for metrics; unknown provider ids (anyone can type one) are counted as one label. */
  private countLogin(providerId: string, error: unknown): void {
    const provider = providerId === "guest" || this.providers.has(providerId) ? providerId : "unknown";
    let outcome = "error";
    if (error instanceof LoginFailure) outcome = error.code;
    else if (error instanceof AppError) outcome = error.code;
    this.metrics.loginAttempt(provider, outcome);
  }

  /**
   * Browsers arrive here by navigation, so failures become a redirect to the
   * login page, which explains the code and offers a retry. Without the web
   * app there is no page: the JSON error is the answer.
   */
  private sendLoginFailure(res: Response, error: unknown, returnTo: string | undefined): void {
    if (res.headersSent) return;
    let code: TLoginErrorCode | undefined;
    if (error instanceof LoginFailure) code = error.code;
    else if (error instanceof AppError && error.code === "rate_limited") code = "rate_limited";
    if (!code || !this.config.server.webEnabled) throw error instanceof LoginFailure ? toAppError(error) : error;
    const target = new URLSearchParams({ error: code });
    if (returnTo && returnTo !== "/") target.set("next", returnTo);
    res.redirect(302, `/login?${target.toString()}`);
  }
}

function toAppError(failure: LoginFailure): AppError {
  return new AppError(failure.code, failure.message);
}

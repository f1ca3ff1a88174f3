import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from "@nestjs/common";
import { ZGuestLoginRequest, type TMeResponse } from "@kubelab/shared";
import type { Response } from "express";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { parseBody } from "../common/zod-validation";
import type { User } from "../generated/prisma/client";
import { AuthService } from "./auth.service";
import { CurrentUser, type AuthenticatedRequest } from "./current-user.decorator";
import { loginCookieName, loginCookieOptions } from "./login-cookie";
import { PublicRoute } from "./public-route.decorator";

function toMe(user: User): TMeResponse {
  return { id: user.id, name: user.name, provider: user.provider, role: user.role };
}

@Controller("api")
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @PublicRoute()
  @Post("auth/guest")
  @HttpCode(200)
  async guestLogin(@Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<TMeResponse> {
    const { name } = parseBody(ZGuestLoginRequest, body);
    const { token, user } = await this.auth.loginAsGuest(name);
    res.cookie(loginCookieName(this.config), token, loginCookieOptions(this.config));
    return toMe(user);
  }

  @PublicRoute()
  @Post("auth/logout")
  @HttpCode(204)
  async logout(@Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response): Promise<void> {
    const name = loginCookieName(this.config);
    const token = (req.cookies as Record<string, string> | undefined)?.[name];
    if (token) await this.auth.logout(token);
    res.clearCookie(name, { ...loginCookieOptions(this.config), maxAge: undefined });
  }

  @Get("me")
  me(@CurrentUser() user: User): TMeResponse {
    return toMe(user);
  }
}

import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from "@nestjs/common";
import { ZAdminExtendRequest, ZAdminSessionQuery, type TAdminSession, type TAdminSessionList } from "@kubelab/shared";
import type { Request } from "express";
import { CurrentUser } from "../auth/current-user.decorator";
import { RequireRole } from "../auth/require-role.decorator";
import { clientAddress } from "../common/request-origin";
import { parseBody, parseQuery } from "../common/zod-validation";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import type { User } from "../generated/prisma/client";
import { AdminSessions } from "./admin-sessions.service";

@Controller("api/admin/sessions")
@RequireRole("admin")
export class AdminSessionsController {
  constructor(
    private readonly sessions: AdminSessions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  list(@Query() query: unknown): Promise<TAdminSessionList> {
    return this.sessions.list(parseQuery(ZAdminSessionQuery, query));
  }

  @Post(":id/end")
  @HttpCode(204)
  end(@CurrentUser() admin: User, @Param("id") id: string, @Req() req: Request): Promise<void> {
    return this.sessions.end(admin, id, clientAddress(req, this.config));
  }

  @Post(":id/extend")
  @HttpCode(200)
  extend(
    @CurrentUser() admin: User,
    @Param("id") id: string,
    @Body() body: unknown,
    @Req() req: Request,
  ): Promise<TAdminSession> {
    const { minutes } = parseBody(ZAdminExtendRequest, body ?? {});
    return this.sessions.extend(admin, id, minutes, clientAddress(req, this.config));
  }
}

import { Body, Controller, Get, Inject, Param, Patch, Query, Req } from "@nestjs/common";
import type { Request } from "express";
import { ZAdminUserQuery, ZAdminUserUpdate, type TAdminUser, type TAdminUserList } from "@kubelab/shared";
import { clientAddress } from "../common/request-origin";
import { parseBody, parseQuery } from "../common/zod-validation";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import type { User } from "../generated/prisma/client";
import { AdminUsersService } from "./admin-users.service";
import { CurrentUser } from "./current-user.decorator";
import { RequireRole } from "./require-role.decorator";

@Controller("api/admin/users")
@RequireRole("admin")
export class AdminUsersController {
  constructor(
    private readonly users: AdminUsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  list(@Query() query: unknown): Promise<TAdminUserList> {
    return this.users.list(parseQuery(ZAdminUserQuery, query));
  }

  @Get(":id")
  get(@Param("id") id: string): Promise<TAdminUser> {
    return this.users.get(id);
  }

  @Patch(":id")
  update(
    @CurrentUser() admin: User,
    @Param("id") id: string,
    @Body() body: unknown,
    @Req() req: Request,
  ): Promise<TAdminUser> {
    return this.users.update(admin, id, parseBody(ZAdminUserUpdate, body), clientAddress(req, this.config));
  }
}

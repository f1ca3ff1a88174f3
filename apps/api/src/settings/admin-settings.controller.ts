import { Body, Controller, Get, Inject, Put, Req } from "@nestjs/common";
import { ZAdminSettingsUpdate, type TAdminSettings } from "@kubelab/shared";
import type { Request } from "express";
import { CurrentUser } from "../auth/current-user.decorator";
import { RequireRole } from "../auth/require-role.decorator";
import { clientAddress } from "../common/request-origin";
import { parseBody } from "../common/zod-validation";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import type { User } from "../generated/prisma/client";
import { SettingsService } from "./settings.service";

/** The admin console's settings: what is in force and where it comes from; changes without a restart. */
@Controller("api/admin/settings")
@RequireRole("admin")
export class AdminSettingsController {
  constructor(
    private readonly settings: SettingsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  get(): TAdminSettings {
    return this.settings.view();
  }

  @Put()
  update(@CurrentUser() admin: User, @Body() body: unknown, @Req() req: Request): Promise<TAdminSettings> {
    return this.settings.update(admin, parseBody(ZAdminSettingsUpdate, body), clientAddress(req, this.config));
  }
}

import { Controller, Delete, HttpCode, Inject, Param, Post, Req } from "@nestjs/common";
import type { TEventBulkResult, TSession } from "@kubelab/shared";
import { CurrentUser } from "../auth/current-user.decorator";
import { RequireRole } from "../auth/require-role.decorator";
import { clientAddress } from "../common/request-origin";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import type { User } from "../generated/prisma/client";
import type { Request } from "express";
import { EventRoomActions } from "./event-room-actions.service";

/** The room's actions on attendees' sessions: the event's instructors and admins only. */
@Controller("api/events/:id/sessions")
@RequireRole("instructor", "admin")
export class EventRoomActionsController {
  constructor(
    private readonly actions: EventRoomActions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post("extend")
  @HttpCode(200)
  extendAll(@CurrentUser() user: User, @Param("id") id: string, @Req() req: Request): Promise<TEventBulkResult> {
    return this.actions.extendAll(user, id, clientAddress(req, this.config));
  }

  @Post("end")
  @HttpCode(200)
  endAll(@CurrentUser() user: User, @Param("id") id: string, @Req() req: Request): Promise<TEventBulkResult> {
    return this.actions.endAll(user, id, clientAddress(req, this.config));
  }

  @Delete(":sessionId")
  @HttpCode(204)
  async endOne(
    @CurrentUser() user: User,
    @Param("id") id: string,
    @Param("sessionId") sessionId: string,
    @Req() req: Request,
  ): Promise<void> {
    await this.actions.endOne(user, id, sessionId, clientAddress(req, this.config));
  }

  /** 201 with the attendee's new session. */
  @Post(":sessionId/reset")
  reset(
    @CurrentUser() user: User,
    @Param("id") id: string,
    @Param("sessionId") sessionId: string,
    @Req() req: Request,
  ): Promise<TSession> {
    return this.actions.reset(user, id, sessionId, clientAddress(req, this.config));
  }
}

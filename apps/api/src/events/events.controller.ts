import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Req, Res } from "@nestjs/common";
import type { Request, Response } from "express";
import {
  ZEventCreate,
  ZEventJoinRequest,
  ZEventUpdate,
  type TEvent,
  type TEventJoinResponse,
  type TEventList,
} from "@kubelab/shared";
import type { AuthenticatedRequest } from "../auth/current-user.decorator";
import { PublicRoute } from "../auth/public-route.decorator";
import { CurrentUser } from "../auth/current-user.decorator";
import { RequireRole } from "../auth/require-role.decorator";
import { clientAddress } from "../common/request-origin";
import { parseBody } from "../common/zod-validation";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import type { User } from "../generated/prisma/client";
import { EventJoinService } from "./event-join.service";
import { EventsService } from "./events.service";

/** Classroom events. Who sees which event is decided in access/event-access-rules.ts. */
@Controller("api/events")
@RequireRole("instructor", "admin")
export class EventsController {
  constructor(
    private readonly events: EventsService,
    private readonly joins: EventJoinService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Attendees: a code (and a name, for a guest) becomes their session in the event. */
  @PublicRoute()
  @Post("join")
  @HttpCode(200)
  join(
    @Req() req: Request,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TEventJoinResponse> {
    return this.joins.join(req, res, parseBody(ZEventJoinRequest, body), (req as AuthenticatedRequest).user ?? null);
  }

  @Get()
  list(@CurrentUser() user: User): Promise<TEventList> {
    return this.events.list(user);
  }

  @Post()
  create(@CurrentUser() user: User, @Body() body: unknown, @Req() req: Request): Promise<TEvent> {
    return this.events.create(user, parseBody(ZEventCreate, body), clientAddress(req, this.config));
  }

  @Get(":id")
  get(@CurrentUser() user: User, @Param("id") id: string): Promise<TEvent> {
    return this.events.get(user, id);
  }

  @Patch(":id")
  update(
    @CurrentUser() user: User,
    @Param("id") id: string,
    @Body() body: unknown,
    @Req() req: Request,
  ): Promise<TEvent> {
    return this.events.update(user, id, parseBody(ZEventUpdate, body), clientAddress(req, this.config));
  }

  /** Ends the event now: its attendees' sessions end, its reserved sessions go. */
  @Post(":id/end")
  @HttpCode(200)
  end(@CurrentUser() user: User, @Param("id") id: string, @Req() req: Request): Promise<TEvent> {
    return this.events.end(user, id, clientAddress(req, this.config));
  }

  @Delete(":id")
  @HttpCode(204)
  async delete(@CurrentUser() user: User, @Param("id") id: string, @Req() req: Request): Promise<void> {
    await this.events.delete(user, id, clientAddress(req, this.config));
  }
}

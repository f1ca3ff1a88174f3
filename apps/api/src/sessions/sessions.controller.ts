import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from "@nestjs/common";
import {
  ZCreateSessionRequest,
  ZExtendSessionRequest,
  type TSession,
  type TSessionList,
  type TSessionUsage,
} from "@kubelab/shared";
import { CurrentUser } from "../auth/current-user.decorator";
import { AppError } from "../common/app-error";
import { parseBody } from "../common/zod-validation";
import { EventJoinService } from "../events/event-join.service";
import type { User } from "../generated/prisma/client";
import { SessionsService } from "./sessions.service";

@Controller("api/sessions")
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly eventJoins: EventJoinService,
  ) {}

  @Post()
  async create(@CurrentUser() user: User, @Body() body: unknown): Promise<TSession> {
    const request = parseBody(ZCreateSessionRequest, body);
    // A guest logged in by an event join starts only its event's session (event-access-rules.ts).
    const inEvent = await this.eventJoins.startForEventGuest(user, request.lesson);
    return inEvent ?? this.sessions.create(user, request.lesson, request.rejoinQueue);
  }

  @Get()
  async list(@CurrentUser() user: User): Promise<TSessionList> {
    return { sessions: await this.sessions.list(user) };
  }

  @Get(":id")
  get(@CurrentUser() user: User, @Param("id") id: string): Promise<TSession> {
    return this.sessions.get(user, id);
  }

  /** Each node's latest memory and disk use against its limits (the lab page's meters). */
  @Get(":id/usage")
  usage(@CurrentUser() user: User, @Param("id") id: string): Promise<TSessionUsage> {
    return this.sessions.usage(user, id);
  }

  @Post(":id/extend")
  @HttpCode(200)
  extend(@CurrentUser() user: User, @Param("id") id: string, @Body() body: unknown): Promise<TSession> {
    parseBody(ZExtendSessionRequest, body);
    return this.sessions.extend(user, id);
  }

  /** `?ifQueued=true`: end it only while it is still queued (the lab page leaving the queue). */
  @Delete(":id")
  @HttpCode(204)
  delete(@CurrentUser() user: User, @Param("id") id: string, @Query("ifQueued") ifQueued?: string): Promise<void> {
    if (ifQueued !== undefined && ifQueued !== "true") {
      throw new AppError("bad_request", 'ifQueued must be "true" or left out', [
        { path: "ifQueued", message: 'only "true"' },
      ]);
    }
    return this.sessions.delete(user, id, { onlyIfQueued: ifQueued === "true" });
  }
}

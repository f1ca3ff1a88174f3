import { Body, Controller, Get, Param, Post } from "@nestjs/common";
import { ZBroadcastCreate, type TBroadcast, type TBroadcastList, type TSessionBroadcast } from "@kubelab/shared";
import { CurrentUser } from "../auth/current-user.decorator";
import { parseBody } from "../common/zod-validation";
import type { User } from "../generated/prisma/client";
import { EventBroadcasts } from "./event-broadcasts.service";

/** Broadcasts: written on the event (its instructors and admins), read on the attendee's session. */
@Controller("api")
export class EventBroadcastsController {
  constructor(private readonly broadcasts: EventBroadcasts) {}

  @Post("events/:id/broadcasts")
  send(@CurrentUser() user: User, @Param("id") id: string, @Body() body: unknown): Promise<TBroadcast> {
    return this.broadcasts.send(user, id, parseBody(ZBroadcastCreate, body));
  }

  @Get("events/:id/broadcasts")
  list(@CurrentUser() user: User, @Param("id") id: string): Promise<TBroadcastList> {
    return this.broadcasts.list(user, id);
  }

  @Get("sessions/:id/broadcast")
  latest(@CurrentUser() user: User, @Param("id") id: string): Promise<TSessionBroadcast> {
    return this.broadcasts.latestFor(user, id);
  }
}

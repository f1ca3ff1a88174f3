import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from "@nestjs/common";
import { ZEventCreate, ZEventUpdate, type TEvent, type TEventList } from "@kubelab/shared";
import { CurrentUser } from "../auth/current-user.decorator";
import { RequireRole } from "../auth/require-role.decorator";
import { parseBody } from "../common/zod-validation";
import type { User } from "../generated/prisma/client";
import { EventsService } from "./events.service";

/** Classroom events. Who sees which event is decided in access/event-access-rules.ts. */
@Controller("api/events")
@RequireRole("instructor", "admin")
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  list(@CurrentUser() user: User): Promise<TEventList> {
    return this.events.list(user);
  }

  @Post()
  create(@CurrentUser() user: User, @Body() body: unknown): Promise<TEvent> {
    return this.events.create(user, parseBody(ZEventCreate, body));
  }

  @Get(":id")
  get(@CurrentUser() user: User, @Param("id") id: string): Promise<TEvent> {
    return this.events.get(user, id);
  }

  @Patch(":id")
  update(@CurrentUser() user: User, @Param("id") id: string, @Body() body: unknown): Promise<TEvent> {
    return this.events.update(user, id, parseBody(ZEventUpdate, body));
  }

  @Delete(":id")
  @HttpCode(204)
  async delete(@CurrentUser() user: User, @Param("id") id: string): Promise<void> {
    await this.events.delete(user, id);
  }
}

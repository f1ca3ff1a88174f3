import { Controller, Delete, HttpCode, Param, Post } from "@nestjs/common";
import type { TEventBulkResult, TSession } from "@kubelab/shared";
import { CurrentUser } from "../auth/current-user.decorator";
import { RequireRole } from "../auth/require-role.decorator";
import type { User } from "../generated/prisma/client";
import { EventRoomActions } from "./event-room-actions.service";

/** The room's actions on attendees' sessions: the event's instructors and admins only. */
@Controller("api/events/:id/sessions")
@RequireRole("instructor", "admin")
export class EventRoomActionsController {
  constructor(private readonly actions: EventRoomActions) {}

  @Post("extend")
  @HttpCode(200)
  extendAll(@CurrentUser() user: User, @Param("id") id: string): Promise<TEventBulkResult> {
    return this.actions.extendAll(user, id);
  }

  @Post("end")
  @HttpCode(200)
  endAll(@CurrentUser() user: User, @Param("id") id: string): Promise<TEventBulkResult> {
    return this.actions.endAll(user, id);
  }

  @Delete(":sessionId")
  @HttpCode(204)
  async endOne(
    @CurrentUser() user: User,
    @Param("id") id: string,
    @Param("sessionId") sessionId: string,
  ): Promise<void> {
    await this.actions.endOne(user, id, sessionId);
  }

  /** 201 with the attendee's new session. */
  @Post(":sessionId/reset")
  reset(@CurrentUser() user: User, @Param("id") id: string, @Param("sessionId") sessionId: string): Promise<TSession> {
    return this.actions.reset(user, id, sessionId);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Post } from "@nestjs/common";
import { ZHelpRequestCreate, type TMyHelp, type TMyHelpRequest, type TRoomHelpRequest } from "@kubelab/shared";
import { CurrentUser } from "../auth/current-user.decorator";
import { parseBody } from "../common/zod-validation";
import type { User } from "../generated/prisma/client";
import { HelpRequests } from "./help-requests.service";

/**
 * Raised hands: the attendee's routes on their session, the instructor's on the event (who may do
 * what: SessionAccess for the session owner, access/event-access-rules.ts for the event).
 */
@Controller("api")
export class HelpRequestsController {
  constructor(private readonly help: HelpRequests) {}

  @Post("sessions/:id/help")
  raise(@CurrentUser() user: User, @Param("id") id: string, @Body() body: unknown): Promise<TMyHelpRequest> {
    return this.help.raise(user, id, parseBody(ZHelpRequestCreate, body));
  }

  @Get("sessions/:id/help")
  get(@CurrentUser() user: User, @Param("id") id: string): Promise<TMyHelp> {
    return this.help.get(user, id);
  }

  @Delete("sessions/:id/help")
  @HttpCode(204)
  async withdraw(@CurrentUser() user: User, @Param("id") id: string): Promise<void> {
    await this.help.withdraw(user, id);
  }

  @Post("events/:id/help/:requestId/claim")
  @HttpCode(200)
  claim(
    @CurrentUser() user: User,
    @Param("id") id: string,
    @Param("requestId") requestId: string,
  ): Promise<TRoomHelpRequest> {
    return this.help.claim(user, id, requestId);
  }

  @Post("events/:id/help/:requestId/resolve")
  @HttpCode(204)
  async resolve(
    @CurrentUser() user: User,
    @Param("id") id: string,
    @Param("requestId") requestId: string,
  ): Promise<void> {
    await this.help.resolve(user, id, requestId);
  }
}

import { Body, Controller, Get, Param, Put } from "@nestjs/common";
import { ZTakeoverSetting, type TTakeoverSetting, type TWatchTargets } from "@kubelab/shared";
import { CurrentUser } from "../auth/current-user.decorator";
import { parseBody } from "../common/zod-validation";
import type { User } from "../generated/prisma/client";
import { TerminalWatch } from "./terminal-watch.service";

/**
 * Watching: the instructor's list of an attendee's terminals (the watch WebSocket itself is an
 * upgrade, TerminalUpgradeHandler), and the attendee's take-over switch on their session.
 */
@Controller("api")
export class TerminalWatchController {
  constructor(private readonly watch: TerminalWatch) {}

  @Get("events/:id/sessions/:sessionId/terminals")
  targets(
    @CurrentUser() user: User,
    @Param("id") id: string,
    @Param("sessionId") sessionId: string,
  ): Promise<TWatchTargets> {
    return this.watch.targets(user, id, sessionId);
  }

  @Get("sessions/:id/takeover")
  takeover(@CurrentUser() user: User, @Param("id") id: string): Promise<TTakeoverSetting> {
    return this.watch.takeover(user, id);
  }

  @Put("sessions/:id/takeover")
  setTakeover(@CurrentUser() user: User, @Param("id") id: string, @Body() body: unknown): Promise<TTakeoverSetting> {
    return this.watch.setTakeover(user, id, parseBody(ZTakeoverSetting, body));
  }
}

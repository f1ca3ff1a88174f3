import { Body, Controller, Get, Inject, Param, Put, Query, Req, Res } from "@nestjs/common";
import {
  safeNextPath,
  ZNodeName,
  ZPortNumber,
  ZSetPortVisibilityRequest,
  type TPortEntry,
  type TPortList,
} from "@kubelab/shared";
import type { Request, Response } from "express";
import { SessionAccess } from "../access/session-access.service";
import { isSessionReady } from "../access/session-access-rules";
import { CurrentUser } from "../auth/current-user.decorator";
import { AppError } from "../common/app-error";
import { openEventStream } from "../common/event-stream";
import { clientAddress } from "../common/request-origin";
import { parseBody } from "../common/zod-validation";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import type { User } from "../generated/prisma/client";
import { portHostOrigin, type PortAddress } from "./port-address";
import { AUTH_PATH } from "./port-http.gateway";
import { PortTokens, TICKET_SECONDS } from "./port-tokens";
import { PortWatcher } from "./port-watcher.service";
import { PortsService } from "./ports.service";

@Controller("api/sessions/:id")
export class PortsController {
  constructor(
    private readonly ports: PortsService,
    private readonly access: SessionAccess,
    private readonly watcher: PortWatcher,
    private readonly tokens: PortTokens,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get("ports")
  list(@CurrentUser() user: User, @Param("id") id: string): Promise<TPortList> {
    return this.ports.list(user, id);
  }

  /** Server-sent events: the full port list, first at once, then whenever it changes. */
  @Get("ports/events")
  async events(@CurrentUser() user: User, @Param("id") id: string, @Res() res: Response): Promise<void> {
    const session = await this.access.session(user, id);
    const stream = openEventStream(res);
    if (!isSessionReady(session)) {
      stream.send("ports", await this.ports.build(session.id, []));
      stream.end();
      return;
    }
    const stop = this.watcher.watch(session.id, {
      changed: (detected) => {
        this.ports.build(session.id, detected).then(
          (list) => stream.send("ports", list),
          () => res.destroy(),
        );
      },
      ended: (reason) => {
        stream.send("ended", { reason });
        stream.end();
      },
    });
    stream.onClose(stop);
  }

  @Put("nodes/:node/ports/:port")
  setVisibility(
    @CurrentUser() user: User,
    @Param("id") id: string,
    @Param("node") node: string,
    @Param("port") port: string,
    @Body() body: unknown,
    @Req() req: Request,
  ): Promise<TPortEntry> {
    const address = this.address(id, node, port);
    return this.ports.setPublic(
      user,
      id,
      address.node,
      address.port,
      parseBody(ZSetPortVisibilityRequest, body).public,
      clientAddress(req, this.config),
    );
  }

  /**
   * The way into a private port's host: the platform knows the login, the port
   * host does not, so this mints a 60-second ticket the port host trades for
   * its own cookie.
   */
  @Get("nodes/:node/ports/:port/open")
  async open(
    @CurrentUser() user: User,
    @Param("id") id: string,
    @Param("node") node: string,
    @Param("port") port: string,
    @Query("path") path: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const address = this.address(id, node, port);
    await this.access.node(user, id, address.node, "manage");
    const ticket = this.tokens.sign("ticket", user.id, address, new Date(Date.now() + TICKET_SECONDS * 1000));
    const target = new URL(AUTH_PATH, portHostOrigin(this.config, address));
    target.searchParams.set("ticket", ticket);
    target.searchParams.set("next", safeNextPath(typeof path === "string" ? path : null, { loopPath: AUTH_PATH }));
    res.setHeader("cache-control", "no-store");
    res.redirect(302, target.href);
  }

  private address(sessionId: string, node: string, port: string): PortAddress {
    if (!ZNodeName.safeParse(node).success) throw new AppError("not_found", `This session has no node "${node}"`);
    const number = ZPortNumber.safeParse(port);
    if (!number.success || !/^[0-9]+$/.test(port)) {
      throw new AppError("bad_request", "The port must be a number from 1 to 65535");
    }
    return { sessionId, node, port: number.data };
  }
}

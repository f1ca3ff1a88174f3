import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { Inject, Injectable, Logger } from "@nestjs/common";
import { TERMINAL_MAX_FRAME_BYTES, ZTerminalConnectQuery, type TTerminalConnectQuery } from "@kubelab/shared";
import { type WebSocket, WebSocketServer } from "ws";
import { SessionAccess } from "../access/session-access.service";
import { RequestAuth } from "../auth/request-auth.service";
import { AppError } from "../common/app-error";
import { ErrorRenderer } from "../common/error-renderer.service";
import { clientAddress } from "../common/request-origin";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import type { User } from "../generated/prisma/client";
import { TerminalRegistry, type TerminalTarget } from "./terminal-registry.service";
import { TerminalWatch } from "./terminal-watch.service";

const TERMINAL_PATH = /^\/api\/sessions\/([^/]+)\/nodes\/([^/]+)\/terminal$/;
const WATCH_PATH = /^\/api\/events\/([^/]+)\/sessions\/([^/]+)\/nodes\/([^/]+)\/watch$/;

/**
 * Handles the terminal WebSockets: `GET /api/sessions/:id/nodes/:node/terminal` (the attendee's
 * own) and `GET /api/events/:id/sessions/:sessionId/nodes/:node/watch` (an event's instructor,
 * read-only until a take-over). Every check (route, Origin, login, then the route's own: ownership
 * or the event's instructor, node, limits) happens before the WebSocket handshake, so a refused
 * request never starts or touches a shell and gets a plain HTTP error with the API's JSON body.
 */
@Injectable()
export class TerminalUpgradeHandler {
  private readonly logger = new Logger("TerminalUpgrade");
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: TERMINAL_MAX_FRAME_BYTES });

  constructor(
    private readonly requests: RequestAuth,
    private readonly access: SessionAccess,
    private readonly errors: ErrorRenderer,
    private readonly registry: TerminalRegistry,
    private readonly watch: TerminalWatch,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `handledElsewhere`: upgrades another handler on the same server answers (port proxy). */
  listen(server: Server, handledElsewhere: (req: IncomingMessage) => boolean = () => false): void {
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (handledElsewhere(req)) return;
      this.handle(req, socket, head).catch((error: unknown) => this.errors.socket(req, socket, error));
    });
  }

  close(): void {
    this.wss.close();
  }

  private async handle(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? "/", "http://upgrade.invalid");
    const terminal = TERMINAL_PATH.exec(url.pathname);
    const watch = terminal ? null : WATCH_PATH.exec(url.pathname);
    if (!terminal && !watch) throw new AppError("not_found", "No such endpoint");
    // Cross-site WebSocket hijacking: browsers send the page's origin; only our own is accepted.
    this.requests.requireOrigin(
      req,
      [this.requests.platformOrigin()],
      "refuse",
      (sender) =>
        new AppError("forbidden", `Origin ${"origin" in sender ? sender.origin : "(none)"} may not open terminals`),
    );
    const user = await this.requests.requireUser(req);
    const query = ZTerminalConnectQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!query.success) {
      throw new AppError(
        "bad_request",
        `Invalid query: ${query.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      );
    }
    const params = (terminal ?? watch)!.slice(1).map((p) => decodeURIComponent(p));
    if (terminal) await this.openTerminal(req, socket, head, user, params, query.data);
    else await this.openWatch(req, socket, head, user, params, query.data);
  }

  private async openTerminal(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    user: User,
    [sessionId, nodeName]: string[],
    query: TTerminalConnectQuery,
  ): Promise<void> {
    const { session, node } = await this.access.node(user, sessionId!, nodeName!, "terminal");
    const target: TerminalTarget = {
      sessionId: session.id,
      node: node.name,
      containerId: node.containerId!,
      terminalId: query.terminal,
    };
    if (
      !this.registry.exists(target) &&
      this.registry.countForNode(session.id, node.name) >= this.config.terminals.maxPerNode
    ) {
      throw new AppError(
        "quota_exceeded",
        `${node.name} already has ${this.config.terminals.maxPerNode} terminals; close one first`,
      );
    }
    const size = query.cols && query.rows ? { cols: query.cols, rows: query.rows } : undefined;
    this.upgrade(req, socket, head, (ws) => {
      this.registry.attach(target, ws, query.resume, size).catch((error: unknown) => {
        this.logger.warn(
          `Terminal ${session.id}/${node.name}/${target.terminalId} failed: ${(error as Error).message}`,
        );
        ws.close(1011, "the terminal could not be started");
      });
    });
  }

  /** A watcher's size is ignored (the screen is the attendee's); `resume` works as on terminals. */
  private async openWatch(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    user: User,
    [eventId, sessionId, nodeName]: string[],
    query: TTerminalConnectQuery,
  ): Promise<void> {
    const checked = await this.watch.check(
      user,
      eventId!,
      sessionId!,
      nodeName!,
      query.terminal,
      clientAddress(req, this.config),
    );
    this.upgrade(req, socket, head, (ws) => this.watch.attach(checked, ws, query.resume));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, then: (ws: WebSocket) => void): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // Protocol violations (e.g. a frame over the size limit) arrive as 'error'
      // events; ws closes the socket with the matching code by itself. Without a
      // listener they would crash the whole server.
      ws.on("error", (error) => this.logger.debug(`Terminal socket error: ${error.message}`));
      then(ws);
    });
  }
}

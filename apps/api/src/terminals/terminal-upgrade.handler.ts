import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { Inject, Injectable, Logger } from "@nestjs/common";
import { TERMINAL_MAX_FRAME_BYTES, ZTerminalConnectQuery } from "@kubelab/shared";
import { WebSocketServer } from "ws";
import { SessionAccess } from "../access/session-access.service";
import { RequestAuth } from "../auth/request-auth.service";
import { AppError } from "../common/app-error";
import { ErrorRenderer } from "../common/error-renderer.service";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { TerminalRegistry, type TerminalTarget } from "./terminal-registry.service";

const TERMINAL_PATH = /^\/api\/sessions\/([^/]+)\/nodes\/([^/]+)\/terminal$/;

/**
 * Handles `GET /api/sessions/:id/nodes/:node/terminal` upgrades. Every check
 * (route, Origin, login, ownership, node, limits) happens before the
 * WebSocket handshake, so a refused request never starts a shell and gets a
 * plain HTTP error with the API's JSON body.
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
    const match = TERMINAL_PATH.exec(url.pathname);
    if (!match) throw new AppError("not_found", "No such endpoint");
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
    const { session, node } = await this.access.node(
      user,
      decodeURIComponent(match[1]!),
      decodeURIComponent(match[2]!),
      "terminal",
    );
    const target: TerminalTarget = {
      sessionId: session.id,
      node: node.name,
      containerId: node.containerId!,
      terminalId: query.data.terminal,
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
    const size = query.data.cols && query.data.rows ? { cols: query.data.cols, rows: query.data.rows } : undefined;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // Protocol violations (e.g. a frame over the size limit) arrive as 'error'
      // events; ws closes the socket with the matching code by itself. Without a
      // listener they would crash the whole server.
      ws.on("error", (error) => this.logger.debug(`Terminal socket error: ${error.message}`));
      this.registry.attach(target, ws, query.data.resume, size).catch((error: unknown) => {
        this.logger.warn(
          `Terminal ${session.id}/${node.name}/${target.terminalId} failed: ${(error as Error).message}`,
        );
        ws.close(1011, "the terminal could not be started");
      });
    });
  }
}

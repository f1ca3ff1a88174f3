import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { Inject, Injectable, Logger } from "@nestjs/common";
import { TERMINAL_MAX_FRAME_BYTES, ZNodeName, ZTerminalConnectQuery, type TApiErrorCode } from "@kubelab/shared";
import { WebSocketServer } from "ws";
import { AuthService } from "../auth/auth.service";
import { readLoginToken } from "../auth/login-cookie";
import { AppError, HTTP_STATUS_BY_CODE } from "../common/app-error";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { SessionsService } from "../sessions/sessions.service";
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
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    private readonly registry: TerminalRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `handledElsewhere`: upgrades another handler on the same server answers (port proxy). */
  listen(server: Server, handledElsewhere: (req: IncomingMessage) => boolean = () => false): void {
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (handledElsewhere(req)) return;
      this.handle(req, socket, head).catch((error: unknown) => {
        if (error instanceof AppError) {
          refuse(socket, error.code, error.message);
        } else {
          this.logger.error("Terminal upgrade failed", (error as Error).stack);
          refuse(socket, "internal_error", "Something went wrong on the server");
        }
      });
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
    if (req.headers.origin !== this.config.server.publicUrl.origin) {
      throw new AppError("forbidden", `Origin ${req.headers.origin ?? "(none)"} may not open terminals`);
    }
    const token = readLoginToken(req, this.config);
    const user = token ? await this.auth.userForToken(token) : null;
    if (!user) throw new AppError("unauthenticated", "Log in first");

    const query = ZTerminalConnectQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!query.success) {
      throw new AppError(
        "bad_request",
        `Invalid query: ${query.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      );
    }
    const session = await this.sessions.requireOwned(user, decodeURIComponent(match[1]!));
    const nodeName = decodeURIComponent(match[2]!);
    const node = ZNodeName.safeParse(nodeName).success ? session.nodes.find((n) => n.name === nodeName) : undefined;
    if (!node) throw new AppError("not_found", `This session has no node "${nodeName}"`);
    if (session.status !== "ready" || !node.containerId) {
      throw new AppError("session_not_active", `The session is ${session.status}; terminals open once it is ready`);
    }
    const target: TerminalTarget = {
      sessionId: session.id,
      node: node.name,
      containerId: node.containerId,
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

function refuse(socket: Duplex, code: TApiErrorCode, message: string): void {
  const status = HTTP_STATUS_BY_CODE[code];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${statusText(status)}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function statusText(status: number): string {
  const texts: Record<number, string> = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
  };
  return texts[status] ?? "Error";
}

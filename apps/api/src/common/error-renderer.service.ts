import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { Inject, Injectable, Logger } from "@nestjs/common";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { ERROR_PAGE_CSP, errorPage, errorReplyOf, prefersJson, rawErrorResponse, type ErrorReply } from "./error-reply";
import { requestIdOf } from "./request-origin";

export interface RenderOptions {
  /** "json": API routes; "negotiate": pages people open (port proxy), HTML unless JSON is asked for. */
  format?: "json" | "negotiate";
  /** The error page reloads itself (waiting may help: the app is not listening yet). */
  retry?: boolean;
  /** What failed underneath, when `error` is the user-facing summary of it; logged, never sent. */
  cause?: unknown;
}

// The user's own app being down or odd is routine, not a server problem.
const ROUTINE_CODES = new Set(["port_closed", "port_bad_response"]);

/**
 * The one way errors leave the server, for Nest routes (via the exception
 * filter) and for the paths outside Nest (port proxy, WebSocket upgrades).
 * Every error response carries X-Request-Id, and the log line for it names
 * the same id, so a user's report can be matched to the server's log.
 */
@Injectable()
export class ErrorRenderer {
  private readonly logger = new Logger("HTTP");

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Answers an HTTP request with the error (or, if the response has begun, cuts it off). */
  http(req: IncomingMessage, res: ServerResponse, error: unknown, options: RenderOptions = {}): void {
    const { reply, requestId } = this.prepare(req, error, options.cause);
    if (res.headersSent) {
      if (!res.writableEnded) res.destroy();
      return;
    }
    res.setHeader("x-request-id", requestId);
    res.setHeader("cache-control", "no-store");
    if (reply.retryAfterSeconds !== undefined) {
      res.setHeader("retry-after", String(Math.ceil(reply.retryAfterSeconds)));
    }
    if (options.format === "negotiate" && !prefersJson(req)) {
      // Our own page needs no scripts at all.
      res.setHeader("content-security-policy", ERROR_PAGE_CSP);
      send(res, reply.status, "text/html; charset=utf-8", errorPage(reply.body.error.message, options.retry ?? false));
      return;
    }
    send(res, reply.status, "application/json; charset=utf-8", JSON.stringify(reply.body));
  }

  /** Refuses an Upgrade request on its raw socket: a complete HTTP/1.1 response, then close. */
  socket(req: IncomingMessage, socket: Duplex, error: unknown, options: Pick<RenderOptions, "cause"> = {}): void {
    const { reply, requestId } = this.prepare(req, error, options.cause);
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(rawErrorResponse(reply, requestId));
  }

  private prepare(req: IncomingMessage, error: unknown, cause: unknown): { reply: ErrorReply; requestId: string } {
    const requestId = requestIdOf(req, this.config);
    const reply = errorReplyOf(error, requestId);
    // The path only: query strings may hold tickets.
    const path = (req.url ?? "/").split("?")[0];
    const line = `${req.method ?? "GET"} ${path} -> ${reply.status} ${reply.body.error.code} (request ${requestId})`;
    const { code, message } = reply.body.error;
    if (reply.unexpected) {
      this.logger.error(line, stackOf(cause ?? error));
    } else if (reply.status >= 500 && !ROUTINE_CODES.has(code)) {
      this.logger.warn(`${line}: ${message}${cause === undefined ? "" : ` (${messageOf(cause)})`}`);
    } else {
      this.logger.debug(`${line}: ${message}${cause === undefined ? "" : ` (${messageOf(cause)})`}`);
    }
    return { reply, requestId };
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function stackOf(error: unknown): string {
  return (error as Error | null)?.stack ?? String(error);
}

function messageOf(error: unknown): string {
  return (error as Error | null)?.message ?? String(error);
}

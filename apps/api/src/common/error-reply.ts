import { STATUS_CODES, type IncomingMessage } from "node:http";
import { HttpException } from "@nestjs/common";
import type { TApiErrorBody, TApiErrorCode } from "@kubelab/shared";
import { AppError, HTTP_STATUS_BY_CODE } from "./app-error";

/** What an error turns into on the wire, whichever path (Nest, port proxy, upgrade) it happened on. */
export interface ErrorReply {
  status: number;
  body: TApiErrorBody;
  retryAfterSeconds?: number;
  /** Not a failure we raised on purpose: a bug or an outage, logged with its stack. */
  unexpected: boolean;
}

// Framework-raised HTTP errors (unknown route, body too large, bad JSON) get a stable code too.
function codeForStatus(status: number): TApiErrorCode {
  if (status === 401) return "unauthenticated";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status === 413) return "payload_too_large";
  if (status === 503) return "no_capacity";
  if (status >= 400 && status < 500) return "bad_request";
  return "internal_error";
}

/**
 * Errors from Express's body parsers (http-errors): 413 over the size limit,
 * 400 for bad JSON, 415 for an unknown charset. They are the client's fault
 * and say so (`expose`); left alone they would end up as 500s.
 */
function bodyParserError(exception: unknown): { status: number; message: string } | undefined {
  const e = exception as { status?: unknown; expose?: unknown; type?: unknown; limit?: unknown } | null;
  if (typeof e?.status !== "number" || e.status < 400 || e.status >= 500 || e.expose !== true) return undefined;
  if (e.type === "entity.too.large" && typeof e.limit === "number") {
    return { status: 413, message: `The request body is larger than the limit of ${Math.round(e.limit / 1024)} KiB` };
  }
  return { status: e.status, message: (exception as Error).message };
}

/** Turns any thrown value into a status and the API's `{"error": {"code", "message"}}` body. */
export function errorReplyOf(error: unknown, requestId: string): ErrorReply {
  if (error instanceof AppError) {
    return {
      status: HTTP_STATUS_BY_CODE[error.code],
      body: { error: { code: error.code, message: error.message, details: error.details } },
      retryAfterSeconds: error.retryAfterSeconds,
      unexpected: false,
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const message = status === 404 ? "No such endpoint" : error.message;
    return { status, body: { error: { code: codeForStatus(status), message } }, unexpected: false };
  }
  const fromBodyParser = bodyParserError(error);
  if (fromBodyParser) {
    const { status, message } = fromBodyParser;
    return { status, body: { error: { code: codeForStatus(status), message } }, unexpected: false };
  }
  // The request id in the body lets a user quote it; the log line carries the same id and the stack.
  return {
    status: 500,
    body: { error: { code: "internal_error", message: "Something went wrong on the server", requestId } },
    unexpected: true,
  };
}

/**
 * HTML for people, JSON for programs: only a client that asks for JSON and
 * not for HTML gets JSON (browsers' page loads and plain links get the page).
 */
export function prefersJson(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? "";
  return accept.includes("application/json") && !accept.includes("text/html");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Our own error page (port proxy): no scripts; `retry` reloads it while waiting can help. */
export function errorPage(message: string, retry: boolean): string {
  const refresh = retry ? '<meta http-equiv="refresh" content="3">' : "";
  const hint = retry ? "<p>This page reloads every 3 seconds and shows the app as soon as it answers.</p>" : "";
  return `<!doctype html><html><head><meta charset="utf-8">${refresh}<title>Kubelab</title><style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}</style></head><body><h1>${escapeHtml(message)}</h1>${hint}</body></html>`;
}

export const ERROR_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'";

/** `HTTP/1.1 413 Payload Too Large`: Node's table knows every status the API sends (a unit test checks). */
export function statusLine(status: number): string {
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}`;
}

/** The complete response for a socket that never became HTTP in Node's hands (refused upgrades). */
export function rawErrorResponse(reply: ErrorReply, requestId: string): string {
  const body = JSON.stringify(reply.body);
  const lines = [
    statusLine(reply.status),
    "Content-Type: application/json; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "Cache-Control: no-store",
    `X-Request-Id: ${requestId}`,
    ...(reply.retryAfterSeconds !== undefined ? [`Retry-After: ${Math.ceil(reply.retryAfterSeconds)}`] : []),
    "Connection: close",
  ];
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}

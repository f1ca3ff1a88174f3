import { randomUUID } from "node:crypto";
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from "@nestjs/common";
import type { TApiErrorBody, TApiErrorCode } from "@kubelab/shared";
import type { Response } from "express";
import { AppError, HTTP_STATUS_BY_CODE } from "./app-error";

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

/** Turns every error into `{"error": {"code", "message"}}`; unknown ones into a 500 with a request id. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger("HTTP");

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    let status: number;
    let body: TApiErrorBody;
    const fromBodyParser = bodyParserError(exception);
    if (exception instanceof AppError) {
      status = HTTP_STATUS_BY_CODE[exception.code];
      body = { error: { code: exception.code, message: exception.message, details: exception.details } };
      if (exception.retryAfterSeconds !== undefined && !response.headersSent) {
        response.setHeader("Retry-After", String(Math.ceil(exception.retryAfterSeconds)));
      }
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      const message = status === 404 ? "No such endpoint" : exception.message;
      body = { error: { code: codeForStatus(status), message } };
    } else if (fromBodyParser) {
      status = fromBodyParser.status;
      body = { error: { code: codeForStatus(status), message: fromBodyParser.message } };
    } else {
      status = 500;
      const requestId = randomUUID();
      this.logger.error(`Unhandled error (request ${requestId})`, (exception as Error)?.stack ?? String(exception));
      body = { error: { code: "internal_error", message: "Something went wrong on the server", requestId } };
    }
    if (!response.headersSent) response.status(status).json(body);
  }
}

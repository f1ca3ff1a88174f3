import { AsyncLocalStorage } from "node:async_hooks";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AppConfig } from "../config/app-config";
import { REQUEST_ID_KEY, requestIdOf } from "./request-origin";

const context = new AsyncLocalStorage<{ requestId: string }>();

/** The id of the request being served by the current async call chain, if any (for log lines). */
export function currentRequestId(): string | undefined {
  return context.getStore()?.requestId;
}

/**
 * First middleware of all: gives every request its id (a trusted proxy's X-Request-Id, else a new
 * one), answers it as X-Request-Id, and runs the rest of the request inside a context where
 * log lines find it (LOG_FORMAT=json writes it as `requestId`).
 */
export function requestContext(
  config: AppConfig,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  return (req, res, next) => {
    const requestId = requestIdOf(req, config);
    (req as { [REQUEST_ID_KEY]?: string })[REQUEST_ID_KEY] = requestId;
    res.setHeader("x-request-id", requestId);
    context.run({ requestId }, next);
  };
}

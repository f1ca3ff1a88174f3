import type { ZodType } from "zod";
import { ApiError, readApiError } from "./api-error";

// The browser talks to the API on the same origin, so the HttpOnly login cookie
// goes along by itself and no token ever reaches JavaScript.

let serverClockOffsetMs = 0;

/** Milliseconds to add to Date.now() to get the server's clock (from the Date header; ±1 s). */
export function serverNow(): number {
  return Date.now() + serverClockOffsetMs;
}

function trackServerClock(response: Response): void {
  const date = response.headers.get("date");
  const serverTime = date ? Date.parse(date) : NaN;
  // Countdowns are computed locally; a classroom laptop's clock can be minutes off.
  if (!Number.isNaN(serverTime)) serverClockOffsetMs = serverTime + 500 - Date.now();
}

async function send(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? { accept: "application/json" } : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, "network_error", error instanceof Error ? error.message : String(error));
  }
  trackServerClock(response);
  if (!response.ok) throw await readApiError(response);
  return response;
}

/** Calls the API and parses the answer with a shared schema; throws ApiError on failure. */
export async function apiRequest<T>(
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  path: `/api/${string}`,
  schema: ZodType<T>,
  options: { body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const response = await send(method, path, options.body, options.signal);
  const parsed = schema.safeParse(await response.json());
  if (!parsed.success) throw new ApiError(response.status, "bad_response", `Unexpected response from ${path}`);
  return parsed.data;
}

/** For endpoints that answer 204 without a body. */
export async function apiRequestNoContent(
  method: "POST" | "DELETE",
  path: `/api/${string}`,
  options: { body?: unknown; signal?: AbortSignal } = {},
): Promise<void> {
  await send(method, path, options.body, options.signal);
}

import { parseRetryAfter } from "../events/join-code";

/** One `details` entry of an error body: which field, and the server's words about it. */
export interface ApiErrorDetail {
  path: string;
  message: string;
}

// One error type for API failures, shared by server components and the browser.
// The code is kept as a plain string: the server may add codes before this app
// knows them, and an unknown code must still show the server's message.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The body's `details` (e.g. an event's start for `event_not_started`). */
    readonly details: readonly ApiErrorDetail[] = [],
    /** From a 429's Retry-After header, in seconds. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

function readDetails(raw: unknown): ApiErrorDetail[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((d: unknown) =>
    typeof d === "object" && d !== null && "path" in d && "message" in d
      ? [{ path: String(d.path), message: String(d.message) }]
      : [],
  );
}

/** Reads `{"error": {"code", "message", "details"?}}` from a failed response, or describes the status when the body is not JSON. */
export async function readApiError(response: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const retryAfter = parseRetryAfter(response.headers.get("retry-after"), Date.now());
  const error = typeof body === "object" && body !== null && "error" in body ? body.error : undefined;
  if (typeof error === "object" && error !== null && "code" in error && "message" in error) {
    const details = "details" in error ? readDetails(error.details) : [];
    return new ApiError(response.status, String(error.code), String(error.message), details, retryAfter);
  }
  return new ApiError(
    response.status,
    "http_error",
    `HTTP ${response.status} ${response.statusText}`.trim(),
    [],
    retryAfter,
  );
}

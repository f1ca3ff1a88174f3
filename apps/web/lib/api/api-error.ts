// One error type for API failures, shared by server components and the browser.
// The code is kept as a plain string: the server may add codes before this app
// knows them, and an unknown code must still show the server's message.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Reads `{"error": {"code", "message"}}` from a failed response, or describes the status when the body is not JSON. */
export async function readApiError(response: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const error = typeof body === "object" && body !== null && "error" in body ? body.error : undefined;
  if (typeof error === "object" && error !== null && "code" in error && "message" in error) {
    return new ApiError(response.status, String(error.code), String(error.message));
  }
  return new ApiError(response.status, "http_error", `HTTP ${response.status} ${response.statusText}`.trim());
}

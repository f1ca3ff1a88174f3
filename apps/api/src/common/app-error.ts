import type { TApiErrorCode } from "@kubelab/shared";

/** A failure the user can act on. Domain code throws these; HTTP mapping lives in the filter. */
export class AppError extends Error {
  constructor(
    readonly code: TApiErrorCode,
    message: string,
    readonly details?: { path: string; message: string }[],
    /** Sent as Retry-After (rate limits). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const HTTP_STATUS_BY_CODE: Record<TApiErrorCode, number> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  guest_login_disabled: 403,
  not_found: 404,
  conflict: 409,
  quota_exceeded: 409,
  guest_address_quota: 409,
  extension_limit: 409,
  session_not_active: 409,
  already_queued: 409,
  event_not_started: 409,
  event_ended: 410,
  event_full: 409,
  event_guest_only: 403,
  no_capacity: 503,
  payload_too_large: 413,
  upload_incomplete: 400,
  port_closed: 502,
  port_bad_response: 502,
  oauth_denied: 403,
  oauth_state_invalid: 400,
  oauth_provider_error: 502,
  account_banned: 403,
  rate_limited: 429,
  csrf_rejected: 403,
  cannot_modify_self: 409,
  engine_timeout: 504,
  engine_unavailable: 503,
  step_not_verified: 409,
  node_not_running: 409,
  check_in_progress: 429,
  internal_error: 500,
};

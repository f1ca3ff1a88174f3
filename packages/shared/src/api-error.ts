import { z } from "zod";

// Stable error codes: clients branch on these, never on messages.
export const ZApiErrorCode = z.enum([
  "bad_request",
  "unauthenticated",
  "forbidden",
  "not_found",
  "conflict",
  "quota_exceeded",
  "guest_address_quota",
  "extension_limit",
  "session_not_active",
  "no_capacity",
  "already_queued",
  "event_not_started",
  "event_ended",
  "event_full",
  "event_guest_only",
  "payload_too_large",
  "upload_incomplete",
  "guest_login_disabled",
  "port_closed",
  "port_bad_response",
  "oauth_denied",
  "oauth_state_invalid",
  "oauth_provider_error",
  "account_banned",
  "rate_limited",
  "csrf_rejected",
  "cannot_modify_self",
  "engine_timeout",
  "engine_unavailable",
  "step_not_verified",
  "node_not_running",
  "check_in_progress",
  "internal_error",
]);
export type TApiErrorCode = z.infer<typeof ZApiErrorCode>;

export const ZApiErrorBody = z.object({
  error: z.object({
    code: ZApiErrorCode,
    message: z.string(),
    requestId: z.string().optional(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type TApiErrorBody = z.infer<typeof ZApiErrorBody>;

import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Who may read /metrics on the main port:
 * - "off": neither METRICS_TOKEN nor METRICS_PORT is set. /metrics answers 404, as if it did not
 *   exist: the numbers (sessions, logins, events) describe the installation's users, and an
 *   operator who never asked for them should not publish them by default.
 * - "elsewhere": METRICS_PORT is set; the metrics live on that listener only (404 here), so a
 *   token-less port is never reachable through the public one.
 * - "token": a request needs `Authorization: Bearer <METRICS_TOKEN>`.
 */
export type MetricsAccess = "off" | "elsewhere" | "token";

export function metricsAccessOf(config: { token: string | undefined; port: number | undefined }): MetricsAccess {
  if (config.port !== undefined) return "elsewhere";
  return config.token === undefined ? "off" : "token";
}

/**
 * Whether an Authorization header carries the token. Both sides are hashed first, so the
 * comparison is constant-time whatever the lengths (timingSafeEqual needs equal lengths, and
 * comparing lengths first would tell how long the token is).
 */
export function bearerMatches(header: string | string[] | undefined, token: string): boolean {
  if (typeof header !== "string") return false;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (!match) return false;
  const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest();
  return timingSafeEqual(digest(match[1]!), digest(token));
}

import type { IncomingMessage, ServerResponse } from "node:http";
import type { AppConfig } from "../config/app-config";

/**
 * Headers for the platform's own responses (API and web pages, static assets
 * included). Mounted after the port gateway, so apps behind the port proxy
 * keep exactly the headers they send.
 *
 * The CSP only forbids framing (and plugins, and <base> to other origins): a
 * script-src policy would need a per-request nonce threaded through Next.js's
 * inline scripts, which the custom server does not do. No page of Kubelab
 * frames another of its pages, so 'none' costs nothing.
 */
export function securityHeaders(
  config: AppConfig,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const headers: [string, string][] = [
    ["Content-Security-Policy", "frame-ancestors 'none'; object-src 'none'; base-uri 'self'"],
    // For browsers without CSP frame-ancestors.
    ["X-Frame-Options", "DENY"],
    ["X-Content-Type-Options", "nosniff"],
    ["Referrer-Policy", "strict-origin-when-cross-origin"],
  ];
  // Over plain http the header is ignored by browsers anyway; sending it would only mislead.
  if (config.server.publicUrl.protocol === "https:") {
    // No includeSubDomains: port hosts may live under a LAB_DOMAIN the operator serves differently.
    headers.push(["Strict-Transport-Security", "max-age=31536000"]);
  }
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

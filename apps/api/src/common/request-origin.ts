import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import type { AppConfig } from "../config/app-config";

// IPv4 peers on a dual-stack socket show up as ::ffff:a.b.c.d.
function peerAddress(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
}

function fromTrustedProxy(req: IncomingMessage, config: AppConfig): boolean {
  return config.ports.trustedProxies.includes(peerAddress(req));
}

function firstValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(",")[0]?.trim() || undefined;
}

/**
 * Which host the client asked for. X-Forwarded-Host counts only from
 * TRUSTED_PROXIES: anyone else could otherwise pick which port host (and so
 * which session) their request is checked against.
 */
export function requestHost(req: IncomingMessage, config: AppConfig): string {
  const forwarded = fromTrustedProxy(req, config) ? firstValue(req.headers["x-forwarded-host"]) : undefined;
  return forwarded ?? req.headers.host ?? "";
}

export function requestIsHttps(req: IncomingMessage, config: AppConfig): boolean {
  if ((req.socket as TLSSocket).encrypted) return true;
  return fromTrustedProxy(req, config) && firstValue(req.headers["x-forwarded-proto"]) === "https";
}

/** The X-Forwarded-For chain to hand on: a trusted proxy's chain plus its address, else just the peer. */
export function forwardedFor(req: IncomingMessage, config: AppConfig): string {
  const chain = fromTrustedProxy(req, config) ? firstChain(req.headers["x-forwarded-for"]) : undefined;
  return chain ? `${chain}, ${peerAddress(req)}` : peerAddress(req);
}

function firstChain(header: string | string[] | undefined): string | undefined {
  return (Array.isArray(header) ? header.join(", ") : header)?.trim() || undefined;
}

/**
 * The address a request came from, for rate limits. Behind a trusted proxy it
 * is the last X-Forwarded-For entry, the one that proxy saw; earlier entries
 * are whatever the client wrote and prove nothing.
 */
export function clientAddress(req: IncomingMessage, config: AppConfig): string {
  if (fromTrustedProxy(req, config)) {
    const last = firstChain(req.headers["x-forwarded-for"])?.split(",").pop()?.trim();
    if (last) return last;
  }
  return peerAddress(req);
}

/** Where requestContext keeps a request's id on the request itself. */
export const REQUEST_ID_KEY = Symbol("kubelab.requestId");

// Plain tokens only: the id is written into log lines and a response header.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The id that ties an error response to its log line. A trusted proxy's
 * X-Request-Id is kept, so its logs and ours share one id; anyone else's is
 * ignored (a client could otherwise make its errors look like someone else's).
 */
export function requestIdOf(req: IncomingMessage, config: AppConfig): string {
  // Given once per request by requestContext (so the response header, error body and log lines agree).
  const assigned = (req as { [REQUEST_ID_KEY]?: string })[REQUEST_ID_KEY];
  if (assigned !== undefined) return assigned;
  const incoming = fromTrustedProxy(req, config) ? firstValue(req.headers["x-request-id"]) : undefined;
  return incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

export type MissingOrigin = "allow" | "refuse" | "check-fetch-site";

/**
 * The one Origin rule for requests that carry the login cookie (cross-site
 * request forgery, WebSocket hijacking): the Origin header must be one of
 * `allowed`. What a request without Origin means is the caller's choice:
 * WebSocket handshakes from browsers always carry one; state-changing fetches
 * may instead say Sec-Fetch-Site, and requests with neither come from
 * programs (curl, scripts) that cannot be tricked into sending someone
 * else's cookie. Returns what to name in the refusal, or undefined if allowed.
 */
export function refusedOrigin(
  req: IncomingMessage,
  allowed: readonly string[],
  missing: MissingOrigin,
): { origin: string } | { fetchSite: string } | undefined {
  const origin = req.headers.origin;
  if (origin !== undefined) return allowed.includes(origin) ? undefined : { origin };
  if (missing === "allow") return undefined;
  if (missing === "refuse") return { origin: "(none)" };
  const fetchSite = req.headers["sec-fetch-site"];
  if (fetchSite === undefined || fetchSite === "same-origin" || fetchSite === "none") return undefined;
  return { fetchSite: String(fetchSite) };
}

import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { AppConfig } from "../config/app-config";
import { forwardedFor } from "../common/request-origin";

// Meaningful for one connection only (RFC 9110 §7.6.1); never passed along.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

// The platform's cookies (login, port cookie), in all their prefixed forms.
const PLATFORM_COOKIE = /^(__host-|__secure-)?kubelab/i;

/**
 * Path-form responses run on the platform's origin. The sandbox gives the
 * app's documents an opaque origin: its scripts cannot read platform cookies
 * or call /api with the user's login, while the app itself keeps working.
 */
export const PATH_FORM_CSP = "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads";

export interface ForwardContext {
  config: AppConfig;
  host: string;
  https: boolean;
}

function droppedByConnection(headers: IncomingHttpHeaders): ReadonlySet<string> {
  // The usual case, once per proxied request and response: no new set.
  if (headers.connection === undefined) return HOP_BY_HOP;
  const listed = (headers.connection ?? "").split(",").map((name) => name.trim().toLowerCase());
  return new Set([...HOP_BY_HOP, ...listed.filter(Boolean)]);
}

/** Request headers for the app: no platform cookies, no client-supplied X-Forwarded-*, ours instead. */
export function forwardRequestHeaders(req: IncomingMessage, context: ForwardContext): OutgoingHttpHeaders {
  const dropped = droppedByConnection(req.headers);
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || dropped.has(name)) continue;
    if (name.startsWith("x-forwarded-") || name === "forwarded" || name === "x-real-ip") continue;
    headers[name] = value;
  }
  const cookie = withoutPlatformCookies(req.headers.cookie);
  if (cookie) headers.cookie = cookie;
  else delete headers.cookie;
  headers["x-forwarded-for"] = forwardedFor(req, context.config);
  headers["x-forwarded-proto"] = context.https ? "https" : "http";
  headers["x-forwarded-host"] = context.host;
  return headers;
}

function withoutPlatformCookies(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const kept = header
    .split(";")
    .map((part) => part.trim())
    .filter((part) => part && !PLATFORM_COOKIE.test(part.slice(0, Math.max(part.indexOf("="), 0)).trim()));
  return kept.length > 0 ? kept.join("; ") : undefined;
}

/**
 * Set-Cookie values the app may send: host-only cookies with names that are
 * not the platform's. A Domain attribute could reach the platform's host (or
 * other port hosts), so such cookies are dropped. In the path form cookies
 * are confined to the port's prefix.
 */
export function allowedSetCookies(values: string[], pathPrefix: string | undefined): string[] {
  const kept: string[] = [];
  for (const value of values) {
    const [pair = "", ...attributes] = value.split(";");
    const name = pair.slice(0, Math.max(pair.indexOf("="), 0)).trim();
    if (!name || PLATFORM_COOKIE.test(name)) continue;
    if (attributes.some((a) => /^\s*domain\s*=/i.test(a))) continue;
    if (pathPrefix === undefined) {
      kept.push(value);
      continue;
    }
    const path = attributes.find((a) => /^\s*path\s*=/i.test(a));
    const appPath = path?.split("=")[1]?.trim() || "/";
    const others = attributes.filter((a) => a !== path);
    kept.push([pair, ...others, ` Path=${pathPrefix}${appPath.startsWith("/") ? appPath : `/${appPath}`}`].join(";"));
  }
  return kept;
}

/**
 * Response headers for the client: hop-by-hop and disallowed cookies removed, path-form fixes applied.
 * The one filter for both proxy paths (plain responses and WebSocket 101 answers). Its input is
 * always what Node's HTTP parser (llhttp, strict mode) made of the app's bytes: a response it
 * cannot parse (`Set-Cookie : x`, folded lines, bare CR or LF) never gets here, see docs/ports.md.
 */
export function forwardResponseHeaders(
  headers: IncomingHttpHeaders,
  pathPrefix: string | undefined,
): OutgoingHttpHeaders {
  const dropped = droppedByConnection(headers);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || dropped.has(name) || name === "set-cookie") continue;
    out[name] = value;
  }
  const cookies = allowedSetCookies(headers["set-cookie"] ?? [], pathPrefix);
  if (cookies.length > 0) out["set-cookie"] = cookies;
  if (pathPrefix !== undefined) {
    const location = headers.location;
    // Redirects to an absolute path would leave the port's prefix; keep them inside it.
    if (location?.startsWith("/") && !location.startsWith("//")) out.location = `${pathPrefix}${location}`;
    const raw: string | string[] | undefined = headers["content-security-policy"];
    const csp = Array.isArray(raw) ? raw.join(", ") : raw;
    // A comma separates policies (CSP 3 §2.2); the app's own policy stays enforced next to ours.
    out["content-security-policy"] = csp ? `${csp}, ${PATH_FORM_CSP}` : PATH_FORM_CSP;
  }
  return out;
}

/** A WebSocket (or other protocol switch) answer: the filtered headers plus the two the switch needs. */
export function forwardUpgradeHeaders(
  headers: IncomingHttpHeaders,
  pathPrefix: string | undefined,
): OutgoingHttpHeaders {
  return {
    ...forwardResponseHeaders(headers, pathPrefix),
    connection: "Upgrade",
    upgrade: headers.upgrade ?? "websocket",
  };
}

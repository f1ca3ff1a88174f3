import { portUrlsFor, type TPortUrlBase } from "@kubelab/shared";
import type { AppConfig } from "../config/app-config";

/** One port of one node of one session: what a port URL names. Never an address. */
export interface PortAddress {
  sessionId: string;
  node: string;
  port: number;
}

/** A parsed port URL, or why it names nothing reachable (refused before any lookup). */
export type ParsedPort =
  { ok: true; address: PortAddress } | { ok: false; code: "bad_request" | "not_found"; message: string };

export interface PathRoute {
  parsed: ParsedPort;
  /** `/ports/<id>/<node>/<port>`: stripped before forwarding, re-added to redirects and cookie paths. */
  prefix: string;
  /** What the app sees: the rest of the path (at least "/") plus the query. */
  rest: string;
}

export const PATH_PREFIX = "/ports/";
const SESSION_ID = /^[0-9a-f]{32}$/;
const NODE = /^node[1-9]$/;
const PORT_DIGITS = /^[0-9]{1,5}$/;

/** Validates the three parts with the same rules for both URL forms. */
export function parsePortParts(sessionId: string, node: string, port: string): ParsedPort {
  if (!SESSION_ID.test(sessionId)) return { ok: false, code: "not_found", message: "No such session" };
  if (!NODE.test(node)) return { ok: false, code: "not_found", message: `No such node "${node.slice(0, 40)}"` };
  const number = PORT_DIGITS.test(port) ? Number(port) : Number.NaN;
  if (!(number >= 1 && number <= 65535)) {
    return { ok: false, code: "bad_request", message: "The port must be a number from 1 to 65535" };
  }
  return { ok: true, address: { sessionId, node, port: number } };
}

/**
 * Every name under LAB_DOMAIN is a port host, well-formed or not, so that a
 * malformed one (`127.0.0.1-80-x.localhost`) is refused by the proxy instead
 * of falling through to the platform. Returns null for any other host.
 */
export function parsePortHost(host: string, labDomain: string): ParsedPort | null {
  const name = host
    .replace(/:[0-9]*$/, "")
    .replace(/\.$/, "")
    .toLowerCase();
  const suffix = `.${labDomain}`;
  if (!name.endsWith(suffix) || name.length === suffix.length) return null;
  const label = name.slice(0, -suffix.length);
  const match = /^([^.]+)-([^.-]+)-([^.-]+)$/.exec(label);
  if (!match) return { ok: false, code: "not_found", message: "No such port host" };
  return parsePortParts(match[3]!, match[1]!, match[2]!);
}

/** `/ports/<id>/<node>/<port>/<rest>`; null when the path is not under /ports/. */
export function parsePortPath(url: string): PathRoute | null {
  if (!url.startsWith(PATH_PREFIX)) return null;
  const queryAt = url.indexOf("?");
  const pathname = queryAt < 0 ? url : url.slice(0, queryAt);
  const query = queryAt < 0 ? "" : url.slice(queryAt);
  const [sessionId = "", node = "", port = "", ...rest] = pathname.slice(PATH_PREFIX.length).split("/");
  const prefix = `${PATH_PREFIX}${sessionId}/${node}/${port}`;
  return { parsed: parsePortParts(sessionId, node, port), prefix, rest: `/${rest.join("/")}${query}` };
}

export function portHostName(config: AppConfig, address: PortAddress): string {
  return `${address.node}-${address.port}-${address.sessionId}.${config.ports.labDomain}`;
}

/** Origin of a port host: scheme and port of PUBLIC_URL, since the same server answers both. */
export function portHostOrigin(config: AppConfig, address: PortAddress): string {
  const { protocol, port } = config.server.publicUrl;
  return `${protocol}//${portHostName(config, address)}${port ? `:${port}` : ""}`;
}

export function portUrls(config: AppConfig, address: PortAddress): { host: string; path: string } {
  return portUrlsFor(portUrlBase(config), address);
}

/** PUBLIC_URL and LAB_DOMAIN, which the lab page needs to write port URLs itself (GET /api/limits). */
export function portUrlBase(config: AppConfig): TPortUrlBase {
  return { publicUrl: config.server.publicUrl.href, labDomain: config.ports.labDomain };
}

import type { IncomingMessage } from "node:http";
import type { AppConfig } from "../config/app-config";
import { parsePortHost, parsePortPath, type ParsedPort } from "./port-address";
import { requestHost } from "../common/request-origin";

/** A request meant for a user's app, in either URL form. */
export interface PortRoute {
  form: "host" | "path";
  parsed: ParsedPort;
  /** The host the client asked for (X-Forwarded-Host only from trusted proxies). */
  host: string;
  /** Path form only: the `/ports/<id>/<node>/<port>` prefix. */
  prefix: string | undefined;
  /** Path and query to send to the app. */
  path: string;
}

/**
 * Whether a request belongs to the port proxy. The host decides first: on a
 * port host every path (even /api or /ports) is the app's own.
 */
export function portRouteOf(req: IncomingMessage, config: AppConfig): PortRoute | null {
  const host = requestHost(req, config);
  const url = req.url ?? "/";
  // The platform's own host is never a port host, even when it sits under LAB_DOMAIN.
  const isPlatform = host.replace(/:[0-9]*$/, "").toLowerCase() === config.server.publicUrl.hostname;
  const byHost = isPlatform ? null : parsePortHost(host, config.ports.labDomain);
  if (byHost) return { form: "host", parsed: byHost, host, prefix: undefined, path: url };
  const byPath = parsePortPath(url);
  if (byPath) return { form: "path", parsed: byPath.parsed, host, prefix: byPath.prefix, path: byPath.rest };
  return null;
}

import type { Socket } from "node:net";

/** A PROXY protocol v1 line is at most 107 bytes, CRLF included (haproxy.org, proxy-protocol.txt). */
const MAX_LINE = 107;
const PREFIX = "PROXY ";
const TCP4 = /^PROXY TCP4 (\d{1,3}(?:\.\d{1,3}){3}) (\d{1,3}(?:\.\d{1,3}){3}) (\d{1,5}) (\d{1,5})$/;
const TCP6 = /^PROXY TCP6 ([0-9A-Fa-f:.]{2,45}) ([0-9A-Fa-f:.]{2,45}) (\d{1,5}) (\d{1,5})$/;

export type ProxyLine =
  | { kind: "incomplete" }
  | { kind: "invalid" }
  /** `length` bytes to skip; `source` is absent for `PROXY UNKNOWN` (HAProxy's own health checks). */
  | { kind: "ok"; length: number; source?: { address: string; port: number; family: "IPv4" | "IPv6" } };

/**
 * Reads the PROXY protocol v1 line HAProxy puts before each connection it opens to Kubelab
 * (`send-proxy`), which names the client's address: behind HAProxy every connection comes from
 * loopback, and rate limits, audit entries and TRUSTED_PROXIES need the real peer.
 */
export function parseProxyLine(buffer: Buffer): ProxyLine {
  const prefix = Math.min(buffer.length, PREFIX.length);
  if (buffer.toString("latin1", 0, prefix) !== PREFIX.slice(0, prefix)) return { kind: "invalid" };
  const end = buffer.indexOf("\r\n", 0, "latin1");
  if (end < 0) return buffer.length >= MAX_LINE ? { kind: "invalid" } : { kind: "incomplete" };
  if (end + 2 > MAX_LINE) return { kind: "invalid" };
  const line = buffer.toString("latin1", 0, end);
  if (line === "PROXY UNKNOWN" || line.startsWith("PROXY UNKNOWN ")) return { kind: "ok", length: end + 2 };
  const v4 = TCP4.exec(line);
  const v6 = v4 ? null : TCP6.exec(line);
  const match = v4 ?? v6;
  if (!match) return { kind: "invalid" };
  const port = Number(match[3]);
  if (port > 65535) return { kind: "invalid" };
  return { kind: "ok", length: end + 2, source: { address: match[1]!, port, family: v4 ? "IPv4" : "IPv6" } };
}

/**
 * Makes the socket report the client HAProxy named instead of HAProxy itself, for everything
 * that reads it afterwards (Node's HTTP server, Express, the WebSocket handlers).
 */
export function adoptProxiedPeer(socket: Socket, source: { address: string; port: number; family: string }): void {
  Object.defineProperty(socket, "remoteAddress", { value: source.address, configurable: true });
  Object.defineProperty(socket, "remotePort", { value: source.port, configurable: true });
  Object.defineProperty(socket, "remoteFamily", { value: source.family, configurable: true });
}

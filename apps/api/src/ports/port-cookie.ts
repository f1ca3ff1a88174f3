import type { IncomingMessage } from "node:http";
import { readCookie } from "../auth/cookie-header";

// Host-only on each port host (no Domain attribute), so it never reaches the platform or other ports.
export const PORT_COOKIE = "kubelab_port";

export function readPortCookie(req: IncomingMessage): string | undefined {
  return readCookie(req.headers.cookie, PORT_COOKIE);
}

export function portCookieHeader(token: string, expiresAt: Date, secure: boolean): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  return `${PORT_COOKIE}=${token}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

import type { ClientRequest } from "node:http";

// A node that drops packets would otherwise hold the browser for the OS's connect timeout (minutes).
const CONNECT_TIMEOUT_MS = 5_000;

/** Fails the request with ETIMEDOUT when its socket has not connected within a few seconds. */
export function limitConnectTime(request: ClientRequest): void {
  request.on("socket", (socket) => {
    if (!socket.connecting) return;
    const timer = setTimeout(() => {
      const error: NodeJS.ErrnoException = new Error("connect timeout");
      error.code = "ETIMEDOUT";
      request.destroy(error);
    }, CONNECT_TIMEOUT_MS);
    socket.once("connect", () => clearTimeout(timer));
    socket.once("close", () => clearTimeout(timer));
  });
}

import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";

const ignore = (): void => undefined;

/**
 * Node's HTTP server stops watching a socket's errors once it hands it to 'upgrade' listeners, and
 * an 'error' event nobody listens to ends the process: one client (or HAProxy in front) resetting a
 * WebSocket upgrade while it is checked, refused or relayed would take every session's terminals
 * down. This listener runs before all others, so every upgraded socket has one whichever handler
 * takes it; each handler still closes its sockets and reports what it must through its own paths.
 */
export function watchUpgradedSocketErrors(server: Server): void {
  server.prependListener("upgrade", (_req: IncomingMessage, socket: Duplex) => {
    socket.on("error", ignore);
  });
}

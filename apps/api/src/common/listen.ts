import { once } from "node:events";
import type { Server } from "node:http";

/**
 * Starts a small plain HTTP server of ours (start-up responder, metrics port) and returns how to
 * stop it: at once, kept-alive connections included (server.close alone waits for them).
 */
export async function listen(
  server: Server,
  host: string,
  port: number,
  options: { reusePort?: boolean } = {},
): Promise<{ close(): Promise<void> }> {
  server.listen({ port, host, reusePort: options.reusePort ?? false });
  await once(server, "listening");
  return {
    async close(): Promise<void> {
      const closed = once(server, "close");
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

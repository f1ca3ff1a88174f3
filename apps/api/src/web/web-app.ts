import type { IncomingMessage } from "node:http";
import path from "node:path";
import type { Duplex } from "node:stream";
import { Logger } from "@nestjs/common";
import type { NestExpressApplication } from "@nestjs/platform-express";
import type { NextFunction, Request, Response } from "express";
import next from "next";

// apps/api/dist/web → apps/web
const WEB_DIR = path.resolve(__dirname, "../../../web");

/**
 * Set by `npm run dev` (scripts/dev.mjs) for this process only, like KUBELAB_INTERNAL_URL: Next.js
 * compiles pages on request and pushes edits to the browser (hot reload), with its files in
 * apps/web/.next-dev so the production build in .next stays intact. Not a setting for operators.
 */
export const WEB_DEV = process.env.KUBELAB_WEB_DEV === "1";

/** The development server's hot-reload socket: claimed for Next, so the terminal handler leaves it alone. */
export function isWebDevUpgrade(req: IncomingMessage): boolean {
  return WEB_DEV && (req.url ?? "").startsWith("/_next/");
}

/**
 * Serves the Next.js web app from the same process and origin as the API, so
 * users have one URL and the login cookie needs no cross-origin setup.
 * Everything outside /api goes to Next. `portUpgrade` tells a port host's (or
 * /ports/) WebSocket, which belongs to a user's app even under /_next/.
 */
export async function mountWebApp(
  app: NestExpressApplication,
  portUpgrade: (req: IncomingMessage) => boolean,
): Promise<void> {
  const web = next({ dev: WEB_DEV, dir: WEB_DIR });
  try {
    await web.prepare();
  } catch (error) {
    throw new Error(
      `The web app is not built (${(error as Error).message.split("\n")[0]}). Run "npm run build", or set WEB_ENABLED=false for an API-only server.`,
    );
  }
  const handle = web.getRequestHandler();
  if (WEB_DEV) {
    const upgrade = web.getUpgradeHandler();
    const server = app.getHttpServer();
    const open = new Set<Duplex>();
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!isWebDevUpgrade(req) || portUpgrade(req)) return;
      open.add(socket);
      socket.once("close", () => open.delete(socket));
      void upgrade(req, socket, head);
    });
    // The server's close waits for every socket; an open browser tab keeps its hot-reload socket
    // for ever, which would stall each restart of `npm run dev` until the 15 s shutdown limit.
    const close = server.close.bind(server);
    server.close = (callback?: (error?: Error) => void) => {
      for (const socket of open) socket.destroy();
      return close(callback);
    };
  }
  app.use((req: Request, res: Response, nextHandler: NextFunction) => {
    // /metrics is the API's too (Prometheus' customary path; MetricsController).
    if (req.path === "/api" || req.path.startsWith("/api/") || req.path === "/metrics") return nextHandler();
    void handle(req, res);
  });
  new Logger("WebApp").log(`Serving the web app from ${WEB_DIR}${WEB_DEV ? " (development mode, hot reload)" : ""}`);
}

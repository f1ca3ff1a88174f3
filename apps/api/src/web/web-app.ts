import path from "node:path";
import { Logger } from "@nestjs/common";
import type { NestExpressApplication } from "@nestjs/platform-express";
import type { NextFunction, Request, Response } from "express";
import next from "next";

// apps/api/dist/web → apps/web
const WEB_DIR = path.resolve(__dirname, "../../../web");

/**
 * Serves the Next.js web app from the same process and origin as the API, so
 * users have one URL and the login cookie needs no cross-origin setup.
 * Everything outside /api goes to Next.
 */
export async function mountWebApp(app: NestExpressApplication): Promise<void> {
  const web = next({ dev: false, dir: WEB_DIR });
  try {
    await web.prepare();
  } catch (error) {
    throw new Error(
      `The web app is not built (${(error as Error).message.split("\n")[0]}). Run "npm run build", or set WEB_ENABLED=false for an API-only server.`,
    );
  }
  const handle = web.getRequestHandler();
  app.use((req: Request, res: Response, nextHandler: NextFunction) => {
    if (req.path === "/api" || req.path.startsWith("/api/")) return nextHandler();
    void handle(req, res);
  });
  new Logger("WebApp").log(`Serving the web app from ${WEB_DIR}`);
}

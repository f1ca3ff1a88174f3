import { Controller, Get, Inject, Req, Res } from "@nestjs/common";
import type { Request, Response } from "express";
import { PublicRoute } from "../auth/public-route.decorator";
import { AppError } from "../common/app-error";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { bearerMatches, metricsAccessOf } from "./metrics-access";
import { Metrics } from "./metrics.service";

/** /metrics on the main port, for METRICS_TOKEN holders only (see metricsAccessOf for the 404s). */
@Controller("metrics")
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // Public to the login guard: Prometheus has a token, not a login cookie.
  @PublicRoute()
  @Get()
  async scrape(@Req() req: Request, @Res() res: Response): Promise<void> {
    const { token } = this.config.metrics;
    if (metricsAccessOf(this.config.metrics) !== "token" || token === undefined) {
      throw new AppError("not_found", "Not found");
    }
    if (!bearerMatches(req.headers.authorization, token)) {
      res.setHeader("www-authenticate", 'Bearer realm="kubelab-metrics"');
      throw new AppError("unauthenticated", "Send the metrics token as Authorization: Bearer <METRICS_TOKEN>");
    }
    const { contentType, body } = await this.metrics.render().catch((error: unknown) => {
      this.metrics.onScrapeError(error);
      throw error;
    });
    res.setHeader("content-type", contentType);
    res.setHeader("cache-control", "no-store");
    res.send(body);
  }
}

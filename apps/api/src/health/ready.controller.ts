import { Controller, Get, Res } from "@nestjs/common";
import type { Response } from "express";
import { PublicRoute } from "../auth/public-route.decorator";
import { Readiness } from "./readiness.service";

@Controller("api/ready")
export class ReadyController {
  constructor(private readonly readiness: Readiness) {}

  /** 200 when this process can serve (started, Docker answers), 503 otherwise: for load balancers. */
  @PublicRoute()
  @Get()
  async ready(
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ status: "ok" | "unavailable"; phase: string; docker: string }> {
    const { ready, phase, docker } = await this.readiness.check();
    res.setHeader("cache-control", "no-store");
    if (!ready) res.status(503);
    return { status: ready ? "ok" : "unavailable", phase, docker };
  }
}

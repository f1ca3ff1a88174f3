import { Controller, Get, Res } from "@nestjs/common";
import type { Response } from "express";
import { PublicRoute } from "../auth/public-route.decorator";
import { PrismaService } from "../database/prisma.service";
import { DockerEngine } from "../nodes/docker-engine.adapter";

type Check = "ok" | "unavailable";

@Controller("api/health")
export class HealthController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly engine: DockerEngine,
  ) {}

  /** 200 when the database and the Docker engine answer, 503 otherwise (for load balancers and compose). */
  @PublicRoute()
  @Get()
  async health(@Res({ passthrough: true }) res: Response): Promise<{ status: Check; database: Check; docker: Check }> {
    const [database, docker] = await Promise.all([
      this.prisma.$queryRawUnsafe("SELECT 1").then(
        () => "ok" as const,
        () => "unavailable" as const,
      ),
      this.engine.ping().then(
        () => "ok" as const,
        () => "unavailable" as const,
      ),
    ]);
    const status = database === "ok" && docker === "ok" ? "ok" : "unavailable";
    if (status !== "ok") res.status(503);
    return { status, database, docker };
  }
}

import { Controller, Get, Res } from "@nestjs/common";
import type { Response } from "express";
import { PublicRoute } from "../auth/public-route.decorator";
import { Leadership } from "../cluster/leadership.service";
import { PrismaService } from "../database/prisma.service";
import { DockerEngine } from "../nodes/docker-engine.adapter";

type Check = "ok" | "unavailable";

@Controller("api/health")
export class HealthController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly engine: DockerEngine,
    private readonly leadership: Leadership,
  ) {}

  /**
   * 200 when the database and the Docker engine answer, 503 otherwise (for load balancers and
   * compose). `leader`: whether this process runs the installation's background work.
   */
  @PublicRoute()
  @Get()
  async health(
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ status: Check; database: Check; docker: Check; leader: boolean }> {
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
    return { status, database, docker, leader: this.leadership.isLeader };
  }
}

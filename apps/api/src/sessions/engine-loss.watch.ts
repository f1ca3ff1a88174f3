import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from "@nestjs/common";
import { LeaderJob } from "../cluster/leader-job";
import { Leadership } from "../cluster/leadership.service";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import { DockerEngines } from "../nodes/docker-engines.service";
import { SessionLifecycle } from "./session-lifecycle.service";

// Sessions with Docker objects on their engine that can still fail (ending ones finish by themselves).
const LOSABLE = ["provisioning", "pooled", "ready"] as const;

/**
 * Fails the sessions of an engine that has not answered for ENGINE_LOST_AFTER (or that is no
 * longer configured) with `engine_lost`, so attendees learn it at once and can start a new lab on
 * another engine. An engine back within that time keeps its sessions. The leader's job; every
 * process checks the engines itself (DockerEngines) to keep them out of placement meanwhile.
 */
@Injectable()
export class EngineLossWatch implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger("EngineLossWatch");
  private readonly job: LeaderJob<void>;

  constructor(
    private readonly engines: DockerEngines,
    private readonly prisma: PrismaService,
    private readonly lifecycle: SessionLifecycle,
    leadership: Leadership,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.job = new LeaderJob(leadership, this.logger, "Engine-loss pass", () => this.pass());
  }

  onApplicationBootstrap(): void {
    this.engines.start();
    this.job.every(this.config.docker.engineCheckSeconds * 1000);
  }

  onApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }

  private async pass(): Promise<void> {
    // A single-host installation never loses its engine: its sessions wait for Docker as they always did.
    if (!this.engines.several) return;
    const cutoff = new Date(Date.now() - this.config.docker.engineLostAfterSeconds * 1000);
    const lost = this.engines.downSince(cutoff);
    const configured = this.engines.all().map((engine) => engine.name);
    const sessions = await this.prisma.labSession.findMany({
      where: {
        instanceId: this.config.instanceId,
        status: { in: [...LOSABLE] },
        OR: [{ engine: { in: lost } }, { engine: { notIn: configured } }],
      },
      select: { id: true, engine: true },
    });
    if (sessions.length === 0) return;
    this.logger.warn(
      `Failing ${sessions.length} session(s) of lost Docker engine(s) ${[...new Set(sessions.map((s) => s.engine))].join(", ")}`,
    );
    await Promise.all(
      sessions.map((session) =>
        this.lifecycle
          .fail(session.id, {
            code: "engine_lost",
            detail: configured.includes(session.engine ?? "")
              ? `the Docker engine ${session.engine} did not answer for ${this.config.docker.engineLostAfterSeconds} s`
              : `the Docker engine ${session.engine} is no longer configured (DOCKER_ENGINES)`,
          })
          .catch((error: unknown) =>
            this.logger.warn(`Session ${session.id}: could not fail it: ${(error as Error).message}`),
          ),
      ),
    );
  }
}

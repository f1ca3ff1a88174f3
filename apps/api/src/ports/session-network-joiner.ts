import { Inject, Injectable, type OnApplicationBootstrap } from "@nestjs/common";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import { DockerEngine } from "../nodes/docker-engine.adapter";

/**
 * With KUBELAB_CONTAINER set, new session networks are joined as they are
 * created (session provisioner). A recreated Kubelab container (compose
 * upgrade) starts on none of them, so at start the networks of sessions that
 * survived are joined again; without this their ports would stop working.
 */
@Injectable()
export class SessionNetworkJoiner implements OnApplicationBootstrap {
  constructor(
    private readonly prisma: PrismaService,
    private readonly engine: DockerEngine,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.kubelabContainer) return;
    const sessions = await this.prisma.labSession.findMany({
      // Pooled ones too: their ports must work the moment they are claimed.
      // Those of the engine Kubelab's container runs on (the primary); others are reached by relays.
      where: { instanceId: this.config.instanceId, status: { in: ["ready", "pooled"] }, engine: this.engine.name },
      select: { id: true },
    });
    for (const { id } of sessions) await this.engine.joinSessionNetwork(this.config.kubelabContainer, id);
  }
}

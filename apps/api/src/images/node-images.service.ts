import { Inject, Injectable } from "@nestjs/common";
import type { TAdminImageList, TAdminImagePool } from "@kubelab/shared";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import { LessonCatalog } from "../lessons/lesson-catalog.service";
import { DockerEngine, type ImageFacts } from "../nodes/docker-engine.adapter";
import { PoolSettings } from "../sessions/session-pool-settings";
import { SettingsService } from "../settings/settings.service";
import { nodeImagesReport } from "./node-images-report";

/** The admin's view of the node images: what is allowed, what the engine has, pools, lessons. */
@Injectable()
export class NodeImages {
  constructor(
    private readonly prisma: PrismaService,
    private readonly engine: DockerEngine,
    private readonly lessons: LessonCatalog,
    private readonly pool: PoolSettings,
    private readonly settings: SettingsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The images sessions may run on now (the console's NODE_IMAGES if set), NODE_IMAGE first. */
  allowedImages(): string[] {
    return this.settings.current().allowedImages;
  }

  async report(): Promise<TAdminImageList> {
    const allowed = this.allowedImages();
    const facts = new Map<string, ImageFacts | undefined | null>();
    await Promise.all(
      allowed.map(async (image) => {
        facts.set(image, await this.engine.imageFacts(image).catch(() => null));
      }),
    );
    return nodeImagesReport({
      allowed,
      defaultImage: this.config.nodes.image,
      facts,
      pools: await this.pools(allowed),
      lessons: this.lessons.list().map(({ id }) => ({ id, image: this.lessons.get(id).image ?? null })),
    });
  }

  /** Each image's general pool: the size wanted, and its unclaimed sessions ready or being built. */
  private async pools(images: readonly string[]): Promise<Map<string, TAdminImagePool>> {
    const counts = await this.prisma.labSession.groupBy({
      by: ["poolKey", "status"],
      where: {
        instanceId: this.config.instanceId,
        ownerId: null,
        poolKey: { in: [...images] },
        status: { in: ["provisioning", "pooled"] },
      },
      _count: { _all: true },
    });
    const { sizes } = this.pool.current();
    return new Map(
      images.map((image) => {
        const count = (status: string) =>
          counts.find((c) => c.poolKey === image && c.status === status)?._count._all ?? 0;
        return [image, { wanted: sizes[image] ?? 0, ready: count("pooled"), building: count("provisioning") }];
      }),
    );
  }
}

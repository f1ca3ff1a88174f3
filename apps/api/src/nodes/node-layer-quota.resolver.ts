import { Inject, Injectable, Logger } from "@nestjs/common";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { DockerEngine } from "./docker-engine.adapter";

/**
 * Decides once whether node containers get a hard size on their writable layer
 * (NODE_DISK_LIMIT as `StorageOpt.size`). Only overlay2 on xfs with project
 * quotas can; elsewhere the disk monitor's measurements are the only limit.
 * /var/lib/docker of a node is a volume, which no local driver can size, so it
 * is always measured.
 */
@Injectable()
export class NodeLayerQuotaResolver {
  private readonly logger = new Logger("NodeLayerQuota");
  private resolved: Promise<number | undefined> | undefined;

  constructor(
    private readonly engine: DockerEngine,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The size to give node layers, or undefined when the storage driver cannot enforce one. */
  quotaBytes(): Promise<number | undefined> {
    this.resolved ??= this.resolve().catch((error: unknown) => {
      this.resolved = undefined; // retry on the next session rather than caching an engine outage
      throw error;
    });
    return this.resolved;
  }

  private async resolve(): Promise<number | undefined> {
    const supported = await this.engine.supportsLayerQuota(this.config.nodes.image);
    this.logger.log(
      supported
        ? "Node container layers get a hard size of NODE_DISK_LIMIT (overlay2 on xfs with project quotas)"
        : "No hard size for node container layers on this storage driver; NODE_DISK_LIMIT is enforced by measuring",
    );
    return supported ? this.config.nodes.diskLimitBytes : undefined;
  }
}

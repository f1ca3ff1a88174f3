import { Inject, Injectable, Logger } from "@nestjs/common";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { DockerEngine } from "./docker-engine.adapter";
import type { NodeSecurityProfile } from "./node-security-profile";

/** Turns NODE_SECURITY_PROFILE=auto into a concrete profile once, by asking the engine. */
@Injectable()
export class NodeSecurityProfileResolver {
  private readonly logger = new Logger("NodeSecurityProfile");
  private resolved: Promise<NodeSecurityProfile> | undefined;

  constructor(
    private readonly engine: DockerEngine,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  profile(): Promise<NodeSecurityProfile> {
    this.resolved ??= this.resolve().catch((error: unknown) => {
      this.resolved = undefined; // retry on the next session rather than caching an engine outage
      throw error;
    });
    return this.resolved;
  }

  private async resolve(): Promise<NodeSecurityProfile> {
    const setting = this.config.nodes.securityProfile;
    if (setting !== "auto") return setting;
    const profile = (await this.engine.canRunPrivileged(this.config.nodes.image)) ? "privileged" : "capabilities";
    this.logger.log(`NODE_SECURITY_PROFILE=auto resolved to "${profile}"`);
    return profile;
  }
}

import { Inject, Injectable, Logger } from "@nestjs/common";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { DockerEngine } from "./docker-engine.adapter";
import type { NodeSecurityProfile } from "./node-security-profile";

/** Stable prefix of a session's failure reason when the configured profile cannot run on this engine. */
export const NODE_PROFILE_UNAVAILABLE = "node_profile_unavailable";

/**
 * Turns NODE_SECURITY_PROFILE into a concrete profile once, by asking the
 * engine: `auto` probes for privileged containers, `userns` checks that the
 * engine remaps users (otherwise it would be the capabilities profile with
 * root in the node being root on the host, which is not what was asked for).
 */
@Injectable()
export class NodeSecurityProfileResolver {
  private readonly logger = new Logger("NodeSecurityProfile");
  private resolved: Promise<NodeSecurityProfile> | undefined;

  constructor(
    private readonly engine: DockerEngine,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  profile(): Promise<NodeSecurityProfile> {
    // Not cached on failure: an engine outage, or an engine restarted with
    // --userns-remap, is picked up by the next session.
    this.resolved ??= this.resolve().catch((error: unknown) => {
      this.resolved = undefined;
      throw error;
    });
    return this.resolved;
  }

  private async resolve(): Promise<NodeSecurityProfile> {
    const setting = this.config.nodes.securityProfile;
    switch (setting) {
      case "privileged":
      case "capabilities":
        return setting;
      case "userns":
        if (!(await this.engine.remapsUsers())) {
          throw new Error(
            `${NODE_PROFILE_UNAVAILABLE}: NODE_SECURITY_PROFILE=userns needs a Docker engine started with ` +
              `--userns-remap (its "docker info" security options have no name=userns); ` +
              `start the engine that way or choose another NODE_SECURITY_PROFILE`,
          );
        }
        this.logger.log(`NODE_SECURITY_PROFILE=userns: the engine remaps users`);
        return setting;
      case "auto": {
        const profile = (await this.engine.canRunPrivileged(this.config.nodes.image)) ? "privileged" : "capabilities";
        this.logger.log(`NODE_SECURITY_PROFILE=auto resolved to "${profile}"`);
        return profile;
      }
    }
  }
}

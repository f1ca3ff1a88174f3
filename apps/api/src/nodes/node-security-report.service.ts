import { Inject, Injectable } from "@nestjs/common";
import type { TNodeSecurityReport } from "@kubelab/shared";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { nodeSecurityFacts } from "./node-security-facts";
import { NodeSecurityProfileResolver } from "./node-security-profile.resolver";
import { residualRisks } from "./node-trust-boundary";

/** The admin console's view of node isolation: the active profile, what it grants, what it leaves open. */
@Injectable()
export class NodeSecurityReportService {
  constructor(
    private readonly resolver: NodeSecurityProfileResolver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async report(): Promise<TNodeSecurityReport> {
    const { nodes } = this.config;
    const base = {
      configuredProfile: nodes.securityProfile,
      egress: { mode: nodes.egress, allow: nodes.egressAllow },
      diskLimitBytes: nodes.diskLimitBytes,
    };
    let profile;
    try {
      // Resolving `auto` may probe the engine once (cached afterwards, shared with session starts).
      profile = await this.resolver.profile();
    } catch (error) {
      return {
        ...base,
        activeProfile: null,
        profileError: (error as Error).message,
        capabilities: [],
        seccomp: "unconfined",
        cgroupNamespace: "host",
        userNamespace: false,
        devices: [],
        residualRisks: [],
      };
    }
    return {
      ...base,
      activeProfile: profile,
      profileError: null,
      ...nodeSecurityFacts(profile),
      residualRisks: residualRisks(profile, nodes.egress),
    };
  }
}

import { Inject, Injectable, Logger } from "@nestjs/common";
import { LIVE_SESSION_STATUSES } from "@kubelab/shared";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import { DockerEngine } from "./docker-engine.adapter";
import { buildFirewallPlan, firewallIds, installScript, removeScript } from "./node-firewall-rules";

/** On the firewall helper containers; not `kubelab.instance`, so the session reconciler leaves them alone. */
export const LABEL_FIREWALL = "kubelab.firewall";
const TASK_TIMEOUT_MS = 30_000;

async function runFirewallTask(
  engine: DockerEngine,
  image: string,
  instanceId: string,
  script: string,
  what: string,
): Promise<string> {
  const { exitCode, output } = await engine.runHostNetworkTask({
    image,
    script,
    labels: { [LABEL_FIREWALL]: instanceId },
    timeoutMs: TASK_TIMEOUT_MS,
  });
  if (exitCode !== 0) {
    const how = exitCode === -1 ? `was stopped after ${TASK_TIMEOUT_MS / 1000} s` : `failed (exit code ${exitCode})`;
    throw new Error(`node firewall ${what} ${how}: ${output.trim().slice(-600) || "no output"}`);
  }
  return output;
}

/** Deletes one installation's jumps and chains; used at shutdown and by `npm run firewall:remove`. */
export async function removeNodeFirewall(engine: DockerEngine, image: string, instanceId: string): Promise<void> {
  await engine.removeContainersLabelled(`${LABEL_FIREWALL}=${instanceId}`);
  await runFirewallTask(engine, image, instanceId, removeScript(firewallIds(instanceId)), "removal");
}

/**
 * Keeps nodes away from the host, the metadata service and private networks (threat cases 12
 * and 29) with host firewall rules that Kubelab installs itself, through a short-lived container
 * in the host's network namespace (the node image ships iptables). Rules live in chains of this
 * installation only and are rebuilt as a whole, so a restart with another policy replaces them.
 * Fails closed: no session network is created while the rules are not in place.
 */
@Injectable()
export class NodeFirewall {
  private readonly logger = new Logger("NodeFirewall");
  private installed = false;
  private installing: Promise<void> | undefined;

  constructor(
    private readonly engine: DockerEngine,
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Resolves once the rules are in place; concurrent callers share one attempt, a failed one is retried by the next caller. */
  ensureInstalled(): Promise<void> {
    if (this.installed) return Promise.resolve();
    this.installing ??= this.install()
      .then(() => {
        this.installed = true;
      })
      .finally(() => (this.installing = undefined));
    return this.installing;
  }

  /**
   * At graceful shutdown. Rules stay while sessions of this installation are still live (they keep
   * running across a restart and must stay fenced in); otherwise they are removed.
   */
  async removeIfUnused(): Promise<void> {
    if (!this.installed) return;
    const live = await this.prisma.labSession.count({
      where: { instanceId: this.config.instanceId, status: { in: [...LIVE_SESSION_STATUSES] } },
    });
    if (live > 0) {
      this.logger.log(`Node firewall kept: ${live} session(s) of this installation are still live`);
      return;
    }
    await removeNodeFirewall(this.engine, this.config.nodes.image, this.config.instanceId);
    this.installed = false;
    this.logger.log("Node firewall removed");
  }

  private async install(): Promise<void> {
    const { instanceId, nodes } = this.config;
    await this.engine.removeContainersLabelled(`${LABEL_FIREWALL}=${instanceId}`);
    const plan = buildFirewallPlan({ instanceId, egress: nodes.egress, egressAllow: nodes.egressAllow });
    const output = await runFirewallTask(this.engine, nodes.image, instanceId, installScript(plan), "installation");
    const report = /installed (.*)/.exec(output)?.[1]?.trim() ?? "";
    const resolvers = /resolvers=(.*)$/.exec(report)?.[1]?.trim() || "none";
    this.logger.log(
      `Node firewall installed for bridges ${plan.ids.bridgePrefix}+ (chains ${plan.ids.inputChain}, ` +
        `${plan.ids.forwardChain}, ${plan.ids.ipv6Chain}; ${report.replace(/ resolvers=.*$/, "")}): ` +
        `egress ${nodes.egress}, DNS to ${nodes.egress === "internet" ? resolvers : "nowhere"}, ` +
        `allowed private networks: ${nodes.egressAllow.join(", ") || "none"}`,
    );
  }
}

import { Inject, Injectable, Logger } from "@nestjs/common";
import { LIVE_SESSION_STATUSES } from "@kubelab/shared";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import type { DockerEngine } from "./docker-engine.adapter";
import { DockerEngines } from "./docker-engines.service";
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
  // Per engine (DOCKER_ENGINES): each host fences in its own nodes.
  private readonly installed = new Set<string>();
  private readonly installing = new Map<string, Promise<void>>();

  constructor(
    private readonly engines: DockerEngines,
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Resolves once the rules are in place on the engine's host; concurrent callers share one
   * attempt, a failed one is retried by the next caller.
   */
  ensureInstalled(engine: DockerEngine = this.engines.primary): Promise<void> {
    if (this.installed.has(engine.name)) return Promise.resolve();
    let installing = this.installing.get(engine.name);
    if (!installing) {
      installing = this.install(engine)
        .then(() => void this.installed.add(engine.name))
        .finally(() => this.installing.delete(engine.name));
      this.installing.set(engine.name, installing);
    }
    return installing;
  }

  /**
   * At graceful shutdown. Rules stay on an engine while sessions of this installation are still
   * live there (they keep running across a restart and must stay fenced in); otherwise they are removed.
   */
  async removeIfUnused(): Promise<void> {
    for (const name of [...this.installed]) {
      // A silent engine cannot be asked (each call would wait for DOCKER_TIMEOUT): its rules stay.
      if (this.engines.several && !this.engines.isUp(name)) continue;
      const live = await this.prisma.labSession.count({
        where: {
          instanceId: this.config.instanceId,
          engine: name,
          status: { in: [...LIVE_SESSION_STATUSES] },
        },
      });
      const where = this.engines.several ? ` on ${name}` : "";
      if (live > 0) {
        this.logger.log(`Node firewall kept${where}: ${live} session(s) of this installation are still live`);
        continue;
      }
      await removeNodeFirewall(this.engines.byName(name), this.config.nodes.image, this.config.instanceId);
      this.installed.delete(name);
      this.logger.log(`Node firewall removed${where}`);
    }
  }

  /**
   * One installation at a time per engine among all the processes of the installation: each first
   * removes leftover helper containers, which would otherwise kill another process's running
   * installation (seen with two processes starting sessions on a new engine at once).
   */
  private async install(engine: DockerEngine): Promise<void> {
    await this.prisma.$transaction(
      async (tx) => {
        const key = `kubelab.firewall:${this.config.instanceId}:${engine.name}`;
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${key}))`;
        await this.installNow(engine);
      },
      { timeout: (TASK_TIMEOUT_MS + engine.callTimeoutMs) * 2, maxWait: TASK_TIMEOUT_MS * 2 },
    );
  }

  private async installNow(engine: DockerEngine): Promise<void> {
    const { instanceId, nodes } = this.config;
    await engine.removeContainersLabelled(`${LABEL_FIREWALL}=${instanceId}`);
    const plan = buildFirewallPlan({ instanceId, egress: nodes.egress, egressAllow: nodes.egressAllow });
    const output = await runFirewallTask(engine, nodes.image, instanceId, installScript(plan), "installation");
    const report = /installed (.*)/.exec(output)?.[1]?.trim() ?? "";
    const resolvers = /resolvers=(.*)$/.exec(report)?.[1]?.trim() || "none";
    this.logger.log(
      `Node firewall installed${this.engines.several ? ` on ${engine.name}` : ""} for bridges ${plan.ids.bridgePrefix}+ (chains ${plan.ids.inputChain}, ` +
        `${plan.ids.forwardChain}, ${plan.ids.ipv6Chain}; ${report.replace(/ resolvers=.*$/, "")}): ` +
        `egress ${nodes.egress}, DNS to ${nodes.egress === "internet" ? resolvers : "nowhere"}, ` +
        `allowed private networks: ${nodes.egressAllow.join(", ") || "none"}`,
    );
  }
}

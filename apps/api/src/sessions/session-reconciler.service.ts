import { Inject, Injectable, Logger } from "@nestjs/common";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { LIVE_SESSION_STATUSES } from "@kubelab/shared";
import { PrismaService } from "../database/prisma.service";
import { DockerEngines } from "../nodes/docker-engines.service";
import { SessionLifecycle } from "./session-lifecycle.service";
import { SessionSubnets } from "./session-subnets.service";
import type { LabSessionWithNodes } from "./session-view";

/**
 * Makes Docker and the database agree, in both directions: after a crash,
 * a restart of the server, or of the Docker engine.
 */
@Injectable()
export class SessionReconciler {
  private readonly logger = new Logger("SessionReconciler");
  private running: Promise<void> | undefined;

  constructor(
    private readonly prisma: PrismaService,
    private readonly engines: DockerEngines,
    private readonly lifecycle: SessionLifecycle,
    private readonly subnets: SessionSubnets,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Runs one reconciliation; concurrent callers share the run in progress. */
  reconcile(): Promise<void> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<void> {
    const instanceId = this.config.instanceId;
    // Fresh answers: a reconciliation right after an engine came back must not skip it as silent.
    await this.engines.check();
    const live = await this.prisma.labSession.findMany({
      where: { instanceId, status: { in: [...LIVE_SESSION_STATUSES] } },
      include: { nodes: true },
    });
    for (const session of live) {
      if (this.lifecycle.isBusy(session.id)) continue; // ours, being created or ended
      // One session whose node Docker does not answer for must not stop the others' reconciliation.
      await this.reconcileSession(session).catch((error: unknown) =>
        this.logger.warn(`Reconciling session ${session.id} failed: ${(error as Error).message}`),
      );
    }
    // The engines were checked just above: one round of pings per reconciliation.
    const orphans = await this.removeOrphans();
    if (live.length > 0 || orphans > 0) {
      this.logger.log(`Reconciled ${live.length} live session(s), removed objects of ${orphans} orphan(s)`);
    }
  }

  /**
   * Removes Docker objects with no live session behind them (ended or failed sessions whose cleanup
   * did not finish, or crashed servers' leftovers). Returns how many sessions had some. A removal that
   * fails is logged and tried again on the next call. Then frees the subnet blocks of sessions that
   * are over and whose network is gone.
   */
  async removeLeftovers(): Promise<number> {
    // Fresh answers: an engine that came back since the last check is swept again.
    await this.engines.check();
    return this.removeOrphans();
  }

  // Engines that do not answer keep their objects (and subnets) until they answer again.
  private async removeOrphans(): Promise<number> {
    const instanceId = this.config.instanceId;
    const stillLive = new Set(
      (
        await this.prisma.labSession.findMany({
          where: { instanceId, status: { in: [...LIVE_SESSION_STATUSES] } },
          select: { id: true },
        })
      ).map((s) => s.id),
    );
    const reachable = this.engines.reachable();
    const withNetwork = new Set<string>();
    let orphanCount = 0;
    for (const engine of reachable) {
      const objects = await engine.listInstanceObjects(instanceId);
      const orphans = new Set(
        [...objects.containers, ...objects.networks, ...objects.volumes]
          .map((o) => o.sessionId)
          .filter((id) => !stillLive.has(id) && !this.lifecycle.isBusy(id)),
      );
      for (const sessionId of orphans) {
        const where = this.engines.several ? ` on ${engine.name}` : "";
        this.logger.warn(
          `Removing Docker objects of session ${sessionId || "(unlabelled)"}${where}, which is not live`,
        );
        await engine
          .removeSessionObjects(instanceId, sessionId)
          .catch((error: unknown) =>
            this.logger.warn(`Leftovers of session ${sessionId} not removed yet: ${(error as Error).message}`),
          );
      }
      // Listed again after removals, so a network removed just now counts as gone.
      const { networks } = orphans.size > 0 ? await engine.listInstanceObjects(instanceId) : objects;
      for (const network of networks) withNetwork.add(network.sessionId);
      orphanCount += orphans.size;
    }
    const silent = this.engines
      .all()
      .filter((engine) => !reachable.includes(engine))
      .map((engine) => engine.name);
    const unseen = new Set(
      silent.length === 0
        ? []
        : (
            await this.prisma.labSession.findMany({
              where: { instanceId, engine: { in: silent }, subnet: { isNot: null } },
              select: { id: true },
            })
          ).map((s) => s.id),
    );
    const freed = await this.subnets.releaseOver(
      instanceId,
      (id) => withNetwork.has(id) || unseen.has(id) || this.lifecycle.isBusy(id),
    );
    if (freed > 0) this.logger.log(`Freed the subnets of ${freed} session(s) that are over`);
    return orphanCount;
  }

  private async reconcileSession(session: LabSessionWithNodes): Promise<void> {
    switch (session.status) {
      case "provisioning":
        await this.lifecycle.fail(session.id, { code: "server_restarted" });
        return;
      case "ending":
        await this.lifecycle.finishEnding(session.id);
        return;
      // A pooled session from before a restart is adopted when its nodes still run.
      case "pooled":
      case "ready": {
        // A silent engine's sessions wait for it (EngineWatch fails them once it is lost).
        if (!this.engines.isUp(session.engine)) return;
        const engine = this.engines.byName(session.engine);
        const dead = [];
        for (const node of session.nodes) {
          if (!node.containerId || !(await engine.isRunning(node.containerId))) dead.push(node.name);
        }
        if (dead.length > 0) await this.lifecycle.fail(session.id, { code: "node_died", nodes: dead });
        return;
      }
      // Holds no Docker objects yet; SessionQueue starts it when a place frees, restart or not.
      case "queued":
      case "failed":
      case "ended":
        return; // not live: not loaded above
    }
  }
}

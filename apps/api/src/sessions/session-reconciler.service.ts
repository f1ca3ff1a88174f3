import { Inject, Injectable, Logger } from "@nestjs/common";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { LIVE_SESSION_STATUSES } from "@kubelab/shared";
import { PrismaService } from "../database/prisma.service";
import { DockerEngine } from "../nodes/docker-engine.adapter";
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
    private readonly engine: DockerEngine,
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
    const orphans = await this.removeLeftovers();
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
    const instanceId = this.config.instanceId;
    const stillLive = new Set(
      (
        await this.prisma.labSession.findMany({
          where: { instanceId, status: { in: [...LIVE_SESSION_STATUSES] } },
          select: { id: true },
        })
      ).map((s) => s.id),
    );
    const objects = await this.engine.listInstanceObjects(instanceId);
    const orphans = new Set(
      [...objects.containers, ...objects.networks, ...objects.volumes]
        .map((o) => o.sessionId)
        .filter((id) => !stillLive.has(id) && !this.lifecycle.isBusy(id)),
    );
    for (const sessionId of orphans) {
      this.logger.warn(`Removing Docker objects of session ${sessionId || "(unlabelled)"}, which is not live`);
      await this.engine
        .removeSessionObjects(instanceId, sessionId)
        .catch((error: unknown) =>
          this.logger.warn(`Leftovers of session ${sessionId} not removed yet: ${(error as Error).message}`),
        );
    }
    // Listed again after removals, so a network removed just now counts as gone.
    const { networks } = orphans.size > 0 ? await this.engine.listInstanceObjects(instanceId) : objects;
    const withNetwork = new Set(networks.map((n) => n.sessionId));
    const freed = await this.subnets.releaseOver(instanceId, (id) => withNetwork.has(id) || this.lifecycle.isBusy(id));
    if (freed > 0) this.logger.log(`Freed the subnets of ${freed} session(s) that are over`);
    return orphans.size;
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
        const dead = [];
        for (const node of session.nodes) {
          if (!node.containerId || !(await this.engine.isRunning(node.containerId))) dead.push(node.name);
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

import { Inject, Injectable, Logger } from "@nestjs/common";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import { DockerEngine } from "../nodes/docker-engine.adapter";
import { NodeFirewall } from "../nodes/node-firewall.service";
import { NodeLayerQuotaResolver } from "../nodes/node-layer-quota.resolver";
import { NodeSecurityProfileResolver } from "../nodes/node-security-profile.resolver";
import { waitForInnerDocker } from "../nodes/node-readiness";
import { SessionEvents } from "./session-events";
import type { LabSessionWithNodes } from "./session-view";

interface InFlight {
  abort: AbortController;
  done: Promise<void>;
}

/**
 * Creates and destroys the Docker side of sessions. Provisioning runs in the
 * background after the API answers 201; the database status is only moved
 * with conditional updates, so a delete or expiry racing provisioning wins
 * and nothing is left running behind it.
 */
@Injectable()
export class SessionProvisioner {
  private readonly logger = new Logger("SessionProvisioner");
  private readonly inFlight = new Map<string, InFlight>();

  constructor(
    private readonly prisma: PrismaService,
    private readonly engine: DockerEngine,
    private readonly profiles: NodeSecurityProfileResolver,
    private readonly layerQuota: NodeLayerQuotaResolver,
    private readonly events: SessionEvents,
    private readonly firewall: NodeFirewall,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Starts provisioning in the background; never throws (failures mark the session failed). */
  provision(session: LabSessionWithNodes): void {
    const abort = new AbortController();
    const done = this.run(session, abort.signal)
      .catch(async (error: unknown) => {
        const reason = abort.signal.aborted ? String((abort.signal.reason as Error).message) : (error as Error).message;
        this.logger.warn(`Session ${session.id} failed: ${reason}`);
        await this.fail(session.id, reason);
      })
      .catch((error: unknown) => this.logger.error(`Cleanup of session ${session.id} failed`, (error as Error).stack))
      .finally(() => this.inFlight.delete(session.id));
    this.inFlight.set(session.id, { abort, done });
  }

  /** Stops any provisioning of the session and waits until it has let go of it. */
  async cancel(sessionId: string, reason = "the session was ended while it was being created"): Promise<void> {
    const running = this.inFlight.get(sessionId);
    if (!running) return;
    running.abort.abort(new Error(reason));
    await running.done;
  }

  /** At shutdown: half-built sessions are failed and cleaned up rather than left behind. */
  async cancelAll(): Promise<void> {
    const ids = [...this.inFlight.keys()];
    await Promise.all(ids.map((id) => this.cancel(id, "the server shut down while this session was being created")));
  }

  isProvisioning(sessionId: string): boolean {
    return this.inFlight.has(sessionId);
  }

  async removeDockerObjects(sessionId: string): Promise<void> {
    await this.engine.removeSessionObjects(this.config.instanceId, sessionId);
    await this.prisma.labNode.updateMany({ where: { sessionId }, data: { status: "removed" } });
  }

  /** Marks a live session failed and frees its Docker objects. No-op for sessions already ending or over. */
  async fail(sessionId: string, reason: string): Promise<void> {
    const changed = await this.prisma.labSession.updateMany({
      where: { id: sessionId, status: { in: ["provisioning", "ready"] } },
      data: { status: "failed", statusReason: reason, endedAt: new Date() },
    });
    if (changed.count === 0) return;
    this.events.emitStopped({ sessionId, outcome: "failed", reason });
    await this.removeDockerObjects(sessionId);
    await this.prisma.labNode.updateMany({ where: { sessionId }, data: { status: "failed" } });
  }

  private async run(session: LabSessionWithNodes, signal: AbortSignal): Promise<void> {
    const { memoryBytes, cpus, pidsLimit, readyTimeoutSeconds } = this.config.nodes;
    const image = session.image;
    const deadline = Date.now() + readyTimeoutSeconds * 1000;
    const baseLabels = { instanceId: this.config.instanceId, sessionId: session.id, ownerId: session.ownerId };
    if (!(await this.engine.imageExists(image))) {
      // Only the default offline image is built by images:build; others have their own recipe.
      const hint =
        image === "kubelab/node-offline:latest"
          ? "build it with: npm run images:build"
          : "build it (see README, Node images) or leave it out of NODE_IMAGES to use NODE_IMAGE instead";
      throw new Error(`the node image "${image}" is not on this Docker engine (${hint})`);
    }
    const profile = await this.profiles.profile();
    // Fail closed: a node must never run on a host whose firewall does not fence it in.
    await this.firewall.ensureInstalled().catch((error: unknown) => {
      throw new Error(`the node firewall could not be installed, so no node may start: ${(error as Error).message}`);
    });
    const layerQuotaBytes = await this.layerQuota.quotaBytes();
    signal.throwIfAborted();
    await this.engine.createSessionNetwork(baseLabels);
    await this.engine.joinSessionNetwork(this.config.kubelabContainer, session.id);
    await Promise.all(
      session.nodes.map(async ({ name }) => {
        signal.throwIfAborted();
        const started = await this.engine
          .startNode({
            labels: { ...baseLabels, node: name },
            image,
            profile,
            memoryBytes,
            cpus,
            pidsLimit,
            layerQuotaBytes,
          })
          .catch((error: unknown) => {
            throw new Error(`${name} could not start: ${(error as Error).message.trim()}${hintFor(error, profile)}`);
          });
        await this.prisma.labNode.update({
          where: { sessionId_name: { sessionId: session.id, name } },
          data: { status: "running", containerId: started.containerId, ip: started.ip },
        });
        await waitForInnerDocker(this.engine, started.containerId, name, deadline, signal);
      }),
    );
    signal.throwIfAborted();
    const changed = await this.prisma.labSession.updateMany({
      where: { id: session.id, status: "provisioning" },
      data: { status: "ready", readyAt: new Date() },
    });
    if (changed.count === 0) throw new Error("session ended while it was being created");
    this.logger.log(`Session ${session.id} ready`);
  }
}

function hintFor(error: unknown, profile: string): string {
  const message = (error as Error).message;
  if (profile === "privileged" && /apply caps|operation not permitted/i.test(message)) {
    return " (this host refuses privileged containers: set NODE_SECURITY_PROFILE=capabilities or auto)";
  }
  return "";
}

import { Inject, Injectable } from "@nestjs/common";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { POOL_OWNER_LABEL } from "../nodes/docker-labels";
import { DockerEngine } from "../nodes/docker-engine.adapter";
import { NodeFirewall } from "../nodes/node-firewall.service";
import { NodeLayerQuotaResolver } from "../nodes/node-layer-quota.resolver";
import { NODE_PROFILE_UNAVAILABLE, NodeSecurityProfileResolver } from "../nodes/node-security-profile.resolver";
import { NodeNotReady, waitForInnerDocker } from "../nodes/node-readiness";
import { SessionFailure } from "./session-reason";
import type { LabSessionWithNodes } from "./session-view";

export interface StartedNode {
  name: string;
  containerId: string;
  ip: string | null;
}

/**
 * The Docker side of sessions: builds a session's network and nodes and removes them. It knows
 * nothing of session statuses: SessionLifecycle calls it and records what happened. A step that
 * knows why it failed throws a SessionFailure with a typed reason.
 */
@Injectable()
export class SessionProvisioner {
  constructor(
    private readonly engine: DockerEngine,
    private readonly profiles: NodeSecurityProfileResolver,
    private readonly layerQuota: NodeLayerQuotaResolver,
    private readonly firewall: NodeFirewall,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async removeDockerObjects(sessionId: string): Promise<void> {
    await this.engine.removeSessionObjects(this.config.instanceId, sessionId);
  }

  /**
   * Creates the session network and its nodes, and resolves once every node's inner engine answers.
   * `nodeStarted` hears of each node as its container runs (so progress can be shown).
   */
  async build(
    session: LabSessionWithNodes,
    signal: AbortSignal,
    nodeStarted: (node: StartedNode) => Promise<void>,
  ): Promise<void> {
    const { memoryBytes, cpus, pidsLimit, readyTimeoutSeconds } = this.config.nodes;
    const image = session.image;
    const deadline = Date.now() + readyTimeoutSeconds * 1000;
    // Labels cannot change after creation: a pool session says "pool" for good; the database's
    // owner_id is the only owner anything reads.
    const ownerId = session.ownerId ?? POOL_OWNER_LABEL;
    const baseLabels = { instanceId: this.config.instanceId, sessionId: session.id, ownerId };
    if (!(await this.engine.imageExists(image))) {
      // Only the default offline image is built by images:build; others have their own recipe.
      const hint =
        image === "kubelab/node-offline:latest"
          ? "build it with: npm run images:build"
          : "build it (see README, Node images) or leave it out of NODE_IMAGES to use NODE_IMAGE instead";
      throw new SessionFailure({
        code: "image_missing",
        detail: `the node image "${image}" is not on this Docker engine (${hint})`,
      });
    }
    const profile = await this.profiles.profile().catch((error: unknown) => {
      const message = (error as Error).message;
      if (!message.startsWith(NODE_PROFILE_UNAVAILABLE)) throw error;
      throw new SessionFailure({ code: "profile_unavailable", detail: message });
    });
    // Fail closed: a node must never run on a host whose firewall does not fence it in.
    await this.firewall.ensureInstalled().catch((error: unknown) => {
      throw new SessionFailure({
        code: "firewall_unavailable",
        detail: `the node firewall could not be installed, so no node may start: ${(error as Error).message}`,
      });
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
            throw new SessionFailure({
              code: "node_start_failed",
              nodes: [name],
              detail: `${name} could not start: ${(error as Error).message.trim()}${hintFor(error, profile)}`,
            });
          });
        await nodeStarted({ name, containerId: started.containerId, ip: started.ip });
        await waitForInnerDocker(this.engine, started.containerId, name, deadline, signal).catch((error: unknown) => {
          if (!(error instanceof NodeNotReady)) throw error;
          const code = error.kind === "timeout" ? "ready_timeout" : "node_start_failed";
          throw new SessionFailure({ code, nodes: [name], detail: error.message });
        });
      }),
    );
    signal.throwIfAborted();
  }
}

function hintFor(error: unknown, profile: string): string {
  const message = (error as Error).message;
  if (profile === "privileged" && /apply caps|operation not permitted/i.test(message)) {
    return " (this host refuses privileged containers: set NODE_SECURITY_PROFILE=capabilities or auto)";
  }
  return "";
}

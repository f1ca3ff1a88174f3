import { Inject, Injectable, Logger } from "@nestjs/common";
import type { TLessonNodeResources } from "@kubelab/shared";
import { SettingsService } from "../settings/settings.service";
import { LessonCatalog } from "../lessons/lesson-catalog.service";
import { nodeResources } from "../lessons/lesson-resources";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { POOL_OWNER_LABEL } from "../nodes/docker-labels";
import { SubnetUnavailableError, type DockerEngine } from "../nodes/docker-engine.adapter";
import { DockerEngines } from "../nodes/docker-engines.service";
import { AppError } from "../common/app-error";
import { NodeFirewall } from "../nodes/node-firewall.service";
import { NodeLayerQuotaResolver } from "../nodes/node-layer-quota.resolver";
import { NODE_PROFILE_UNAVAILABLE, NodeSecurityProfileResolver } from "../nodes/node-security-profile.resolver";
import { NodeNotReady, waitForNodeReady } from "../nodes/node-readiness";
import { announcesReady } from "../nodes/node-ready-marker";
import { SessionFailure } from "./session-reason";
import { SessionSubnets } from "./session-subnets.service";
import { gatewayOf } from "./subnet-blocks";
import type { LabSessionWithNodes } from "./session-view";

// Other installs on the engine may race us for the same addresses; a few tries settle it.
const MAX_SUBNET_ATTEMPTS = 4;

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
  private readonly logger = new Logger("SessionProvisioner");

  constructor(
    private readonly engines: DockerEngines,
    private readonly profiles: NodeSecurityProfileResolver,
    private readonly layerQuota: NodeLayerQuotaResolver,
    private readonly firewall: NodeFirewall,
    private readonly subnets: SessionSubnets,
    private readonly settings: SettingsService,
    private readonly catalog: LessonCatalog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Removes the session's containers, volumes and network, then frees its subnet block. */
  async removeDockerObjects(sessionId: string): Promise<void> {
    const engine = await this.engines.forSession(sessionId);
    await engine.removeSessionObjects(this.config.instanceId, sessionId);
    await this.subnets.release(sessionId);
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
    const { readyTimeoutSeconds, registryMirror } = this.config.nodes;
    // The console's node resources at build time: a change applies to sessions built after it.
    const {
      nodeMemoryBytes,
      nodeCpus,
      nodeMemoryMaxBytes,
      nodeCpusMax,
      nodePidsLimit: pidsLimit,
    } = this.settings.current();
    const requests = this.lessonResources(session.lessonId);
    const image = session.image;
    const deadline = Date.now() + readyTimeoutSeconds * 1000;
    // Labels cannot change after creation: a pool session says "pool" for good; the database's
    // owner_id is the only owner anything reads.
    const ownerId = session.ownerId ?? POOL_OWNER_LABEL;
    const baseLabels = { instanceId: this.config.instanceId, sessionId: session.id, ownerId };
    // Where it runs is chosen first and recorded, so everything after (even a cleanup after a crash) finds it.
    const engine = await this.engines
      .place(session.id, nodeMemoryBytes * session.nodes.length)
      .catch((error: unknown) => {
        if (!(error instanceof AppError)) throw error;
        throw new SessionFailure({ code: "engine_unavailable", detail: error.message });
      });
    const imageLabels = await engine.imageLabels(image);
    if (!imageLabels) {
      // Only the default offline image is built by images:build; others have their own recipe.
      const hint =
        image === "kubelab/node-offline:latest"
          ? "build it with: npm run images:build"
          : "build it (see README, Node images) or leave it out of NODE_IMAGES to use NODE_IMAGE instead";
      throw new SessionFailure({
        code: "image_missing",
        detail: `the node image "${image}" is not on ${this.engines.several ? `the Docker engine ${engine.name}` : "this Docker engine"} (${hint})`,
      });
    }
    const profile = await this.profiles.profile().catch((error: unknown) => {
      const message = (error as Error).message;
      if (!message.startsWith(NODE_PROFILE_UNAVAILABLE)) throw error;
      throw new SessionFailure({ code: "profile_unavailable", detail: message });
    });
    // Fail closed: a node must never run on a host whose firewall does not fence it in.
    await this.firewall.ensureInstalled(engine).catch((error: unknown) => {
      throw new SessionFailure({
        code: "firewall_unavailable",
        detail: `the node firewall could not be installed, so no node may start: ${(error as Error).message}`,
      });
    });
    const layerQuotaBytes = await this.layerQuota.quotaBytes();
    // Nodes of images that print the ready marker tell us themselves when they are ready; others
    // (images built elsewhere, e.g. listed in NODE_IMAGES) are polled with exec.
    const followOutput = announcesReady(imageLabels);
    signal.throwIfAborted();
    await this.createNetwork(engine, baseLabels);
    // Only a local engine's networks can take the container Kubelab runs in (others go through relays).
    if (engine.isLocal) await engine.joinSessionNetwork(this.config.kubelabContainer, session.id);
    // The first node to fail stops its siblings, but every node's Docker calls settle before this
    // returns: the caller then removes the session's objects, and a volume or container created a
    // moment after that would be left behind (seen under heavy load when shutdown cancelled a build).
    const siblings = new AbortController();
    const stopSiblings = () => siblings.abort(signal.reason);
    signal.addEventListener("abort", stopSiblings, { once: true });
    let firstFailure: unknown;
    await Promise.allSettled(
      session.nodes
        .map(async ({ name }) => {
          siblings.signal.throwIfAborted();
          // The lesson's front matter `resources`, never above the admin's per-node limits.
          const { memoryBytes, cpus, clamped } = nodeResources(requests[name], {
            memoryBytes: nodeMemoryBytes,
            cpus: nodeCpus,
            maxMemoryBytes: nodeMemoryMaxBytes,
            maxCpus: nodeCpusMax,
          });
          if (clamped) {
            this.logger.log(
              `Session ${session.id}: ${name} gets ${memoryBytes} bytes and ${cpus} CPUs, less than its lesson asks (NODE_MEMORY_MAX, NODE_CPUS_MAX)`,
            );
          }
          const started = await engine
            .startNode(
              {
                labels: { ...baseLabels, node: name },
                image,
                profile,
                memoryBytes,
                cpus,
                pidsLimit,
                layerQuotaBytes,
                registryMirror,
              },
              { followOutput },
            )
            .catch((error: unknown) => {
              throw new SessionFailure({
                code: "node_start_failed",
                nodes: [name],
                detail: `${name} could not start: ${(error as Error).message.trim()}${hintFor(error, profile)}`,
              });
            });
          try {
            await nodeStarted({ name, containerId: started.containerId, ip: started.ip });
          } catch (error) {
            started.output?.destroy();
            throw error;
          }
          const node = { name, containerId: started.containerId, output: started.output };
          await waitForNodeReady(engine, node, deadline, siblings.signal).catch((error: unknown) => {
            if (!(error instanceof NodeNotReady)) throw error;
            const code = error.kind === "timeout" ? "ready_timeout" : "node_start_failed";
            throw new SessionFailure({ code, nodes: [name], detail: error.message });
          });
        })
        .map((node) =>
          node.catch((error: unknown) => {
            if (!siblings.signal.aborted) {
              firstFailure = error;
              siblings.abort(error);
            }
          }),
        ),
    );
    signal.removeEventListener("abort", stopSiblings);
    signal.throwIfAborted();
    if (siblings.signal.aborted) throw firstFailure;
  }

  /** What the session's lesson asks for its nodes; nothing for a pool session (no lesson yet). */
  private lessonResources(lessonId: string | null): Record<string, TLessonNodeResources | undefined> {
    if (!lessonId) return {};
    try {
      return this.catalog.get(lessonId).resources;
    } catch {
      return {}; // a lesson no longer in LESSONS_DIR: its session still starts, with the defaults
    }
  }

  /**
   * Creates the network on the session's block of NODE_SUBNETS (given at creation; allocated here
   * for sessions made otherwise). When Docker refuses the block because a network it did not get
   * from us holds those addresses (another install on this engine with its own database, or any
   * other program), the session moves to a block clear of every network on the engine.
   */
  private async createNetwork(
    engine: DockerEngine,
    labels: { instanceId: string; sessionId: string; ownerId: string },
  ): Promise<void> {
    const unavailable = (detail: string) => new SessionFailure({ code: "network_unavailable", detail });
    let subnet = await this.subnets.ensure(labels.sessionId).catch((error: unknown) => {
      throw unavailable((error as Error).message);
    });
    for (let attempt = 1; ; attempt++) {
      try {
        await engine.createSessionNetwork(labels, { subnet, gateway: gatewayOf(subnet) });
        return;
      } catch (error) {
        if (!(error instanceof SubnetUnavailableError)) throw error;
        this.logger.warn(`Session ${labels.sessionId}: ${error.message}; trying another block`);
        const next =
          attempt < MAX_SUBNET_ATTEMPTS
            ? await this.subnets.reallocate(labels.sessionId, await engine.networkSubnets())
            : undefined;
        if (!next) {
          throw unavailable(`${error.message} (no block of NODE_SUBNETS is clear of the Docker host's other networks)`);
        }
        subnet = next;
      }
    }
  }
}

function hintFor(error: unknown, profile: string): string {
  const message = (error as Error).message;
  if (profile === "privileged" && /apply caps|operation not permitted/i.test(message)) {
    return " (this host refuses privileged containers: set NODE_SECURITY_PROFILE=capabilities or auto)";
  }
  return "";
}

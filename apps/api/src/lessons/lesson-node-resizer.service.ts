import { Injectable, Logger, type OnModuleInit } from "@nestjs/common";
import type { TLessonNodeResources } from "@kubelab/shared";
import { PrismaService } from "../database/prisma.service";
import { DockerEngines } from "../nodes/docker-engines.service";
import { nodeContainerName } from "../nodes/docker-labels";
import { SessionEvents } from "../sessions/session-events";
import { SettingsService } from "../settings/settings.service";
import { LessonCatalog } from "./lesson-catalog.service";
import { nodeResources } from "./lesson-resources";

/**
 * Gives the nodes of a session claimed from a warm pool the resources its lesson asks for (front
 * matter `resources`, within NODE_MEMORY_MAX and NODE_CPUS_MAX). Pool sessions are built before
 * anyone picks a lesson, with the defaults; skipping the pool for such lessons would make the
 * workshop's own lesson (node1: 4g) a cold start for everybody, so the nodes are resized in place
 * (`docker update`) right after the claim. Sessions built for their lesson already have them.
 */
@Injectable()
export class LessonNodeResizer implements OnModuleInit {
  private readonly logger = new Logger("LessonResources");

  constructor(
    private readonly prisma: PrismaService,
    private readonly catalog: LessonCatalog,
    private readonly engines: DockerEngines,
    private readonly events: SessionEvents,
    private readonly settings: SettingsService,
  ) {}

  onModuleInit(): void {
    this.events.onReady((sessionId) => void this.fit(sessionId));
  }

  private async fit(sessionId: string): Promise<void> {
    const session = await this.prisma.labSession.findUnique({
      where: { id: sessionId },
      select: { lessonId: true, poolKey: true, engine: true, nodes: { select: { name: true, containerId: true } } },
    });
    if (!session?.lessonId || !session.poolKey) return;
    const requests = this.requestsOf(session.lessonId);
    if (Object.keys(requests).length === 0) return;
    const s = this.settings.current();
    const limits = {
      memoryBytes: s.nodeMemoryBytes,
      cpus: s.nodeCpus,
      maxMemoryBytes: s.nodeMemoryMaxBytes,
      maxCpus: s.nodeCpusMax,
    };
    if (!this.engines.isUp(session.engine)) return; // an engine not answering (or gone) cannot resize
    const engine = this.engines.byName(session.engine);
    for (const node of session.nodes) {
      if (!node.containerId) continue;
      const container = nodeContainerName(sessionId, node.name);
      const wanted = nodeResources(requests[node.name], limits);
      try {
        const current = await engine.nodeLimits(container);
        if (!current || (current.memoryBytes === wanted.memoryBytes && Math.abs(current.cpus - wanted.cpus) < 0.001))
          continue;
        await engine.resizeNode(container, wanted);
        this.logger.log(
          `Session ${sessionId}: ${node.name} resized to ${wanted.memoryBytes} bytes, ${wanted.cpus} CPUs`,
        );
      } catch (error) {
        // Lowering below what the node already uses is refused; the node keeps its limits.
        this.logger.warn(`Session ${sessionId}: ${node.name} not resized: ${(error as Error).message}`);
      }
    }
  }

  private requestsOf(lessonId: string): Record<string, TLessonNodeResources | undefined> {
    try {
      return this.catalog.get(lessonId).resources;
    } catch {
      return {};
    }
  }
}

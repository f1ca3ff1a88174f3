import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from "@nestjs/common";
import { setTimeout as sleep } from "node:timers/promises";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { Leadership } from "../cluster/leadership.service";
import { PrismaService } from "../database/prisma.service";
import type { DockerEngine, NodeEventWatch } from "../nodes/docker-engine.adapter";
import { DockerEngines } from "../nodes/docker-engines.service";
import type { NodeEvent } from "../nodes/docker-events";
import { SessionNotices } from "./session-notices.service";
import { SessionLifecycle } from "./session-lifecycle.service";
import { SessionReconciler } from "./session-reconciler.service";

// A runaway program can hit the memory limit many times a second; one notice per node per window.
const OOM_NOTICE_WINDOW_MS = 10_000;

/**
 * Watches Docker events so a node that dies (crash, `docker kill`, its init
 * killed for memory) fails its session at once instead of leaving it "ready"
 * with dead nodes. An `oom` event alone means the kernel stopped one process
 * inside the node: the node lives on, so the attendee only gets an oom_kill
 * notice. When the event stream breaks (engine restart) it reconnects and
 * reconciles, since events may have been missed meanwhile. One stream per Docker engine.
 */
@Injectable()
export class NodeEventsMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger("NodeEvents");
  private readonly watches = new Set<NodeEventWatch>();
  private stopped = false;

  constructor(
    private readonly engines: DockerEngines,
    private readonly prisma: PrismaService,
    private readonly lifecycle: SessionLifecycle,
    private readonly notices: SessionNotices,
    private readonly reconciler: SessionReconciler,
    private readonly leadership: Leadership,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    for (const engine of this.engines.all()) void this.watchForever(engine);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    for (const watch of this.watches) watch.close();
  }

  private async watchForever(engine: DockerEngine): Promise<void> {
    let firstConnection = true;
    let failing = false;
    const where = this.engines.several ? ` of ${engine.name}` : "";
    while (!this.stopped) {
      let watch: NodeEventWatch | undefined;
      try {
        watch = await engine.watchNodeEvents(this.config.instanceId);
        this.watches.add(watch);
        // Shut down while Docker was answering: nobody else will close this one.
        if (this.stopped) watch.close();
        failing = false;
        if (!firstConnection && this.leadership.isLeader) await this.reconciler.reconcile();
        firstConnection = false;
        for await (const event of watch.events) await this.onEvent(event);
      } catch (error) {
        // Once per outage: a silent engine is retried every 2 s.
        if (!this.stopped && !failing)
          this.logger.warn(`Docker event stream${where} unavailable: ${(error as Error).message}`);
        failing = true;
      } finally {
        if (watch) this.watches.delete(watch);
      }
      if (!this.stopped) await sleep(2_000);
    }
  }

  private async onEvent(event: NodeEvent): Promise<void> {
    // The leader acts on events; a new leader reconciles first, which covers what it did not see.
    if (!this.leadership.isLeader) return;
    const { sessionId, node } = event;
    const session = await this.prisma.labSession.findUnique({ where: { id: sessionId }, select: { status: true } });
    // Deaths during ending are ours; during provisioning the provisioner sees them itself. A pooled
    // session's dead node fails it too, so it is never handed out.
    if (session?.status !== "ready" && session?.status !== "pooled") return;
    if (event.kind === "oom") {
      this.logger.warn(`Session ${sessionId}: a process in ${node} was killed for lack of memory`);
      const since = new Date(Date.now() - OOM_NOTICE_WINDOW_MS);
      if (!(await this.notices.exists(sessionId, "oom_kill", node, since))) {
        await this.notices.add(sessionId, { code: "oom_kill", node });
      }
      return;
    }
    this.logger.warn(`Session ${sessionId}: ${node} stopped (exit code ${event.exitCode ?? "?"})`);
    await this.lifecycle.fail(sessionId, {
      code: "node_died",
      nodes: [node],
      ...(event.exitCode === null ? {} : { exitCode: event.exitCode }),
    });
  }
}

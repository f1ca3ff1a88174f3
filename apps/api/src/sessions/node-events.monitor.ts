import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from "@nestjs/common";
import { setTimeout as sleep } from "node:timers/promises";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { Leadership } from "../cluster/leadership.service";
import { PrismaService } from "../database/prisma.service";
import { DockerEngine, type NodeEventWatch } from "../nodes/docker-engine.adapter";
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
 * reconciles, since events may have been missed meanwhile.
 */
@Injectable()
export class NodeEventsMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger("NodeEvents");
  private watch: NodeEventWatch | undefined;
  private stopped = false;

  constructor(
    private readonly engine: DockerEngine,
    private readonly prisma: PrismaService,
    private readonly lifecycle: SessionLifecycle,
    private readonly notices: SessionNotices,
    private readonly reconciler: SessionReconciler,
    private readonly leadership: Leadership,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.watchForever();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.watch?.close();
  }

  private async watchForever(): Promise<void> {
    let firstConnection = true;
    while (!this.stopped) {
      try {
        const watch = await this.engine.watchNodeEvents(this.config.instanceId);
        this.watch = watch;
        // Shut down while Docker was answering: nobody else will close this one.
        if (this.stopped) watch.close();
        if (!firstConnection && this.leadership.isLeader) await this.reconciler.reconcile();
        firstConnection = false;
        for await (const event of watch.events) await this.onEvent(event);
      } catch (error) {
        if (!this.stopped) this.logger.warn(`Docker event stream unavailable: ${(error as Error).message}`);
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

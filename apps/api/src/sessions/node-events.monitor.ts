import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from "@nestjs/common";
import { setTimeout as sleep } from "node:timers/promises";
import type { Readable } from "node:stream";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import { DockerEngine } from "../nodes/docker-engine.adapter";
import { LABEL_INSTANCE, LABEL_NODE, LABEL_SESSION } from "../nodes/docker-labels";
import { SessionNotices } from "./session-notices.service";
import { SessionLifecycle } from "./session-lifecycle.service";
import { SessionReconciler } from "./session-reconciler.service";

interface DockerEvent {
  Action?: string;
  Actor?: { Attributes?: Record<string, string> };
}

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
  private stream: Readable | undefined;
  private stopped = false;

  constructor(
    private readonly engine: DockerEngine,
    private readonly prisma: PrismaService,
    private readonly lifecycle: SessionLifecycle,
    private readonly notices: SessionNotices,
    private readonly reconciler: SessionReconciler,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.watchForever();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.stream?.destroy();
  }

  private async watchForever(): Promise<void> {
    let firstConnection = true;
    while (!this.stopped) {
      try {
        const stream = await this.engine.watchEvents({
          type: ["container"],
          event: ["die", "oom"],
          label: [`${LABEL_INSTANCE}=${this.config.instanceId}`],
        });
        this.stream = stream;
        if (!firstConnection) await this.reconciler.reconcile();
        firstConnection = false;
        await this.consume(stream);
      } catch (error) {
        if (!this.stopped) this.logger.warn(`Docker event stream unavailable: ${(error as Error).message}`);
      }
      if (!this.stopped) await sleep(2_000);
    }
  }

  private async consume(stream: Readable): Promise<void> {
    let buffered = "";
    for await (const chunk of stream) {
      buffered += (chunk as Buffer).toString("utf8");
      let newline: number;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.trim()) await this.onEvent(JSON.parse(line) as DockerEvent);
      }
    }
  }

  private async onEvent(event: DockerEvent): Promise<void> {
    const attributes = event.Actor?.Attributes ?? {};
    const sessionId = attributes[LABEL_SESSION];
    const node = attributes[LABEL_NODE];
    if (!sessionId || !node) return;
    const session = await this.prisma.labSession.findUnique({ where: { id: sessionId }, select: { status: true } });
    // Deaths during ending are ours; during provisioning the provisioner sees them itself.
    if (session?.status !== "ready") return;
    if (event.Action === "oom") {
      this.logger.warn(`Session ${sessionId}: a process in ${node} was killed for lack of memory`);
      const since = new Date(Date.now() - OOM_NOTICE_WINDOW_MS);
      if (!(await this.notices.exists(sessionId, "oom_kill", node, since))) {
        await this.notices.add(sessionId, { code: "oom_kill", node });
      }
      return;
    }
    const exitCode = Number.parseInt(attributes.exitCode ?? "", 10);
    this.logger.warn(`Session ${sessionId}: ${node} stopped (exit code ${attributes.exitCode ?? "?"})`);
    await this.lifecycle.fail(sessionId, {
      code: "node_died",
      nodes: [node],
      ...(Number.isInteger(exitCode) ? { exitCode } : {}),
    });
  }
}

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from "@nestjs/common";
import { setTimeout as sleep } from "node:timers/promises";
import type { Readable } from "node:stream";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";
import { DockerEngine } from "../nodes/docker-engine.adapter";
import { LABEL_INSTANCE, LABEL_NODE, LABEL_SESSION } from "../nodes/docker-labels";
import { SessionProvisioner } from "./session-provisioner.service";
import { SessionReconciler } from "./session-reconciler.service";

interface DockerEvent {
  Action?: string;
  Actor?: { Attributes?: Record<string, string> };
}

/**
 * Watches Docker events so a node that dies (OOM, crash, `docker kill`) fails
 * its session at once instead of leaving it "ready" with dead nodes. When the
 * event stream breaks (engine restart) it reconnects and reconciles, since
 * events may have been missed meanwhile.
 */
@Injectable()
export class NodeEventsMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger("NodeEvents");
  private stream: Readable | undefined;
  private stopped = false;

  constructor(
    private readonly engine: DockerEngine,
    private readonly prisma: PrismaService,
    private readonly provisioner: SessionProvisioner,
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
    const node = attributes[LABEL_NODE] ?? "a node";
    if (!sessionId) return;
    const session = await this.prisma.labSession.findUnique({ where: { id: sessionId }, select: { status: true } });
    // Deaths during ending are ours; during provisioning the provisioner sees them itself.
    if (session?.status !== "ready") return;
    const why = event.Action === "oom" ? "ran out of memory" : `stopped (exit code ${attributes.exitCode ?? "?"})`;
    this.logger.warn(`Session ${sessionId}: ${node} ${why}`);
    await this.provisioner.fail(sessionId, `${node} ${why}`);
  }
}

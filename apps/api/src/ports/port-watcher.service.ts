import { Injectable, Logger, type OnModuleDestroy } from "@nestjs/common";
import { PrismaService } from "../database/prisma.service";
import { DockerEngines } from "../nodes/docker-engines.service";
import { SessionEvents } from "../sessions/session-events";
import { DISCOVERY_COMMAND, parseDiscoveryOutput, type DetectedPort } from "./port-discovery";

// Poll fast while something may be starting, slow once the ports have been stable for a while.
export const FAST_POLL_MS = 3_000;
export const SLOW_POLL_MS = 15_000;
export const SLOW_AFTER_MS = 120_000;

export interface PortListener {
  /** The detected ports changed (or a listener joined, or the caller asked for a refresh). */
  changed(ports: DetectedPort[]): void;
  /** The session stopped; no more updates will come. */
  ended(reason: string): void;
}

interface Watch {
  listeners: Set<PortListener>;
  ports: DetectedPort[] | undefined;
  key: string;
  lastChangeAt: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Port discovery costs one exec per node, so sessions are only polled while
 * someone watches them (an open event stream); nobody watching, no exec.
 */
@Injectable()
export class PortWatcher implements OnModuleDestroy {
  private readonly logger = new Logger("PortWatcher");
  private readonly watches = new Map<string, Watch>();

  constructor(
    private readonly prisma: PrismaService,
    private readonly engines: DockerEngines,
    events: SessionEvents,
  ) {
    events.onStopped(({ sessionId, reason }) => {
      const watch = this.watches.get(sessionId);
      if (!watch) return;
      for (const listener of watch.listeners) listener.ended(reason);
      this.drop(sessionId, watch);
    });
  }

  // Open event streams would keep the HTTP server from closing at shutdown.
  onModuleDestroy(): void {
    for (const [id, watch] of this.watches) {
      for (const listener of watch.listeners) listener.ended("the server is shutting down");
      this.drop(id, watch);
    }
  }

  /** What the session's nodes listen on right now (one exec per running node). */
  async detect(sessionId: string): Promise<DetectedPort[]> {
    const nodes = await this.prisma.labNode.findMany({ where: { sessionId, status: "running" } });
    // A session on an engine no longer configured has nothing to discover (and polls never reject).
    const engine = await this.engines.forSession(sessionId).catch(() => undefined);
    if (!engine) return [];
    const perNode = await Promise.all(
      nodes.map(async (node) => {
        if (!node.containerId) return [];
        try {
          const { output } = await engine.exec(node.containerId, DISCOVERY_COMMAND, 10_000);
          return parseDiscoveryOutput(output).map((found) => ({ node: node.name, ...found }));
        } catch (error) {
          this.logger.debug(`Port discovery in ${sessionId}/${node.name} failed: ${(error as Error).message}`);
          return [];
        }
      }),
    );
    return perNode.flat();
  }

  /** The watched snapshot when there is one (at most one poll old), else a fresh discovery. */
  async current(sessionId: string): Promise<DetectedPort[]> {
    return this.watches.get(sessionId)?.ports ?? this.detect(sessionId);
  }

  /** Starts (or joins) polling of a session; call the returned function to stop watching. */
  watch(sessionId: string, listener: PortListener): () => void {
    let watch = this.watches.get(sessionId);
    if (!watch) {
      watch = { listeners: new Set(), ports: undefined, key: "", lastChangeAt: Date.now(), timer: undefined };
      this.watches.set(sessionId, watch);
      this.schedule(sessionId, watch, 0);
    } else if (watch.ports) {
      listener.changed(watch.ports);
    }
    watch.listeners.add(listener);
    const current = watch;
    return () => {
      current.listeners.delete(listener);
      if (current.listeners.size === 0) this.drop(sessionId, current);
    };
  }

  /** Something besides the detected ports changed (visibility): listeners get the same ports again. */
  refresh(sessionId: string): void {
    const watch = this.watches.get(sessionId);
    if (watch?.ports) for (const listener of watch.listeners) listener.changed(watch.ports);
  }

  private schedule(sessionId: string, watch: Watch, delayMs: number): void {
    watch.timer = setTimeout(() => void this.poll(sessionId, watch), delayMs);
  }

  private async poll(sessionId: string, watch: Watch): Promise<void> {
    const ports = await this.detect(sessionId);
    if (this.watches.get(sessionId) !== watch) return; // dropped meanwhile
    const key = JSON.stringify(ports);
    const now = Date.now();
    if (watch.ports === undefined || key !== watch.key) {
      watch.ports = ports;
      watch.key = key;
      watch.lastChangeAt = now;
      for (const listener of watch.listeners) listener.changed(ports);
    }
    this.schedule(sessionId, watch, now - watch.lastChangeAt > SLOW_AFTER_MS ? SLOW_POLL_MS : FAST_POLL_MS);
  }

  private drop(sessionId: string, watch: Watch): void {
    clearTimeout(watch.timer);
    if (this.watches.get(sessionId) === watch) this.watches.delete(sessionId);
  }
}

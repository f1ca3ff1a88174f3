import { Inject, Injectable, Logger, Optional, type OnModuleDestroy } from "@nestjs/common";
import { ClusterBus } from "../cluster/cluster-bus.service";
import { LIVE_SESSION_STATUSES } from "@kubelab/shared";
import { AppError } from "../common/app-error";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { enginesOrLocal } from "../config/docker-engines-config";
import { PrismaService } from "../database/prisma.service";
import type { Prisma } from "../generated/prisma/client";
import { Metrics } from "../metrics/metrics.service";
import { DockerEngine } from "./docker-engine.adapter";
import { pickEngine, type EngineLoad } from "./engine-placement";

/** What the admin console and placement know of an engine. */
export interface EngineState {
  name: string;
  /** Where it is, without credentials (tcp host:port, ssh host, unix socket path). */
  address: string;
  up: boolean;
  /** Since when it has not answered (null while up). */
  downSince: Date | null;
  lastError: string | null;
  draining: boolean;
}

const DRAINS_CHANGED = "engine-drains-changed";

// Sessions move engines never; their names are cached once past provisioning.
const SESSION_ENGINE_CACHE_MAX = 10_000;

/**
 * Every Docker engine sessions run on (DOCKER_ENGINES; one, "local", by default), whether each
 * answers, which ones an admin drains, and where a new session goes. Every Docker call for a
 * session goes to `forSession`'s engine; calls about the installation as a whole (images, the
 * security profile) go to `primary`, the first engine listed.
 */
@Injectable()
export class DockerEngines implements OnModuleDestroy {
  private readonly logger = new Logger("DockerEngines");
  private readonly engines: DockerEngine[];
  // Per engine: since when it has not answered, why, and the memory it last reported (`docker info`).
  private readonly health = new Map<
    string,
    { downSince: Date | null; lastError: string | null; hostMemoryBytes: number | null }
  >();
  private drained = new Set<string>();
  // Bumped by each drain change made here, so a check that read the drains before it is not applied.
  private drainsGeneration = 0;
  private readonly sessionEngines = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly metrics: Metrics,
    @Optional() private readonly bus?: ClusterBus,
  ) {
    // A drain set through another process applies here at once (the checks would see it within seconds).
    bus?.on(DRAINS_CHANGED, () => void this.reloadDrains());
    this.engines = enginesOrLocal(config.docker.engines).map((engine) => new DockerEngine(config, engine, metrics));
    for (const engine of this.engines) {
      this.health.set(engine.name, { downSince: null, lastError: null, hostMemoryBytes: null });
      metrics.setEngineUp(engine.name, true);
    }
  }

  /** The first engine: images, security profile and the start-up check are about it. */
  get primary(): DockerEngine {
    return this.engines[0]!;
  }

  /** Whether more than one engine is configured (the admin console then shows them). */
  get several(): boolean {
    return this.engines.length > 1;
  }

  all(): readonly DockerEngine[] {
    return this.engines;
  }

  /** Engines that answered their last check: the reconciler and the events monitor work on these. */
  reachable(): DockerEngine[] {
    return this.engines.filter((engine) => this.isUp(engine.name));
  }

  /**
   * The engine of that name (a session's `engine`: null while not placed, when nothing of it exists
   * anywhere yet, is the primary); a session on an engine no longer configured gets a clear error.
   */
  byName(name: string | null): DockerEngine {
    if (name === null) return this.primary;
    const engine = this.engines.find((e) => e.name === name);
    if (!engine) {
      throw new AppError(
        "engine_unavailable",
        `This lab runs on Docker engine "${name}", which is no longer configured`,
      );
    }
    return engine;
  }

  /** The engine a session's nodes run on (as recorded when it was built). */
  async forSession(sessionId: string): Promise<DockerEngine> {
    if (!this.several) return this.primary;
    const known = this.sessionEngines.get(sessionId);
    if (known) return this.byName(known);
    const row = await this.prisma.labSession.findUnique({
      where: { id: sessionId },
      select: { engine: true, status: true },
    });
    if (!row) return this.primary;
    // Before its build the row holds the default; only a built session's engine is final.
    if (row.engine !== null && row.status !== "queued" && row.status !== "provisioning") {
      this.remember(sessionId, row.engine);
    }
    return this.byName(row.engine);
  }

  /**
   * Chooses the engine for a session about to be built and records it on the session: the one
   * with the most free capacity among those that answer and are not drained. Throws when none can
   * take it.
   */
  async place(sessionId: string, memoryBytes: number): Promise<DockerEngine> {
    const only = this.primary.engine;
    if (!this.several && only.sessions === undefined && only.memoryBytes === undefined) {
      // One engine without limits of its own (a single host): nothing to choose or count.
      if (this.drained.has(only.name)) {
        throw new AppError("engine_unavailable", `The Docker engine ${only.name} is drained: it takes no new sessions`);
      }
      await this.prisma.labSession.update({ where: { id: sessionId }, data: { engine: only.name } });
      return this.primary;
    }
    const chosen = await this.prisma.$transaction(
      async (tx) => {
        // One placement at a time in the whole installation (every process): two builds choosing at
        // once would both see the same free place.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('kubelab.engine-placement'))`;
        const loads = await this.loads(tx);
        const name = pickEngine(
          // A single engine is tried even when its last check failed, as before there were several.
          loads.filter((l) => (!this.several || this.isUp(l.name)) && !this.drained.has(l.name)),
          memoryBytes,
        );
        if (name) await tx.labSession.update({ where: { id: sessionId }, data: { engine: name } });
        return name;
      },
      // Builds of a whole room start at once and wait for the lock in turn (a few ms each).
      { maxWait: 60_000, timeout: 60_000 },
    );
    if (!chosen) {
      throw new AppError("engine_unavailable", "No Docker engine can take a new session (all down, drained or full)");
    }
    this.remember(sessionId, chosen);
    return this.byName(chosen);
  }

  /** Live sessions and their node memory per engine, with each engine's capacity. */
  async loads(db: Prisma.TransactionClient = this.prisma): Promise<EngineLoad[]> {
    // One query: each live, placed session with its number of nodes.
    const live = await db.labSession.findMany({
      where: { status: { in: [...LIVE_SESSION_STATUSES] }, engine: { not: null } },
      select: { engine: true, _count: { select: { nodes: true } } },
    });
    // Node memory is counted at NODE_MEMORY per node: a lesson's larger nodes are the exception.
    const nodeMemory = this.config.nodes.memoryBytes;
    return this.engines.map((engine) => {
      const here = live.filter((session) => session.engine === engine.name);
      return {
        name: engine.name,
        sessions: here.length,
        memoryBytes: here.reduce((sum, session) => sum + session._count.nodes * nodeMemory, 0),
        maxSessions: engine.engine.sessions ?? null,
        maxMemoryBytes: engine.engine.memoryBytes ?? null,
        hostMemoryBytes: this.health.get(engine.name)!.hostMemoryBytes,
      };
    });
  }

  /** Each engine's state, for the admin console. */
  states(): EngineState[] {
    return this.engines.map((engine) => {
      const health = this.health.get(engine.name)!;
      return {
        name: engine.name,
        address: engine.address,
        up: health.downSince === null,
        downSince: health.downSince,
        lastError: health.lastError,
        draining: this.drained.has(engine.name),
      };
    });
  }

  isUp(name: string | null): boolean {
    return this.health.get(name ?? this.primary.name)?.downSince === null;
  }

  /** Engines that have not answered since before `cutoff` (their sessions are lost). */
  downSince(cutoff: Date): string[] {
    return [...this.health].filter(([, h]) => h.downSince && h.downSince <= cutoff).map(([name]) => name);
  }

  /** An admin's drain: no new sessions go there; its sessions run out. */
  async setDraining(name: string, draining: boolean, adminId: string): Promise<void> {
    this.byName(name);
    if (draining) {
      await this.prisma.dockerEngineDrain.upsert({
        where: { name },
        create: { name, drainedBy: adminId },
        update: {},
      });
    } else {
      await this.prisma.dockerEngineDrain.deleteMany({ where: { name } });
    }
    // Applied here at once; a check already reading the drains must not put the old ones back.
    this.drainsGeneration++;
    if (draining) this.drained.add(name);
    else this.drained.delete(name);
    this.bus?.publish(DRAINS_CHANGED, {});
  }

  /** Starts checking every engine (each process does: placement needs to know who answers). */
  start(): void {
    if (this.timer) return;
    void this.check();
    this.timer = setInterval(() => void this.check(), this.config.docker.engineCheckSeconds * 1000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round of pings (and the drains from the database); concurrent callers share it. */
  check(): Promise<void> {
    this.checking ??= this.checkOnce().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async checkOnce(): Promise<void> {
    await this.reloadDrains();
    await Promise.all(
      this.engines.map(async (engine) => {
        const health = this.health.get(engine.name)!;
        try {
          // A short limit: an engine that takes longer than this to answer a ping takes no new sessions.
          const host = await engine.engineHost(Math.min(engine.callTimeoutMs, 5_000));
          if (host.memoryBytes) health.hostMemoryBytes = host.memoryBytes;
          if (health.downSince) this.logger.log(`Docker engine ${engine.name} answers again`);
          health.downSince = null;
          health.lastError = null;
          this.metrics.setEngineUp(engine.name, true);
        } catch (error) {
          if (!health.downSince) {
            health.downSince = new Date();
            this.logger.warn(`Docker engine ${engine.name} does not answer: ${(error as Error).message}`);
          }
          health.lastError = (error as Error).message;
          this.metrics.setEngineUp(engine.name, false);
        }
      }),
    );
  }

  /** Reads the drains; a newer read or change made meanwhile wins over this one. */
  private async reloadDrains(): Promise<void> {
    const generation = ++this.drainsGeneration;
    const drains = await this.prisma.dockerEngineDrain.findMany({ select: { name: true } }).catch(() => undefined);
    if (drains && generation === this.drainsGeneration) this.drained = new Set(drains.map((d) => d.name));
  }

  private remember(sessionId: string, engine: string): void {
    if (this.sessionEngines.size >= SESSION_ENGINE_CACHE_MAX) this.sessionEngines.clear();
    this.sessionEngines.set(sessionId, engine);
  }
}

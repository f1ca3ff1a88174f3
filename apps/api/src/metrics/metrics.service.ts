import { Inject, Injectable, Logger } from "@nestjs/common";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { PrismaService } from "../database/prisma.service";

// Every status a session row can have: each is reported, at 0 when no row has it, so a series
// never disappears from a dashboard.
const SESSION_STATUSES = ["queued", "provisioning", "pooled", "ready", "ending", "failed", "ended"] as const;

/** How a session came to be usable: built for its owner, built for the pool, or claimed from it. */
export type ProvisionKind = "cold" | "pool_build" | "pool_claim";
export type TerminalDirection = "in" | "out";

// Builds take tens of seconds, claims milliseconds: one bucket set covers both.
const PROVISION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 45, 60, 90, 120, 180, 300];
const PROXY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Where HAProxy's counters come from when it is the data plane (HaproxyRuntime). */
export interface HaproxyCounters {
  responseCounts(backend: string): Promise<Map<string, number>>;
}

/**
 * The one Prometheus registry of the process. Other modules report through the small typed methods
 * below (never through prom-client directly), so metric names and labels live here only. Values
 * that the database knows (sessions by status, pools, the queue, event attendees) are read when
 * Prometheus scrapes, never kept in step by hand.
 */
@Injectable()
export class Metrics {
  private readonly logger = new Logger("Metrics");
  readonly registry = new Registry();
  private haproxy: { counters: HaproxyCounters; backend: string } | undefined;

  private readonly sessionsCreated = new Counter({
    name: "kubelab_sessions_created_total",
    help: "POST /api/sessions answers by outcome: created (cold build), claimed (warm pool), queued, waiting (already queued)",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  private readonly provisionSeconds = new Histogram({
    name: "kubelab_session_provision_seconds",
    help: "Time until a session is usable: cold (built for its owner), pool_build (built for the warm pool), pool_claim (a pooled session handed out)",
    labelNames: ["kind"] as const,
    buckets: PROVISION_BUCKETS,
    registers: [this.registry],
  });
  private readonly provisionFailures = new Counter({
    name: "kubelab_session_provision_failures_total",
    help: "Session builds that failed, by kind (cold or pool_build)",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  private readonly openTerminals = new Gauge({
    name: "kubelab_terminals_open",
    help: "Terminals (shells) running in nodes",
    registers: [this.registry],
  });
  private readonly leader = new Gauge({
    name: "kubelab_leader",
    help: "1 while this process is its installation's leader (runs the background work), else 0",
    registers: [this.registry],
  });
  private readonly engineUp = new Gauge({
    name: "kubelab_engine_up",
    help: "1 while a Docker engine of DOCKER_ENGINES answers this process's checks, else 0",
    labelNames: ["engine"] as const,
    registers: [this.registry],
  });
  private readonly terminalBytes = new Counter({
    name: "kubelab_terminal_bytes_total",
    help: "Terminal bytes: in (typed, towards the shell) and out (shell output)",
    labelNames: ["direction"] as const,
    registers: [this.registry],
  });
  private readonly proxyRequests = new Counter({
    name: "kubelab_port_proxy_requests_total",
    help: "Requests to published ports through the port proxy, by kind (http, websocket) and status class",
    labelNames: ["kind", "status"] as const,
    registers: [this.registry],
  });
  private readonly proxySeconds = new Histogram({
    name: "kubelab_port_proxy_request_seconds",
    help: "Port proxy HTTP requests: time until the response was finished",
    labelNames: ["status"] as const,
    buckets: PROXY_BUCKETS,
    registers: [this.registry],
  });
  private readonly logins = new Counter({
    name: "kubelab_login_attempts_total",
    help: "Login attempts by provider and outcome (started, succeeded, rate_limited, or the login error code)",
    labelNames: ["provider", "outcome"] as const,
    registers: [this.registry],
  });
  private readonly lessonChecks = new Counter({
    name: "kubelab_lesson_checks_total",
    help: "Lesson checks run in nodes, by result (passed, failed, timed_out)",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  private readonly dockerErrors = new Counter({
    name: "kubelab_docker_api_errors_total",
    help: "Docker API calls that failed, by kind (timeout, status code class, or connection)",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });

  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: "kubelab_process_" });
    const instanceId = config.instanceId;
    const registers = [this.registry];
    new Gauge({
      name: "kubelab_sessions",
      help: "Sessions of this instance by status (read from the database at scrape time)",
      labelNames: ["status"] as const,
      registers,
      collect: async function () {
        const rows = await prisma.labSession.groupBy({ by: ["status"], where: { instanceId }, _count: { _all: true } });
        const counts = new Map(rows.map((r) => [r.status as string, r._count._all]));
        for (const status of SESSION_STATUSES) this.set({ status }, counts.get(status) ?? 0);
      },
    });
    new Gauge({
      name: "kubelab_pool_sessions",
      help: "Warm pool sessions ready for nobody yet, by pool (an image, or event:<id>)",
      labelNames: ["pool"] as const,
      registers,
      collect: async function () {
        const rows = await prisma.labSession.groupBy({
          by: ["poolKey"],
          where: { instanceId, status: "pooled" },
          _count: { _all: true },
        });
        this.reset();
        for (const row of rows) this.set({ pool: row.poolKey ?? "" }, row._count._all);
      },
    });
    new Gauge({
      name: "kubelab_engine_sessions",
      help: "Live sessions of this instance by the Docker engine they run on",
      labelNames: ["engine"] as const,
      registers,
      collect: async function () {
        const rows = await prisma.labSession.groupBy({
          by: ["engine"],
          where: { instanceId, status: { in: ["provisioning", "pooled", "ready", "ending"] }, engine: { not: null } },
          _count: { _all: true },
        });
        this.reset();
        for (const row of rows) this.set({ engine: row.engine ?? "" }, row._count._all);
      },
    });
    new Gauge({
      name: "kubelab_queue_length",
      help: "Sessions waiting for a place under MAX_SESSIONS",
      registers,
      collect: async function () {
        this.set(await prisma.labSession.count({ where: { instanceId, status: "queued" } }));
      },
    });
    new Gauge({
      name: "kubelab_event_attendees",
      help: "People with a live session (queued, provisioning or ready) in a classroom event",
      registers,
      collect: async function () {
        const rows = await prisma.labSession.findMany({
          where: {
            instanceId,
            eventId: { not: null },
            ownerId: { not: null },
            status: { in: ["queued", "provisioning", "ready"] },
          },
          distinct: ["ownerId"],
          select: { ownerId: true },
        });
        this.set(rows.length);
      },
    });
    // With PORT_DATA_PLANE=haproxy, HAProxy answers most port requests without Kubelab seeing them;
    // its own counters, read at scrape time, are the only count of those.
    const haproxy = (): { counters: HaproxyCounters; backend: string } | undefined => this.haproxy;
    const logger = this.logger;
    new Counter({
      name: "kubelab_port_haproxy_responses_total",
      help:
        "Port responses HAProxy sent itself (PORT_DATA_PLANE=haproxy), by status class, since HAProxy last " +
        "started; the requests Kubelab carried are in kubelab_port_proxy_requests_total",
      labelNames: ["status"] as const,
      registers,
      collect: async function () {
        const source = haproxy();
        if (!source) return;
        try {
          const counts = await source.counters.responseCounts(source.backend);
          this.reset();
          for (const [status, count] of counts) this.inc({ status }, count);
        } catch (error) {
          // The last values stay; HAProxy is restarting (Kubelab's log says so) or going away.
          logger.warn(`Could not read HAProxy's counters: ${(error as Error).message}`);
        }
      },
    });
    new Gauge({
      name: "kubelab_events_running",
      help: "Classroom events between their start and end",
      registers,
      collect: async function () {
        const now = new Date();
        this.set(await prisma.event.count({ where: { startsAt: { lte: now }, endsAt: { gt: now } } }));
      },
    });
  }

  /** HAProxy is the data plane: its response counters for `backend` are scraped from `counters`. */
  readHaproxyCounters(counters: HaproxyCounters, backend: string): void {
    this.haproxy = { counters, backend };
  }

  /** The text exposition Prometheus scrapes. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** A create's outcome as the services name it (created, claimed, queued, waiting). */
  sessionCreate(outcome: string): void {
    this.sessionsCreated.inc({ outcome });
  }

  /** A session became usable `seconds` after its build (or claim) began. */
  provisioned(kind: ProvisionKind, seconds: number): void {
    this.provisionSeconds.observe({ kind }, seconds);
  }

  provisionFailed(kind: Exclude<ProvisionKind, "pool_claim">): void {
    this.provisionFailures.inc({ kind });
  }

  setEngineUp(engine: string, up: boolean): void {
    this.engineUp.set({ engine }, up ? 1 : 0);
  }

  setLeader(leader: boolean): void {
    this.leader.set(leader ? 1 : 0);
  }

  terminalOpened(): void {
    this.openTerminals.inc();
  }

  terminalClosed(): void {
    this.openTerminals.dec();
  }

  terminalTraffic(direction: TerminalDirection, bytes: number): void {
    this.terminalBytes.inc({ direction }, bytes);
  }

  /** One proxied HTTP request, finished (or cut off: status 0) after `seconds`. */
  portHttpRequest(status: number, seconds: number): void {
    const label = statusClass(status);
    this.proxyRequests.inc({ kind: "http", status: label });
    this.proxySeconds.observe({ status: label }, seconds);
  }

  /** A WebSocket (or other Upgrade) request for a published port, counted on arrival. */
  portUpgrade(): void {
    this.proxyRequests.inc({ kind: "websocket", status: "upgrade" });
  }

  loginAttempt(provider: string, outcome: string): void {
    this.logins.inc({ provider, outcome });
  }

  lessonCheck(result: "passed" | "failed" | "timed_out"): void {
    this.lessonChecks.inc({ result });
  }

  dockerError(error: unknown): void {
    this.dockerErrors.inc({ kind: dockerErrorKind(error) });
  }

  /** The database may be down at a scrape: that scrape fails (Prometheus records `up` 0), nothing else. */
  onScrapeError(error: unknown): void {
    this.logger.warn(`A metrics scrape failed: ${(error as Error).message}`);
  }
}

/** "2xx".."5xx" for a status code; "error" when no response was sent (connection cut). */
export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : "error";
}

/** A bounded label for a failed Docker call: timeout, its HTTP status class, or a connection error. */
export function dockerErrorKind(error: unknown): string {
  if ((error as { code?: unknown })?.code === "engine_timeout") return "timeout";
  const status = (error as { statusCode?: unknown })?.statusCode;
  if (typeof status === "number") return statusClass(status);
  return "connection";
}

import { randomUUID } from "node:crypto";
import { Inject, Injectable, Logger, type OnApplicationShutdown } from "@nestjs/common";
import pg from "pg";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { DATABASE_URL, PrismaService } from "../database/prisma.service";
import { leaderLockKey } from "./leadership.service";

const RECONNECT_MS = 2_000;
// PostgreSQL refuses NOTIFY payloads of 8000 bytes or more.
const MAX_PAYLOAD_BYTES = 7_900;

type Handler = (message: unknown) => void;

/**
 * Messages between the Kubelab processes of one installation, over PostgreSQL LISTEN/NOTIFY
 * (no broker to run). A process does not receive its own messages: each subscriber has already
 * acted on them locally. Delivery is at most once (a process that is reconnecting misses what is
 * sent meanwhile), so only hints go here, never the only record of anything.
 */
@Injectable()
export class ClusterBus implements OnApplicationShutdown {
  private readonly logger = new Logger("ClusterBus");
  private readonly origin = randomUUID();
  private readonly channel: string;
  private readonly handlers = new Map<string, Handler[]>();
  private client: pg.Client | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly prisma: PrismaService,
  ) {
    // A channel per installation (an identifier: no quoting needed).
    this.channel = `kubelab_${(leaderLockKey(config.instanceId) >>> 0).toString(16)}`;
  }

  /** Starts listening; a failure is retried in the background. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect().catch((error: unknown) => this.retry(error as Error));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }

  /** Calls the handler with every message of this kind that other processes publish. */
  on(kind: string, handler: Handler): void {
    this.handlers.set(kind, [...(this.handlers.get(kind) ?? []), handler]);
  }

  /** Tells the other processes; never throws (a lost hint is logged). */
  publish(kind: string, message: unknown): void {
    const payload = JSON.stringify({ origin: this.origin, kind, message });
    if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
      this.logger.warn(`Message ${kind} too large for the other processes (${payload.length} bytes)`);
      return;
    }
    this.prisma
      .$executeRawUnsafe("SELECT pg_notify($1, $2)", this.channel, payload)
      .catch((error: unknown) =>
        this.logger.warn(`Could not tell the other processes (${kind}): ${(error as Error).message}`),
      );
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl, keepAlive: true });
    const lost = (error?: Error): void => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => undefined);
      this.retry(error ?? new Error("connection ended"));
    };
    client.on("error", lost);
    client.on("end", () => lost());
    client.on("notification", (notification) => this.deliver(notification.payload));
    await client.connect();
    await client.query(`LISTEN ${this.channel}`);
    this.client = client;
  }

  private retry(error: Error): void {
    if (this.stopped) return;
    this.logger.warn(`Listening to the other processes failed (${error.message}); retrying`);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.connect().catch((e: unknown) => this.retry(e as Error)), RECONNECT_MS);
    this.timer.unref();
  }

  private deliver(payload: string | undefined): void {
    let parsed: { origin?: unknown; kind?: unknown; message?: unknown };
    try {
      parsed = JSON.parse(payload ?? "") as typeof parsed;
    } catch {
      return;
    }
    if (parsed.origin === this.origin || typeof parsed.kind !== "string") return;
    for (const handler of this.handlers.get(parsed.kind) ?? []) {
      try {
        handler(parsed.message);
      } catch (error) {
        this.logger.error(`Handling ${parsed.kind} from another process failed`, (error as Error).stack);
      }
    }
  }
}

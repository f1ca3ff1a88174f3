import { Inject, Injectable, Logger, type OnApplicationShutdown } from "@nestjs/common";
import pg from "pg";
import { APP_CONFIG, type AppConfig } from "../config/app-config";
import { DATABASE_URL } from "../database/prisma.service";
import { Metrics } from "../metrics/metrics.service";

// How often a follower tries to become the leader: a leader that died is replaced within this
// (PostgreSQL drops a dead process's connection, and with it the lock, at once when the process
// dies; after a network partition, when the server's keep-alive notices).
export const LEADER_RETRY_MS = 2_000;
// The first of the two 32-bit advisory lock keys: "Kubelab leader". The one-key locks elsewhere
// (migrations, quotas, subnets) live in another key space.
const LEADER_LOCK_CLASS = 0x4b4c_4c31;
// "Kubelab member": every running process holds it shared; only the last one can take it alone.
const MEMBER_LOCK_CLASS = 0x4b4c_4d31;

export type LeadershipListener = (leader: boolean) => void | Promise<void>;

/** The second lock key: the installation's INSTANCE_ID, hashed (FNV-1a) to a signed 32-bit number. */
export function leaderLockKey(instanceId: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(instanceId, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

/**
 * Which Kubelab process of an installation (INSTANCE_ID) does its background work: the reaper,
 * the reconciler, the queue, the pool and the other periodic jobs run in exactly one process at a
 * time, the holder of a PostgreSQL session-level advisory lock. Requests are served by every
 * process alike. The lock lives on a connection of its own: if the leader dies or loses its
 * database, the lock goes with the connection and a follower takes over within LEADER_RETRY_MS.
 */
@Injectable()
export class Leadership implements OnApplicationShutdown {
  private readonly logger = new Logger("Leadership");
  private readonly listeners: LeadershipListener[] = [];
  private client: pg.Client | undefined;
  private leader = false;
  // Whether this process ever joined (took the member lock): then a lost connection means "unknown".
  private joined = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private transition: Promise<void> = Promise.resolve();
  private queries: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  get isLeader(): boolean {
    return this.leader;
  }

  /** Called on every change, in order; a gain waits for the previous loss's listeners to finish. */
  onChange(listener: LeadershipListener): void {
    this.listeners.push(listener);
  }

  /**
   * Joins the installation's processes (waits while the last one of a previous generation is still
   * removing the shared node firewall, see leaveAsLast). Before anything installs that firewall.
   */
  async join(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  /** Tries once now (so a single process leads from its first moment), then keeps trying. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.attempt();
    await this.transition;
  }

  /**
   * At shutdown: leaves the installation's processes and says whether this was the last one, so
   * that what they share (the node firewall) may go. True also when the database cannot tell (a
   * single process without its database cannot be sharing anything with a live one that can).
   * Once true, a process starting meanwhile waits in join() until this one has exited.
   */
  async leaveAsLast(): Promise<boolean> {
    const client = this.client;
    if (!client) return !this.joined;
    try {
      const key = leaderLockKey(this.config.instanceId);
      await this.query(client, "SELECT pg_advisory_unlock_shared($1, $2)", [MEMBER_LOCK_CLASS, key]);
      const { rows } = await this.query<{ alone: boolean }>(client, "SELECT pg_try_advisory_lock($1, $2) AS alone", [
        MEMBER_LOCK_CLASS,
        key,
      ]);
      return rows[0]?.alone === true;
    } catch (error) {
      this.logger.warn(`Could not tell whether other processes run: ${(error as Error).message}`);
      return false;
    }
  }

  /** Gives leadership up (its duties stop first) and stops trying: at shutdown. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.setLeader(false);
    await this.transition;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    try {
      const client = this.client ?? (await this.connect());
      if (!this.leader) {
        const { rows } = await this.query<{ locked: boolean }>(
          client,
          "SELECT pg_try_advisory_lock($1, $2) AS locked",
          [LEADER_LOCK_CLASS, leaderLockKey(this.config.instanceId)],
        );
        if (rows[0]?.locked && !this.stopped) this.setLeader(true);
      }
    } catch (error) {
      this.logger.warn(`Leader lock: ${(error as Error).message}`);
      this.dropConnection();
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.attempt(), LEADER_RETRY_MS);
      this.timer.unref();
    }
  }

  /**
   * One query at a time on the lock connection (the retry timer's and the shutdown's may meet):
   * pg would queue them, but issuing one while another runs is deprecated there.
   */
  private query<R extends pg.QueryResultRow>(
    client: pg.Client,
    text: string,
    values: unknown[],
  ): Promise<pg.QueryResult<R>> {
    const result = this.queries.then(() => client.query<R>(text, values));
    this.queries = result.catch(() => undefined);
    return result;
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.databaseUrl, keepAlive: true });
    this.joined = true;
    // A broken connection has lost the lock: whatever this process did as the leader stops.
    client.on("error", (error) => {
      this.logger.warn(`Leader lock connection lost: ${error.message}`);
      if (this.client === client) this.dropConnection();
    });
    client.on("end", () => {
      if (this.client === client) this.dropConnection();
    });
    await client.connect();
    await client.query("SELECT pg_advisory_lock_shared($1, $2)", [
      MEMBER_LOCK_CLASS,
      leaderLockKey(this.config.instanceId),
    ]);
    this.client = client;
    return client;
  }

  private dropConnection(): void {
    const client = this.client;
    this.client = undefined;
    this.setLeader(false);
    client?.end().catch(() => undefined);
  }

  private setLeader(leader: boolean): void {
    if (leader === this.leader) return;
    this.leader = leader;
    this.metrics.setLeader(leader);
    this.logger.log(leader ? "This process is now the leader: it runs the background work" : "No longer the leader");
    this.transition = this.transition.then(async () => {
      for (const listener of this.listeners) {
        try {
          await listener(leader);
        } catch (error) {
          this.logger.error(`Leadership change (${leader}) failed`, (error as Error).stack);
        }
      }
    });
  }
}

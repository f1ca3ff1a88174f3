import type { PrismaService } from "../database/prisma.service";

// Now and then a count also deletes the rows of windows long over (of every scope).
const PRUNE_EVERY = 200;
const PRUNE_AFTER_SECONDS = 3600;

export interface WindowCount {
  count: number;
  /** Seconds until the window is over (0 when there is none). */
  retryAfterSeconds: number;
}

interface Row {
  count: number;
  seconds_left: number;
}

/**
 * Counts per client address in fixed windows, in PostgreSQL, so every Kubelab process of the
 * database counts together (a flood spread over several processes behind a load balancer is one
 * flood). The counting behind every per-address rate limit (logins, event codes). One statement
 * per count: the upsert starts a new window when the old one is over.
 */
export class AddressWindows {
  private counted = 0;

  constructor(
    private readonly prisma: PrismaService,
    private readonly scope: string,
    private readonly windowSeconds: number,
  ) {}

  /** Counts one more for `address`; its count in the current window and the seconds left of it. */
  async add(address: string): Promise<WindowCount> {
    if (++this.counted % PRUNE_EVERY === 0) void this.prune();
    const rows = await this.prisma.$queryRawUnsafe<Row[]>(
      `INSERT INTO rate_windows AS w (scope, address, started_at, count) VALUES ($1, $2, now(), 1)
       ON CONFLICT (scope, address) DO UPDATE SET
         count = CASE WHEN w.started_at > now() - make_interval(secs => $3) THEN w.count + 1 ELSE 1 END,
         started_at = CASE WHEN w.started_at > now() - make_interval(secs => $3) THEN w.started_at ELSE now() END
       RETURNING count, EXTRACT(EPOCH FROM started_at + make_interval(secs => $3) - now())::float8 AS seconds_left`,
      this.scope,
      address,
      this.windowSeconds,
    );
    return toCount(rows[0]);
  }

  /** The count of `address` in the current window (0 when none), without counting. */
  async peek(address: string): Promise<WindowCount> {
    const rows = await this.prisma.$queryRawUnsafe<Row[]>(
      `SELECT count, EXTRACT(EPOCH FROM started_at + make_interval(secs => $3) - now())::float8 AS seconds_left
       FROM rate_windows WHERE scope = $1 AND address = $2 AND started_at > now() - make_interval(secs => $3)`,
      this.scope,
      address,
      this.windowSeconds,
    );
    return toCount(rows[0]);
  }

  private async prune(): Promise<void> {
    await this.prisma
      .$executeRawUnsafe(
        "DELETE FROM rate_windows WHERE started_at < now() - make_interval(secs => $1)",
        PRUNE_AFTER_SECONDS,
      )
      .catch(() => undefined);
  }
}

function toCount(row: Row | undefined): WindowCount {
  return row
    ? { count: Number(row.count), retryAfterSeconds: Math.max(0, Number(row.seconds_left)) }
    : { count: 0, retryAfterSeconds: 0 };
}

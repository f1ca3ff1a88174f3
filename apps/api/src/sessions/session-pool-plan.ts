/** One pool as the database shows it now. */
export interface PoolState {
  key: string;
  /** The size wanted (0: the pool is off or removed). */
  target: number;
  /** Its pooled sessions, ready to claim. */
  pooled: { id: string; pooledAt: Date }[];
  /** Its sessions still being built. */
  building: number;
}

export interface PoolPlan {
  key: string;
  /** New pool sessions to build now. */
  start: number;
  /** Pooled sessions older than the maximum age, to end (a fresh one is built instead). */
  replace: string[];
  /** Pooled sessions beyond the size, to end. */
  shrink: string[];
}

export interface PoolLimits {
  now: Date;
  maxAgeSeconds: number;
  /** Builds allowed at once, over all pools (POOL_CONCURRENCY). */
  concurrency: number;
  /** Free places under MAX_SESSIONS: the pool never takes more. */
  freeSlots: number;
}

/**
 * Decides one refill pass: which pooled sessions go (too old, or beyond the size; oldest first) and
 * how many to build, within the concurrency and MAX_SESSIONS left, shared between pools in turn so
 * one large pool does not starve another. Builds in progress count as members (they are not cut
 * short; once pooled, a later pass shrinks them if still too many).
 */
export function planPools(pools: readonly PoolState[], limits: PoolLimits): PoolPlan[] {
  const oldest = limits.now.getTime() - limits.maxAgeSeconds * 1000;
  const plans = pools.map((pool) => {
    const byAge = [...pool.pooled].sort((a, b) => a.pooledAt.getTime() - b.pooledAt.getTime());
    const replace = byAge.filter((s) => s.pooledAt.getTime() <= oldest).map((s) => s.id);
    const fresh = byAge.filter((s) => s.pooledAt.getTime() > oldest);
    const excess = Math.max(0, fresh.length + pool.building - pool.target);
    const shrink = fresh.slice(0, Math.min(excess, fresh.length)).map((s) => s.id);
    const wanted = Math.max(0, pool.target - (fresh.length - shrink.length) - pool.building);
    return { plan: { key: pool.key, start: 0, replace, shrink }, wanted };
  });
  const buildingNow = pools.reduce((sum, p) => sum + p.building, 0);
  let budget = Math.max(0, Math.min(limits.concurrency - buildingNow, limits.freeSlots));
  while (budget > 0) {
    const next = plans.filter((p) => p.wanted > p.plan.start);
    if (next.length === 0) break;
    for (const p of next) {
      if (budget === 0) break;
      p.plan.start += 1;
      budget -= 1;
    }
  }
  return plans.map((p) => p.plan);
}

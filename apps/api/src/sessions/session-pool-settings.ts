import { Inject, Injectable } from "@nestjs/common";
import { APP_CONFIG, type AppConfig } from "../config/app-config";

export interface PoolSettingsValue {
  /** Pooled sessions to keep per pool key (an image, for the general pool). */
  sizes: Record<string, number>;
  /** Pooled sessions being built at once, over all pools. */
  concurrency: number;
  /** A pooled session older than this is replaced. */
  maxAgeSeconds: number;
}

/**
 * The warm pool's live settings: initialised from POOL_SIZE, POOL_SIZES, POOL_CONCURRENCY and
 * POOL_MAX_AGE, changed at run time through `update` (the admin console's job) without a restart.
 * SessionPool reads them at every pass and refills at once after a change.
 */
@Injectable()
export class PoolSettings {
  private value: PoolSettingsValue;
  private readonly listeners = new Set<() => void>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.value = { ...config.pool, sizes: { ...config.pool.sizes } };
  }

  current(): Readonly<PoolSettingsValue> {
    return this.value;
  }

  sizeOf(poolKey: string): number {
    return this.value.sizes[poolKey] ?? 0;
  }

  /** Replaces some settings; a size of 0 empties that pool. Throws a RangeError on a bad value. */
  update(patch: Partial<PoolSettingsValue>): void {
    const next = { ...this.value, ...patch, sizes: { ...(patch.sizes ?? this.value.sizes) } };
    for (const [key, size] of Object.entries(next.sizes)) {
      if (!Number.isInteger(size) || size < 0 || size > 1000) throw new RangeError(`pool size of ${key}: 0 to 1000`);
    }
    if (!Number.isInteger(next.concurrency) || next.concurrency < 1)
      throw new RangeError("pool concurrency: 1 or more");
    if (!(next.maxAgeSeconds > 0)) throw new RangeError("pool max age: more than 0 seconds");
    this.value = next;
    for (const listener of this.listeners) listener();
  }

  /** Calls `listener` after each update; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** How long a refreshing cache serves, re-reads and, while a re-read runs, keeps serving a value. */
export interface RefreshingCacheTimes {
  /** A value younger than this is served as it is. */
  freshMs: number;
  /** From this age on, a request for the value starts a background re-read (one at a time). */
  refreshAfterMs: number;
  /**
   * While that re-read runs, the previous value is still served up to this age: a slow database
   * then costs staleness, not waiting. Older than this, requests wait for a new read.
   */
  staleLimitMs: number;
  /** Bound on the number of keys, so a flood of distinct keys cannot grow the cache. */
  maxEntries?: number;
  /** The clock (tests). */
  now?: () => number;
}

/**
 * For facts every proxied request needs (a page's assets, a polling web UI): about one second of
 * staleness, up to three while the database is too slow to answer a re-read, never a wait per request.
 */
export const REQUEST_FLOOD_CACHE: RefreshingCacheTimes = { freshMs: 1_000, refreshAfterMs: 800, staleLimitMs: 3_000 };

interface Entry<V> {
  value: Promise<V>;
  loadedAt: number;
  refreshing: boolean;
}

/**
 * Values read from the database for request floods (every asset a proxied page loads): read once
 * per key by concurrent misses, served for `freshMs`, and re-read in the background before they
 * expire, so that a key in steady use never makes its requests wait for the database. (The login
 * lookups of the path form were cached as plain expiring promises: every request of a busy port
 * waited for the database once a second, and longer when the database was slow.)
 */
export class RefreshingCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  // Bumped by delete(): a re-read that began before a change must not put the old value back.
  private generation = 0;

  private readonly now: () => number;

  constructor(private readonly times: RefreshingCacheTimes) {
    this.now = times.now ?? Date.now;
  }

  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = this.now();
    const entry = this.entries.get(key);
    if (entry) {
      const age = now - entry.loadedAt;
      if (age < this.times.freshMs) {
        if (age >= this.times.refreshAfterMs && !entry.refreshing) this.refresh(key, entry, load);
        return entry.value;
      }
      if (entry.refreshing && age < this.times.staleLimitMs) return entry.value;
    }
    const fresh: Entry<V> = { value: load(), loadedAt: now, refreshing: false };
    this.store(key, fresh);
    // A failed read (database hiccup) must not be remembered.
    fresh.value.catch(() => {
      if (this.entries.get(key) === fresh) this.entries.delete(key);
    });
    return fresh.value;
  }

  /** Forgets `key` and every key starting with it followed by `separator` (or only `key` without one). */
  delete(key: string, separator?: string): void {
    this.generation++;
    this.entries.delete(key);
    if (separator === undefined) return;
    const prefix = `${key}${separator}`;
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  private refresh(key: string, entry: Entry<V>, load: () => Promise<V>): void {
    entry.refreshing = true;
    const generation = this.generation;
    const loadedAt = this.now();
    load().then(
      (value) => {
        if (generation === this.generation && this.entries.get(key) === entry) {
          this.store(key, { value: Promise.resolve(value), loadedAt, refreshing: false });
        }
      },
      // The entry being served ages as usual; a later request reads again (and may fail then).
      () => {
        entry.refreshing = false;
      },
    );
  }

  private store(key: string, entry: Entry<V>): void {
    const max = this.times.maxEntries ?? 10_000;
    if (this.entries.size >= max && !this.entries.has(key)) {
      const oldest = this.now() - this.times.staleLimitMs;
      for (const [k, e] of this.entries) if (e.loadedAt < oldest) this.entries.delete(k);
      if (this.entries.size >= max) this.entries.clear();
    }
    this.entries.set(key, entry);
  }
}

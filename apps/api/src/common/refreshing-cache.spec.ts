import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RefreshingCache } from "./refreshing-cache";

/** A load whose answers the test releases by hand, counting the reads. */
function controlledLoad(): {
  load: () => Promise<string>;
  reads: number;
  answer: (value: string) => void;
  fail: () => void;
} {
  const pending: { resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
  const control = {
    reads: 0,
    load: () => {
      control.reads++;
      return new Promise<string>((resolve, reject) => pending.push({ resolve, reject }));
    },
    answer: (value: string) => pending.shift()!.resolve(value),
    fail: () => pending.shift()!.reject(new Error("database hiccup")),
  };
  return control;
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("RefreshingCache", () => {
  const setup = () => {
    let clock = 0;
    const cache = new RefreshingCache<string>({
      freshMs: 1000,
      refreshAfterMs: 800,
      staleLimitMs: 3000,
      now: () => clock,
    });
    return { cache, at: (ms: number) => (clock = ms) };
  };

  /** A cache that read "v1" for key "k" at time 0. */
  const primed = async () => {
    const { cache, at } = setup();
    const db = controlledLoad();
    const first = cache.get("k", db.load);
    db.answer("v1");
    await first;
    return { cache, at, db };
  };

  it("shares one read among concurrent misses and serves it while fresh", async () => {
    const { cache, at } = setup();
    const db = controlledLoad();
    const first = cache.get("k", db.load);
    const second = cache.get("k", db.load);
    db.answer("v1");
    assert.deepEqual(await Promise.all([first, second]), ["v1", "v1"]);
    at(500);
    assert.equal(await cache.get("k", db.load), "v1");
    assert.equal(db.reads, 1);
  });

  it("reads again in the background before expiry, and never makes a request wait for it", async () => {
    const { cache, at, db } = await primed();
    at(850);
    assert.equal(await cache.get("k", db.load), "v1");
    assert.equal(db.reads, 2, "one background read");
    // The database is slow: past the fresh time the old value is still served, without a new read.
    at(1500);
    assert.equal(await cache.get("k", db.load), "v1");
    assert.equal(db.reads, 2);
    db.answer("v2");
    await settle();
    // The new value counts from when its read began (850).
    at(1600);
    assert.equal(await cache.get("k", db.load), "v2");
    assert.equal(db.reads, 2);
  });

  it("waits for a new read once the served value is older than the stale limit", async () => {
    const { cache, at, db } = await primed();
    at(900);
    void cache.get("k", db.load); // starts the background read, which never answers
    at(3100);
    const waiting = cache.get("k", db.load);
    assert.equal(db.reads, 3);
    db.answer("never used");
    db.answer("v3");
    assert.equal(await waiting, "v3");
  });

  it("reads again after expiry when nothing refreshed the value (an idle key)", async () => {
    const { cache, at, db } = await primed();
    at(1500);
    const next = cache.get("k", db.load);
    db.answer("v2");
    assert.equal(await next, "v2");
  });

  it("does not remember a failed read, and a failed refresh lets the next request try again", async () => {
    const { cache, at } = setup();
    const db = controlledLoad();
    const failed = cache.get("k", db.load);
    db.fail();
    await assert.rejects(failed);
    const retried = cache.get("k", db.load);
    db.answer("v1");
    assert.equal(await retried, "v1");
    at(2000 + 850);
    const refreshed = cache.get("k", db.load); // expired, read again
    db.answer("v2");
    await refreshed;
    at(2000 + 850 + 850);
    void cache.get("k", db.load);
    db.fail();
    await settle();
    void cache.get("k", db.load);
    assert.equal(db.reads, 5, "the refresh that failed is tried again by the next request");
  });

  it("forgets a key and its children at once, and a read begun before cannot bring the old value back", async () => {
    const { cache, at } = setup();
    const db = controlledLoad();
    const a = cache.get("s1/node1/80", db.load);
    db.answer("open");
    await a;
    const other = cache.get("s2/node1/80", db.load);
    db.answer("other");
    await other;
    at(850);
    void cache.get("s1/node1/80", db.load); // background read in flight
    cache.delete("s1", "/");
    db.answer("open (read before the change)");
    await settle();
    const after = cache.get("s1/node1/80", db.load);
    db.answer("closed");
    assert.equal(await after, "closed");
    assert.equal(await cache.get("s2/node1/80", db.load), "other");
  });
});

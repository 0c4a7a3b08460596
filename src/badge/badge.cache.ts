import { LRUCache } from 'lru-cache';

/** At most this old: the bound for a public figure. */
export const BADGE_TTL_MS = 60_000;
/** Bounded: anyone may ask for any id, so random ids must not grow the process. */
export const BADGE_CACHE_ENTRIES = 10_000;

/**
 * Per-workspace answers, each kept BADGE_TTL_MS; null answers too, so an unknown and a private workspace
 * cost the same on every later call. A miss is one shared load (lru-cache's fetch): a burst for one
 * workspace is one statement; a failed load is not remembered, the next caller tries again.
 */
export class BadgeCache<T> {
  // Boxed: lru-cache keeps no null or undefined value, and a null answer is worth keeping.
  private readonly entries: LRUCache<string, { value: T }, () => Promise<T>>;

  /** `now`: a clock in milliseconds (tests pass their own). */
  constructor(ttlMs = BADGE_TTL_MS, maxEntries = BADGE_CACHE_ENTRIES, now: () => number = () => performance.now()) {
    this.entries = new LRUCache<string, { value: T }, () => Promise<T>>({
      max: maxEntries,
      // Served while younger than ttlMs (lru-cache serves up to an age of its ttl).
      ttl: ttlMs - 1,
      ttlResolution: 0,
      perf: { now },
      fetchMethod: async (_key, _stale, { context: load }) => ({ value: await load() }),
    });
  }

  /** The answer for `key`, from the cache or from `load` (once for every caller waiting on the same miss). */
  async get(key: string, load: () => Promise<T>): Promise<T> {
    return (await this.entries.fetch(key, { context: load }))!.value;
  }

  get size(): number {
    return this.entries.size;
  }
}

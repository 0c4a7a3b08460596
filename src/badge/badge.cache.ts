/** At most this old: the bound for a public figure. */
export const BADGE_TTL_MS = 60_000;
/** Bounded: anyone may ask for any id, so random ids must not grow the process. */
export const BADGE_CACHE_ENTRIES = 10_000;

interface Entry<T> {
  at: number;
  value: Promise<T>;
}

/**
 * Per-workspace answers, each kept BADGE_TTL_MS; null answers too, so an unknown and a private workspace
 * cost the same on every later call. A miss is one shared promise: a burst for one workspace is one statement.
 */
export class BadgeCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly ttlMs = BADGE_TTL_MS,
    private readonly maxEntries = BADGE_CACHE_ENTRIES,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const t = this.now();
    const hit = this.entries.get(key);
    if (hit && t - hit.at < this.ttlMs) return hit.value;
    if (hit) this.entries.delete(key);
    // Map keeps insertion order: the first key is the oldest entry.
    while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    const value = load();
    this.entries.set(key, { at: t, value });
    // A failed load is not remembered: the next caller tries again.
    value.catch(() => this.entries.get(key)?.value === value && this.entries.delete(key));
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}

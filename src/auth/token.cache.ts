import { LRUCache } from 'lru-cache';
import type { Viewer } from './viewer.js';

/**
 * Verified tokens, so a token's signature is checked once a minute rather than on every request
 * (the router sends the same bearer token for every page a user loads). An entry never outlives the
 * token's `exp`, nor MAX_AGE_MS (a JWKS key that is withdrawn stops working within a minute).
 */
const MAX_AGE_MS = 60_000;
const MAX_ENTRIES = 10_000;

export class VerifiedTokenCache {
  private readonly entries: LRUCache<string, Viewer>;

  /** `now`: epoch milliseconds (tests pass a clock of their own). */
  constructor(private readonly now: () => number = Date.now) {
    // ttlResolution 0: the clock is read at every get, never a cached reading (an expired token is never served).
    this.entries = new LRUCache<string, Viewer>({ max: MAX_ENTRIES, ttlResolution: 0, perf: { now } });
  }

  get(token: string): Viewer | undefined {
    return this.entries.get(token);
  }

  /** `exp` in epoch seconds, as in the token. */
  set(token: string, viewer: Viewer, exp: number): void {
    const now = this.now();
    const ms = Math.min(exp * 1000, now + MAX_AGE_MS) - now;
    // lru-cache serves an entry while its age is at most its ttl; this one is served while younger than `ms`.
    if (ms > 1) this.entries.set(token, viewer, { ttl: ms - 1 });
  }
}

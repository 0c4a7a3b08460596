import type { Viewer } from './viewer.js';

/**
 * Verified tokens, so a token's signature is checked once a minute rather than on every request
 * (the router sends the same bearer token for every page a user loads). An entry never outlives the
 * token's `exp`, nor MAX_AGE_MS (a JWKS key that is withdrawn stops working within a minute).
 */
const MAX_AGE_MS = 60_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  viewer: Viewer;
  /** Epoch ms after which the entry must not be used. */
  until: number;
}

export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  get(token: string): Viewer | undefined {
    const e = this.entries.get(token);
    if (!e) return undefined;
    if (e.until <= this.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return e.viewer;
  }

  /** `exp` in epoch seconds, as in the token. */
  set(token: string, viewer: Viewer, exp: number): void {
    // Oldest first: a Map iterates in insertion order, so the first key is the one to drop.
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { viewer, until: Math.min(exp * 1000, this.now() + MAX_AGE_MS) });
  }
}

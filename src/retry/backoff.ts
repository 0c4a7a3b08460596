/**
 * The one exponential backoff of this code base: the exporter's retries (export/retry.policy.ts), webhook
 * delivery retries (webhooks/delivery/delivery.task.ts) and the delivery worker's reconnections
 * (webhooks/delivery/liveness.lock.ts).
 */

/**
 * full: uniform in [0, d] (AWS's "full jitter": retries that failed together spread the most); equal: d/2 fixed,
 * d/2 random (never much sooner than d, still spread); none: d.
 */
export type Jitter = 'full' | 'equal' | 'none';

export interface Backoff {
  /** The first retry's delay. */
  baseMs: number;
  /** No single delay longer than this. */
  maxMs: number;
  jitter: Jitter;
}

/** The wait before retry `retry` (0 is the first): d = min(max, base × 2^retry), jittered, in whole milliseconds. */
export function backoffDelay(retry: number, backoff: Backoff, random: () => number = Math.random): number {
  const d = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, retry));
  if (backoff.jitter === 'none') return d;
  return Math.round(backoff.jitter === 'full' ? random() * d : d / 2 + (random() * d) / 2);
}

/** No single wait longer than this, so a long outage is still retried a few times a day. */
const MAX_DELAY_MS = 4 * 3_600_000;

/**
 * The wait before attempt `attempt + 1` after `attempt` failures: base × 2^(attempt−1), capped, with "equal
 * jitter" (half fixed, half random) so endpoints that failed together do not all come back together.
 */
export function retryDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), MAX_DELAY_MS);
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

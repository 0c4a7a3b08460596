// Bounded retries with exponential backoff and full jitter; Retry-After (429, 503) honoured within a cap.
import { backoffDelay } from '../retry/backoff.js';
import { abortReason } from './export.errors.js';

export interface RetryPolicy {
  /** Retries after the first attempt (0 = try once). */
  retries: number;
  /** Delay before the first retry; doubles for each further one, with full jitter. */
  baseDelayMs: number;
  /** Cap on one computed backoff delay. */
  maxDelayMs: number;
  /** Cap on a server's Retry-After; a longer wait is cut to this. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 4, baseDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 60_000 };

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** The wait before retry number `attempt` (0 is the first): the server's Retry-After when it gave one, else backoff (retry/backoff.ts). */
export function retryDelay(attempt: number, policy: RetryPolicy, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  // Full jitter: concurrent exports that failed together come back spread out.
  return backoffDelay(attempt, { baseMs: policy.baseDelayMs, maxMs: policy.maxDelayMs, jitter: 'full' });
}

/** setTimeout as a promise that an AbortSignal cuts short (rejecting with the signal's reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

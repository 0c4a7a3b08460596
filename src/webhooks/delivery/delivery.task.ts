import type { Job, Task } from 'graphile-worker';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { WebhookConfig } from '../../config/config.js';
import { isDatabaseFault, rethrowAsDatabaseError } from '../../errors/error.formatter.js';
import type { Logger } from '../../config/logger.js';
import { backoffDelay, type Backoff } from '../../retry/backoff.js';
import { DELIVERY_TIMEOUT_MS, postOnce, type SendResult } from './delivery.sender.js';
import { signatureHeader } from '../webhook.signer.js';
import { checkWebhookUrl, type HostLookup } from '../url.guard.js';
import type { WebhookDB } from '../webhook.db.js';
import { loadDelivery, RECORD_SQL, workspaceOf, type LoadedDelivery } from './delivery.store.js';

/**
 * The fence before a POST: the job is still this worker pool's, and its lock is renewed. The sweep
 * (delivery.worker.ts) frees only jobs locked longer ago than ORPHAN_AGE_MS, longer than a POST may last, so a job
 * whose POST is under way is never freed, even while this worker's liveness lock is gone; and a job freed while it
 * waited here (its pool taken for dead) is not sent by two workers at once. graphile-worker has no call for this:
 * its private table, as of the pinned 0.18.
 */
const FENCE_SQL = `update graphile_worker._private_jobs set locked_at = now() where id = $1::bigint and locked_by = $2::text`;

/** No POST lasts longer than DELIVERY_TIMEOUT_MS after the fence; the margin is for clocks and a busy event loop. */
export const ORPHAN_AGE_MS = DELIVERY_TIMEOUT_MS + 20_000;

/** Recording an attempt whose POST was made is retried through a database fault, this long at most. */
const RECORD_RETRY_MS = 15_000;
/** Those retries: 100 ms doubling to 2 s. */
const RECORD_BACKOFF: Backoff = { baseMs: 100, maxMs: 2000, jitter: 'none' };
/** No single wait between delivery attempts longer than this, so a long outage is still retried a few times a day. */
const MAX_RETRY_DELAY_MS = 4 * 3_600_000;

/**
 * The wait before attempt `attempt + 1` after `attempt` failures: WEBHOOK_RETRY_BASE_MS × 2^(attempt−1), capped,
 * with equal jitter so endpoints that failed together do not all come back together.
 */
export function retryDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  return backoffDelay(attempt - 1, { baseMs, maxMs: MAX_RETRY_DELAY_MS, jitter: 'equal' }, random);
}

export interface DeliveryDeps {
  pool: pg.Pool;
  config: WebhookConfig;
  lookup: HostLookup;
  logger: Logger;
}

/** A job this worker may no longer run (freed as orphaned meanwhile): thrown, so graphile-worker completes nothing. */
class JobNotHeldError extends Error {
  override name = 'JobNotHeldError';
}

/**
 * Sends one delivery's event, signed; the URL is checked again first (DNS may have changed since it was saved),
 * then the job is fenced (FENCE_SQL) right before the POST.
 */
async function attempt(d: LoadedDelivery, job: Job, deps: DeliveryDeps): Promise<SendResult> {
  const body = JSON.stringify(d.payload);
  let url: URL;
  try {
    url = await checkWebhookUrl(d.url, { allowLoopback: deps.config.allowLoopback, lookup: deps.lookup });
  } catch (err) {
    return { ok: false, statusCode: null, durationMs: 0, error: (err as Error).message };
  }
  const fenced = await deps.pool.query(FENCE_SQL, [job.id, job.locked_by]);
  if (fenced.rowCount !== 1) throw new JobNotHeldError(`job ${job.id} is no longer held by ${job.locked_by}: not sent`);
  const now = new Date();
  const secrets = d.previous_secret ? [d.secret, d.previous_secret] : [d.secret];
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'csat-subgraph-webhooks/1',
    // webhook-id is the event's id: the same on every retry, so a receiver can drop repeats.
    'webhook-id': d.event_id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signatureHeader(secrets, d.event_id, now, body),
  };
  return postOnce(url, headers, body, { lookup: deps.lookup, allowLoopback: deps.config.allowLoopback });
}

/** RECORD_SQL, again through database faults (backing off, RECORD_RETRY_MS at most): the POST was made, so its attempt must be stored. */
async function record(deps: DeliveryDeps, values: unknown[]): Promise<{ status: string } | undefined> {
  const until = Date.now() + RECORD_RETRY_MS;
  for (let retry = 0; ; retry++) {
    const wait = backoffDelay(retry, RECORD_BACKOFF);
    try {
      return (await deps.pool.query<{ status: string }>(RECORD_SQL, values).catch(rethrowAsDatabaseError)).rows[0];
    } catch (err) {
      if (!isDatabaseFault(err) || Date.now() + wait > until) throw err;
      deps.logger.debug({ err, deliveryId: values[0] }, 'webhook delivery: recording the attempt again after a database fault');
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** The graphile-worker task: one HTTP attempt per job; the retry is a new job at the backoff time (docs/webhooks.md). */
export function deliveryTask(deps: DeliveryDeps): Task {
  // The jobs this process runs now: the same job fetched twice (freed as orphaned while it waited in the local
  // queue, then fetched again) waits for the first run, then gives up its turn.
  const running = new Map<string, Promise<unknown>>();
  // Kysely over the worker's own pool (graphile-worker's): typed reads of the webhook tables.
  const db = new Kysely<WebhookDB>({ dialect: new PostgresDialect({ pool: deps.pool }) });
  return async (payload, helpers) => {
    const job = helpers.job;
    const earlier = running.get(job.id);
    if (earlier) {
      await earlier.catch(() => {});
      throw new JobNotHeldError(`job ${job.id} already ran in this process`);
    }
    const run = deliver(payload, job, deps, db);
    running.set(job.id, run);
    try {
      await run;
    } catch (err) {
      if (err instanceof JobNotHeldError) deps.logger.info({ jobId: job.id, reason: err.message }, 'webhook delivery skipped: the job is no longer this worker\'s');
      throw err;
    } finally {
      running.delete(job.id);
    }
  };
}

async function deliver(payload: unknown, job: Job, deps: DeliveryDeps, db: Kysely<WebhookDB>): Promise<void> {
  const { deliveryId, workspaceId: queued } = (payload ?? {}) as { deliveryId?: unknown; workspaceId?: unknown };
  if (typeof deliveryId !== 'string') return;
  const workspaceId = typeof queued === 'string' ? queued : await workspaceOf(db, deliveryId);
  if (!workspaceId) return;
  const d = await loadDelivery(db, deliveryId, workspaceId);
  // Deleted endpoint (its deliveries went with it), or already settled by an earlier run: nothing to do.
  if (!d || d.status !== 'PENDING') return;
  const result = await attempt(d, job, deps);
  const number = d.attempts + 1;
  const delay = retryDelayMs(number, deps.config.retryBaseMs);
  const recorded = await record(deps, [d.id, number, result.statusCode, result.durationMs, result.error, result.ok, delay, deps.config.retryWindowMs, d.workspace_id]);
  deps.logger[result.ok ? 'debug' : 'info'](
    { deliveryId: d.id, eventId: d.event_id, attempt: number, statusCode: result.statusCode, error: result.error, status: recorded?.status },
    'webhook delivery attempt',
  );
}

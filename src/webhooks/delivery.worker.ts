import { EventEmitter } from 'node:events';
import { run, type Runner, type WorkerEvents } from 'graphile-worker';
import pg from 'pg';
import type { WebhookConfig } from '../config/config.js';
import { connectionLost } from '../db/connection.lost.js';
import type { Logger } from '../server/logger.js';
import { deliveryTask } from './delivery.task.js';
import { quietGraphileLogger } from './queue.schema.js';
import { DELIVER_TASK } from './rating.event.sql.js';
import type { HostLookup } from './url.guard.js';

/** First key of the advisory locks that say "this worker pool is alive" ('cstw'). */
const ALIVE_LOCK_CLASS = 0x63737477;
/** How often every worker looks for jobs held by dead pools; a restart's first look is at once. */
export const SWEEP_INTERVAL_MS = 10_000;
/** A pool takes its lock right as it is created: a job locked more recently than this may belong to a pool still taking it. */
const MIN_LOCK_AGE = '5 seconds';

/**
 * graphile-worker frees a job whose worker died only after 4 hours. Each pool here holds a session advisory
 * lock on a connection of its own, for its whole life; PostgreSQL drops it the moment the process dies. A job
 * locked by a pool id without that lock is orphaned, and graphile-worker's force_unlock_workers frees it.
 */
const SWEEP_SQL = `select graphile_worker.force_unlock_workers(array(
     select distinct j.locked_by from graphile_worker.jobs j
      where j.locked_by is not null and j.locked_at < now() - interval '${MIN_LOCK_AGE}'
        and not exists (select 1 from pg_locks l
                         where l.locktype = 'advisory' and l.granted and l.objsubid = 2 and l.classid = $1::int::oid
                           and l.objid = (hashtext(j.locked_by)::bigint & 4294967295)::oid)))`;

export interface DeliveryWorker {
  stop(): Promise<void>;
}

export async function startDeliveryWorker(opts: { databaseUrl: string; config: WebhookConfig; lookup: HostLookup; logger: Logger }): Promise<DeliveryWorker> {
  const logger = opts.logger.child({ component: 'webhook-worker' });
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.config.concurrency + 4 });
  pool.on('error', (err) => logger.warn({ err: connectionLost(err) }, 'webhook worker: idle connection lost'));
  pool.on('connect', (client) => client.on('error', (err) => logger.warn({ err: connectionLost(err) }, 'webhook worker: connection lost')));
  const alive = new pg.Client({ connectionString: opts.databaseUrl });
  alive.on('error', (err) => logger.error({ err: connectionLost(err) }, 'webhook worker: liveness connection lost'));
  await alive.connect();

  const sweep = () =>
    pool.query(SWEEP_SQL, [ALIVE_LOCK_CLASS]).catch((err: unknown) => logger.warn({ err }, 'webhook worker: sweep for orphaned jobs failed'));
  const events: WorkerEvents = new EventEmitter() as WorkerEvents;
  const locked: Promise<unknown>[] = [];
  events.on('pool:create', ({ workerPool }) => {
    locked.push(alive.query('select pg_advisory_lock($1::int, hashtext($2))', [ALIVE_LOCK_CLASS, workerPool.id]));
  });

  let runner: Runner;
  try {
    runner = await run({
      pgPool: pool,
      concurrency: opts.config.concurrency,
      noHandleSignals: true,
      // A retry due later is found by polling (new jobs arrive by LISTEN/NOTIFY): no slower than the first retry delay, within 0.2..2 s.
      pollInterval: Math.min(2000, Math.max(200, opts.config.retryBaseMs)),
      logger: quietGraphileLogger,
      events,
      // Jobs fetched in batches and completions sent in batches: fewer queue statements per delivery under load.
      preset: { worker: { localQueue: { size: opts.config.concurrency * 2 }, completeJobBatchDelay: 0 } },
      taskList: { [DELIVER_TASK]: deliveryTask({ pool, config: opts.config, lookup: opts.lookup, logger }) },
    });
    await Promise.all(locked);
  } catch (err) {
    await alive.end().catch(() => {});
    await pool.end().catch(() => {});
    throw err;
  }
  await sweep();
  const timer = setInterval(sweep, SWEEP_INTERVAL_MS);
  timer.unref();
  logger.info({ concurrency: opts.config.concurrency }, 'webhook worker started');

  let stopping: Promise<void> | undefined;
  return {
    stop: () =>
      (stopping ??= (async () => {
        clearInterval(timer);
        await runner.stop().catch((err: unknown) => logger.warn({ err }, 'webhook worker: stop'));
        await alive.end().catch(() => {});
        await pool.end().catch(() => {});
      })()),
  };
}

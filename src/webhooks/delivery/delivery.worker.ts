import { EventEmitter } from 'node:events';
import { run, type Runner, type TaskList, type WorkerEvents } from 'graphile-worker';
import type pg from 'pg';
import type { WebhookConfig } from '../../config/config.js';
import { connectionLost } from '../../db/connection.lost.js';
import { FaultLog } from '../../db/fault.log.js';
import { guardedPool } from '../../db/guarded.pool.js';
import type { Logger } from '../../config/logger.js';
import { deliveryTask, ORPHAN_AGE_MS } from './delivery.task.js';
import { LivenessLock } from './liveness.lock.js';
import { quietGraphileLogger } from '../queue.schema.js';
import { DELIVER_TASK } from '../rating.event.sql.js';
import type { HostLookup } from '../url.guard.js';

/** First key of the advisory locks that say "this worker pool is alive" ('cstw'). */
const ALIVE_LOCK_CLASS = 0x63737477;
/** How often every worker looks for jobs held by dead pools; a restart's first look is at once. */
export const SWEEP_INTERVAL_MS = 10_000;

/**
 * graphile-worker frees a job whose worker died only after 4 hours. Each pool here holds a session advisory
 * lock on a connection of its own (liveness.lock.ts); PostgreSQL drops it the moment the process dies. A job
 * locked by a pool id without that lock is orphaned, and graphile-worker's force_unlock_workers frees it, but
 * only once its lock is older than ORPHAN_AGE_MS (renewed right before each POST, delivery.task.ts: a POST under
 * way is never freed, even while its pool's liveness connection is being re-established), and never a pool of
 * this process ($2): this process knows its own pools are alive.
 */
const SWEEP_SQL = `select graphile_worker.force_unlock_workers(array(
     select distinct j.locked_by from graphile_worker.jobs j
      where j.locked_by is not null and j.locked_by <> all($2::text[])
        and j.locked_at < now() - $3::int * interval '1 millisecond'
        and not exists (select 1 from pg_locks l
                         where l.locktype = 'advisory' and l.granted and l.objsubid = 2 and l.classid = $1::int::oid
                           and l.objid = (hashtext(j.locked_by)::bigint & 4294967295)::oid)))`;

/** graphile-worker gives up a worker pool whose queue statements keep failing (about 5 minutes of outage): start it again after this. */
const RESTART_DELAY_MS = 5000;

export interface DeliveryWorker {
  stop(): Promise<void>;
}

/**
 * `tasks`: other jobs the same worker runs on its pool (the composition root passes the insights' recount,
 * insights/term-recount.task.ts): one job worker per process, whatever the jobs.
 */
export async function startDeliveryWorker(opts: {
  databaseUrl: string;
  config: WebhookConfig;
  lookup: HostLookup;
  logger: Logger;
  tasks?: (deps: { pool: pg.Pool; logger: Logger }) => TaskList;
}): Promise<DeliveryWorker> {
  const logger = opts.logger.child({ component: 'webhook-worker' });
  const faults = new FaultLog();
  const pool = guardedPool({ connectionString: opts.databaseUrl, max: opts.config.concurrency + 4 }, (err, state) =>
    faults.warn(logger, { err: connectionLost(err) }, state === 'idle' ? 'webhook worker: idle connection lost' : 'webhook worker: connection lost'),
  );
  // graphile-worker takes a pool without a 'connect' listener for one whose checked-out clients nobody listens
  // to, and adds its own (with a console warning): every client of a guarded pool listens already.
  pool.on('connect', () => {});
  const liveness = new LivenessLock(opts.databaseUrl, ALIVE_LOCK_CLASS, logger);
  await liveness.start();
  const ownPools = new Set<string>();

  const sweep = () =>
    pool
      .query(SWEEP_SQL, [ALIVE_LOCK_CLASS, [...ownPools], ORPHAN_AGE_MS])
      .catch((err: unknown) => faults.warn(logger, { err }, 'webhook worker: sweep for orphaned jobs failed'));
  const events: WorkerEvents = new EventEmitter() as WorkerEvents;
  const locked: Promise<unknown>[] = [];
  events.on('pool:create', ({ workerPool }) => {
    ownPools.add(workerPool.id);
    locked.push(liveness.hold(workerPool.id));
  });
  events.on('pool:release', ({ workerPool }) => {
    ownPools.delete(workerPool.id);
    void liveness.release(workerPool.id);
  });
  const task = deliveryTask({ pool, config: opts.config, lookup: opts.lookup, logger });
  const extra = opts.tasks?.({ pool, logger: opts.logger.child({ component: 'job-worker' }) }) ?? {};
  const start = () =>
    run({
      pgPool: pool,
      concurrency: opts.config.concurrency,
      noHandleSignals: true,
      // A retry due later is found by polling (new jobs arrive by LISTEN/NOTIFY): no slower than the first retry delay, within 0.2..2 s.
      pollInterval: Math.min(2000, Math.max(200, opts.config.retryBaseMs)),
      logger: quietGraphileLogger,
      events,
      // Jobs fetched in batches and completions sent in batches: fewer queue statements per delivery under load.
      preset: { worker: { localQueue: { size: opts.config.concurrency * 2 }, completeJobBatchDelay: 0 } },
      taskList: { ...extra, [DELIVER_TASK]: task },
    });

  let stopping: Promise<void> | undefined;
  let runner: Runner;
  let restart: NodeJS.Timeout | undefined;
  // The runner ends only when asked to, or when graphile-worker gives up after a long outage (its completions
  // kept failing): then this worker starts it again, so deliveries resume once the database is back.
  const restartLater = () => {
    restart = setTimeout(() => {
      if (stopping) return;
      // run() checks graphile-worker's schema first: while the database is still down it fails, and is tried again.
      start().then(
        (next) => {
          runner = next;
          supervise(next);
        },
        (err: unknown) => {
          faults.warn(logger, { err }, 'webhook worker: restart failed; trying again');
          restartLater();
        },
      );
    }, RESTART_DELAY_MS);
  };
  const supervise = (r: Runner) => {
    void r.promise
      .catch(() => {})
      .then(() => {
        if (stopping) return;
        logger.error('webhook worker: graphile-worker stopped after database faults; starting it again');
        restartLater();
      });
  };
  try {
    runner = await start();
    await Promise.all(locked);
  } catch (err) {
    await liveness.stop();
    await pool.end().catch(() => {});
    throw err;
  }
  supervise(runner);
  await sweep();
  const timer = setInterval(sweep, SWEEP_INTERVAL_MS);
  timer.unref();
  logger.info({ concurrency: opts.config.concurrency }, 'webhook worker started');

  return {
    stop: () =>
      (stopping ??= (async () => {
        clearInterval(timer);
        clearTimeout(restart);
        await runner.stop().catch((err: unknown) => logger.warn({ err }, 'webhook worker: stop'));
        await liveness.stop();
        await pool.end().catch(() => {});
        faults.flush();
      })()),
  };
}

import type { Task, TaskList } from 'graphile-worker';
import type pg from 'pg';
import type { Logger } from '../config/logger.js';
import { pgSession } from './rollup.session.js';
import { runRecount } from './term-recount.js';
import { REQUEUE_SQL } from './term-recount.sql.js';

/** The graphile-worker task csat_settings' trigger queues on a commentLanguage change (Migration20261207060000). */
export const TERM_RECOUNT_TASK = 'csat_term_recount';
/** A job works this long, then queues itself again: a worker's stop never waits long for it, deliveries get their turn. */
export const RECOUNT_BUDGET_MS = 2000;
/** Another runner holds the workspace (a job queued twice, a paused recount): look again after this. */
export const RECOUNT_BUSY_DELAY_MS = 1000;

/**
 * One job: steps (term-recount.ts) for up to RECOUNT_BUDGET_MS, then the job again if there is more. A failure
 * (a lost connection, a crash) is graphile-worker's retry with backoff: the steps committed stay done, the next run
 * resumes from the state row. A job of a workspace with nothing to do ends at once.
 */
export function termRecountTask(deps: { pool: pg.Pool; logger: Logger }): Task {
  const db = pgSession(deps.pool);
  return async (payload) => {
    const { workspaceId } = (payload ?? {}) as { workspaceId?: unknown };
    if (typeof workspaceId !== 'string') return;
    const run = await runRecount(db, workspaceId, { budgetMs: RECOUNT_BUDGET_MS });
    if (run.steps.switched) deps.logger.info({ workspaceId }, 'comment themes: recounted in the new commentLanguage');
    if (run.outcome !== 'done') await db.query(REQUEUE_SQL, [workspaceId, run.outcome === 'busy' ? RECOUNT_BUSY_DELAY_MS : 0]);
    deps.logger.debug({ workspaceId, ...run }, 'comment themes recount');
  };
}

/** The tasks a job worker runs for the insights (delivery.worker.ts runs them beside the webhook deliveries). */
export const insightsTasks = (deps: { pool: pg.Pool; logger: Logger }): TaskList => ({ [TERM_RECOUNT_TASK]: termRecountTask(deps) });

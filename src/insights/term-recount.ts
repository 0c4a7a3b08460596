// A workspace's comment-themes recount after a commentLanguage change (docs/insights.md, Comment themes), in
// short transactions, each resumable: the state is the workspace's csat_term_language row, moved in the same
// transaction as the rows it describes, so a crash or a stop between two steps loses nothing and repeats nothing.
// Run by the graphile-worker task (term-recount.task.ts); tests and scripts call the steps directly. The SQL and
// why each statement is safe beside ratings arriving: term-recount.sql.ts, Migration20261207060000.
import type { RollupSession } from './rollup.session.js';
import { LOCK_LANGUAGE_SQL, LOCK_MONTH_SQL } from './rollup.sql.js';
import {
  batchSql,
  deleteLanguageSql,
  LEFTOVER_LANGUAGE_SQL,
  LOCK_LANGUAGE_EXCLUSIVE_SQL,
  NEXT_MONTH_SQL,
  RUNNER_LOCK_SQL,
  START_MONTH_SQL,
  STATE_SQL,
  SWITCH_SQL,
} from './term-recount.sql.js';

/** Comments tokenised per step: ratings of the month being counted wait for at most one batch (~0.1 s here). */
export const RECOUNT_BATCH = 500;

/**
 * What one step did: counted a batch of comments in the new language; switched the themes to it (every month
 * counted); removed a batch of rows of a language no longer needed; found nothing to do (idle); or found another
 * runner at work on the workspace (busy: nothing done).
 */
export type RecountStep = 'counted' | 'switched' | 'cleaned' | 'idle' | 'busy';

interface State {
  language: string;
  recount_language: string | null;
  /** The month being worked through ('YYYY-MM-DD', ±infinity), or null between months. */
  month: string | null;
  at_start: boolean;
}

/**
 * One step, in one transaction. Locks, in this order everywhere (so nothing deadlocks): the runner lock, the
 * csat_term_language row, then a month's csat_rollup_lock or the language lock; a language change takes the
 * csat_settings row, the csat_term_language row, then the language lock; a rating its month locks, then the
 * language lock shared.
 */
export async function recountStep(db: RollupSession, workspaceId: string, batch = RECOUNT_BATCH): Promise<RecountStep> {
  return db.transaction(async (tx) => {
    const [{ held } = { held: false }] = await tx.query<{ held: boolean }>(RUNNER_LOCK_SQL, [workspaceId]);
    if (!held) return 'busy';
    const [state] = await tx.query<State>(STATE_SQL, [workspaceId]);
    if (state?.recount_language) {
      let month = state.month;
      let first = state.at_start;
      if (month === null) {
        const [next] = await tx.query<{ month: string }>(NEXT_MONTH_SQL, [workspaceId]);
        if (!next) {
          // Every month is counted: csatCommentThemes reads the new language from this commit on.
          await tx.query(LOCK_LANGUAGE_EXCLUSIVE_SQL, [workspaceId]);
          await tx.query(SWITCH_SQL, [workspaceId]);
          return 'switched';
        }
        month = next.month;
        first = true;
        await tx.query(LOCK_MONTH_SQL, [workspaceId, month]);
        await tx.query(START_MONTH_SQL, [workspaceId, month]);
      } else {
        await tx.query(LOCK_MONTH_SQL, [workspaceId, month]);
      }
      await tx.query(batchSql(first), [workspaceId, batch, month]);
      return 'counted';
    }
    // No recount: the rows of a language nobody reads any more go, a batch at a time.
    await tx.query(LOCK_LANGUAGE_SQL, [workspaceId]);
    const [leftover] = await tx.query<{ language: string }>(LEFTOVER_LANGUAGE_SQL, [workspaceId]);
    if (!leftover) return 'idle';
    const [daily] = await tx.query<{ n: number }>(deleteLanguageSql('csat_term_daily'), [workspaceId, leftover.language, batch]);
    // Daily rows first, monthly ones once the daily are gone: LEFTOVER_LANGUAGE_SQL finds either.
    if (daily!.n < batch) await tx.query(deleteLanguageSql('csat_term_monthly'), [workspaceId, leftover.language, batch]);
    return 'cleaned';
  }, 'begin; set local synchronous_commit = off');
}

export interface RecountRun {
  /** done: nothing left; more: the budget ran out first; busy: another runner holds the workspace. */
  outcome: 'done' | 'more' | 'busy';
  steps: Record<RecountStep, number>;
}

/** Steps until there is nothing left to do or `budgetMs` has passed (at least one step). */
export async function runRecount(db: RollupSession, workspaceId: string, opts: { budgetMs?: number; batch?: number } = {}): Promise<RecountRun> {
  const until = performance.now() + (opts.budgetMs ?? Infinity);
  const steps: Record<RecountStep, number> = { counted: 0, switched: 0, cleaned: 0, idle: 0, busy: 0 };
  for (;;) {
    const step = await recountStep(db, workspaceId, opts.batch);
    steps[step]++;
    if (step === 'idle') return { outcome: 'done', steps };
    if (step === 'busy') return { outcome: 'busy', steps };
    if (performance.now() >= until) return { outcome: 'more', steps };
  }
}

// Rebuilds the insights rollups (and the offers they count) from the rows, one (workspace, UTC month) per short
// transaction, while the service runs: migrate()'s backfill after Migration20261206200000, and
// `npm run rollups:rebuild`. The SQL is in rollup.sql.ts; why it counts a concurrent rating exactly once: docs/insights.md.
import type { RollupSession } from './rollup.session.js';
import { CLEAR_MONTH_SQL, DEQUEUE_SQL, FILL_MONTH_SQL, LOCK_LANGUAGE_SQL, LOCK_MONTH_SQL, NEXT_QUEUED_SQL, OFFERS_SQL, QUEUE_EXISTS_SQL, WORKSPACE_MONTHS_SQL, WORKSPACES_SQL } from './rollup.sql.js';

export interface WorkspaceRebuilt {
  workspaceId: string;
  months: number;
  /** Offers recorded for ratings that had none, and offers marked rated. */
  offersAdded: number;
  offersMarked: number;
  ms: number;
}

/** Every workspace with ratings, offers or rollup rows. */
export async function rollupWorkspaces(db: RollupSession): Promise<string[]> {
  return (await db.query<{ workspace_id: string }>(WORKSPACES_SQL)).map((r) => r.workspace_id);
}

/**
 * One month of one workspace, in one transaction: its lock (exclusive), the offers its ratings lack, then its
 * rows of every rollup deleted and written again from the rows. Returns the offers it added and marked.
 */
export async function rebuildMonth(db: RollupSession, workspaceId: string, month: string): Promise<{ added: number; marked: number }> {
  return db.transaction(
    async (tx) => {
      await tx.query(LOCK_MONTH_SQL, [workspaceId, month]);
      await tx.query(LOCK_LANGUAGE_SQL, [workspaceId]);
      // Read committed: each statement from here sees every rating committed before the lock was granted.
      const [offers] = await tx.query<{ added: number; marked: number }>(OFFERS_SQL, [workspaceId, month]);
      await tx.query(CLEAR_MONTH_SQL, [workspaceId, month]);
      await tx.query(FILL_MONTH_SQL, [workspaceId, month]);
      return offers!;
    },
    // No wait for the WAL flush per month: a crash may lose the last months rebuilt, which only means doing them
    // again (the queue's dequeue, synchronous, flushes every one before it).
    'begin; set local synchronous_commit = off',
  );
}

/** Every month of a workspace, oldest first; the service keeps serving (each month waits only for its own ratings). */
export async function rebuildWorkspace(db: RollupSession, workspaceId: string): Promise<WorkspaceRebuilt> {
  const started = performance.now();
  const months = (await db.query<{ month: string }>(WORKSPACE_MONTHS_SQL, [workspaceId])).map((r) => r.month);
  let offersAdded = 0;
  let offersMarked = 0;
  for (const month of months) {
    const { added, marked } = await rebuildMonth(db, workspaceId, month);
    offersAdded += added;
    offersMarked += marked;
  }
  return { workspaceId, months: months.length, offersAdded, offersMarked, ms: performance.now() - started };
}

/**
 * The workspaces Migration20261206200000 queued (its history), each rebuilt then dequeued: a start cut short
 * resumes with the next. Run by migrate() under its lock; nothing to do on later starts.
 */
export async function rebuildQueued(db: RollupSession, onWorkspace?: (done: WorkspaceRebuilt) => void): Promise<number> {
  if (!(await db.query<{ exists: boolean }>(QUEUE_EXISTS_SQL))[0]!.exists) return 0;
  let count = 0;
  for (;;) {
    const [next] = await db.query<{ workspace_id: string }>(NEXT_QUEUED_SQL);
    if (!next) return count;
    const done = await rebuildWorkspace(db, next.workspace_id);
    await db.query(DEQUEUE_SQL, [next.workspace_id]);
    onWorkspace?.(done);
    count++;
  }
}

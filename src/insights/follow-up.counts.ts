import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from 'kysely';
import type { Filter } from './insights.filter.js';
import { filterConditions } from './ratings.query.js';

/** The follow-ups of the filter's ratings, per assignee at rating time and in all (`total`). */
export interface FollowUpCounts {
  /** OPEN or CONTACTED. */
  open: number;
  /** The median, in seconds, from the rating to DONE over the follow-ups DONE; null without any. */
  medianSecondsToDone: number | null;
}

export interface FollowUpCountsByAssignee {
  total: FollowUpCounts;
  byAssignee: Map<string | null, FollowUpCounts>;
}

const NONE: FollowUpCounts = { open: 0, medianSecondsToDone: null };

/**
 * One statement: the filter's ratings that have a follow-up (the follow-up's key is the rating's: a join on both
 * primary keys), grouped by assignee and in all (grouping sets). Run only when a summary selects followUpsOpen or
 * followUpMedianSecondsToDone (csatSummary's own statement is unchanged). The median is PostgreSQL's
 * percentile_cont(0.5): with an even count, the mean of the two middle values.
 */
async function countFollowUps(em: EntityManager, workspace: string, filter: Filter): Promise<FollowUpCountsByAssignee> {
  const where = [sql`f.workspace_id = ${workspace}::uuid`, ...filterConditions(filter)];
  if (filter.assigneeIds) where.push(sql`r.assignee_id = any(${filter.assigneeIds}::uuid[])`);
  const join = filter.reopenedSinceRating !== null ? sql`left join ticket t on t.id = r.ticket_id` : sql``;
  const { rows } = await sql<{ assignee_id: string | null; total: boolean; open: number; median: number | null }>`
    select r.assignee_id, grouping(r.assignee_id) = 1 as total,
           (count(*) filter (where f.state in ('OPEN', 'CONTACTED')))::int as open,
           percentile_cont(0.5) within group (order by extract(epoch from f.done_at - r.rated_at)) filter (where f.state = 'DONE') as median
      from csat_follow_up f
      join csat_rating r on r.workspace_id = f.workspace_id and r.ticket_id = f.ticket_id
      ${join}
     where ${sql.join(where, sql` and `)}
     group by grouping sets ((r.assignee_id), ())`.execute(em.getKysely());
  const out: FollowUpCountsByAssignee = { total: NONE, byAssignee: new Map() };
  for (const row of rows) {
    const counts = { open: row.open, medianSecondsToDone: row.median === null ? null : Number(row.median) };
    if (row.total) out.total = counts;
    else out.byAssignee.set(row.assignee_id, counts);
  }
  return out;
}

/** The counts, computed at most once per answer and only when a field asks (graphql-js calls function-valued fields). */
export function lazyFollowUpCounts(em: EntityManager, workspace: string, filter: Filter): (assignee?: string | null) => { followUpsOpen: () => Promise<number>; followUpMedianSecondsToDone: () => Promise<number | null> } {
  let counts: Promise<FollowUpCountsByAssignee> | undefined;
  const get = () => (counts ??= countFollowUps(em, workspace, filter));
  return (assignee) => {
    const of = async () => {
      const c = await get();
      return assignee === undefined ? c.total : (c.byAssignee.get(assignee) ?? NONE);
    };
    return { followUpsOpen: async () => (await of()).open, followUpMedianSecondsToDone: async () => (await of()).medianSecondsToDone };
  };
}

import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type RawBuilder } from 'kysely';
import { rollupAnswers, type Filter } from './insights.filter.js';
import { addRow, emptyCounts, settle, type AssigneeCounts } from './counts.guard.js';
import { periodPlan, sqlInstant, type DayRange, type PeriodPlan } from './period.plan.js';
import { filterConditions } from './ratings.query.js';

export type { AssigneeCounts } from './counts.guard.js';

interface CountRow {
  kind: 'r' | 'o';
  assignee_id: string | null;
  rating: number | null;
  n: number;
  m: number;
}

function assigneeCondition(column: string, filter: Filter): RawBuilder<unknown>[] {
  return filter.assigneeIds ? [sql`${sql.raw(column)} = any(${filter.assigneeIds}::uuid[])`] : [];
}

function dayConditions(range: DayRange): RawBuilder<unknown>[] {
  return [...(range.from ? [sql`day >= ${range.from}::date`] : []), ...(range.to ? [sql`day < ${range.to}::date`] : [])];
}

/** The rollup tables and day ranges a plan reads: the monthly one for whole months, the daily one for the rest. */
function rollupRanges(plan: PeriodPlan, kind: 'rating' | 'offer'): { table: RawBuilder<unknown>; range: DayRange }[] {
  return [
    ...(plan.months ? [{ table: sql.raw(`csat_${kind}_monthly`), range: plan.months }] : []),
    ...plan.days.map((range) => ({ table: sql.raw(`csat_${kind}_daily`), range })),
  ];
}

function edgeCondition(column: string, edges: [Date, Date][]): RawBuilder<unknown> {
  return sql`(${sql.join(edges.map(([a, b]) => sql`(${sql.raw(column)} >= ${sqlInstant(a)}::timestamptz and ${sql.raw(column)} < ${sqlInstant(b)}::timestamptz)`), sql` or `)})`;
}

const and = (parts: RawBuilder<unknown>[]) => sql.join(parts, sql` and `);

/** The ratings part: whole months and days from the rollups where the filter allows, the rest from csat_rating. */
function ratingParts(workspace: string, filter: Filter, plan: PeriodPlan): RawBuilder<unknown>[] {
  const raw = (extra: RawBuilder<unknown>[], periodFromFilter: boolean) => {
    const conditions = [sql`r.workspace_id = ${workspace}::uuid`, ...assigneeCondition('r.assignee_id', filter), ...extra];
    const own = periodFromFilter ? filterConditions(filter) : filterConditions({ ...filter, ratedFrom: null, ratedTo: null });
    const join = filter.reopenedSinceRating !== null ? sql`left join ticket t on t.id = r.ticket_id` : sql``;
    // comment_length > 0 is "has a comment", and in the rated-at indexes: the rows' part is an index-only scan.
    return sql`select 'r' as kind, r.assignee_id, r.rating, count(*)::int as n, (count(*) filter (where r.comment_length > 0))::int as m
      from csat_rating r ${join} where ${and([...conditions, ...own])} group by r.assignee_id, r.rating`;
  };
  if (!rollupAnswers(filter)) return [raw([], true)];
  const parts: RawBuilder<unknown>[] = [];
  for (const { table, range } of rollupRanges(plan, 'rating')) {
    const conditions = [sql`workspace_id = ${workspace}::uuid`, ...dayConditions(range), ...assigneeCondition('assignee_id', filter)];
    if (filter.ratings) conditions.push(sql`rating = any(${filter.ratings}::smallint[])`);
    // float8, not int: sums of hand-edited rollups past 32 bits reach counts.guard.ts instead of failing here.
    parts.push(sql`select 'r' as kind, assignee_id, rating, sum(ratings)::float8 as n, sum(commented)::float8 as m
      from ${table} where ${and(conditions)} group by assignee_id, rating`);
  }
  if (plan.edges.length) parts.push(raw([edgeCondition('r.rated_at', plan.edges)], false));
  return parts;
}

/** The offers part: only the assignee (at offer time) and the period apply (docs/contract.md, response rate). */
function offerParts(workspace: string, filter: Filter, plan: PeriodPlan): RawBuilder<unknown>[] {
  const parts: RawBuilder<unknown>[] = [];
  for (const { table, range } of rollupRanges(plan, 'offer')) {
    const conditions = [sql`workspace_id = ${workspace}::uuid`, ...dayConditions(range), ...assigneeCondition('assignee_id', filter)];
    parts.push(sql`select 'o' as kind, assignee_id, null::smallint as rating, sum(offered)::float8 as n, sum(rated)::float8 as m
      from ${table} where ${and(conditions)} group by assignee_id`);
  }
  if (plan.edges.length) {
    const conditions = [sql`o.workspace_id = ${workspace}::uuid`, ...assigneeCondition('o.assignee_id', filter), edgeCondition('o.offered_at', plan.edges)];
    parts.push(sql`select 'o' as kind, o.assignee_id, null::smallint as rating, count(*)::int as n, (count(*) filter (where o.rated))::int as m
      from csat_offer o where ${and(conditions)} group by o.assignee_id`);
  }
  return parts;
}

/** The one statement of a summary's counts; null for an empty period (the benchmark EXPLAINs it). */
export function summaryQuery(workspace: string, filter: Filter, opts: { offers: boolean } = { offers: true }): RawBuilder<CountRow> | null {
  const plan = periodPlan(filter.ratedFrom, filter.ratedTo);
  if (plan.empty) return null;
  const parts = [...ratingParts(workspace, filter, plan), ...(opts.offers ? offerParts(workspace, filter, plan) : [])];
  return sql<CountRow>`${sql.join(parts, sql` union all `)}`;
}

/** Every count a summary needs, per assignee, in one statement (none for an empty period). */
export interface SummaryCounts {
  rows: AssigneeCounts[];
  /** What had to be clamped (counts.guard.ts): empty unless the rollups disagree with themselves. */
  problems: string[];
}

export async function countsByAssignee(em: EntityManager, workspace: string, filter: Filter, opts: { offers: boolean } = { offers: true }): Promise<SummaryCounts> {
  const query = summaryQuery(workspace, filter, opts);
  if (!query) return { rows: [], problems: [] };
  const { rows } = await query.execute(em.getKysely({ type: 'read' }));
  const byAssignee = new Map<string | null, AssigneeCounts>();
  const problems: string[] = [];
  for (const row of rows) {
    let counts = byAssignee.get(row.assignee_id);
    if (!counts) byAssignee.set(row.assignee_id, (counts = emptyCounts(row.assignee_id)));
    addRow(counts, row, problems);
  }
  return { rows: [...byAssignee.values()].map((c) => settle(c, problems)), problems };
}

import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type RawBuilder } from 'kysely';
import { rollupAnswers, type Filter } from './insights.filter.js';
import { filterConditions } from './ratings.query.js';
import { MAX_BUCKET, MAX_INT } from './counts.guard.js';
import { homeBucket, type DayRange, type TrendPlan } from './trend.plan.js';

/** Counts per bucket: ratings per star (with how many had a comment), offers (with how many were rated). */
export interface BucketCounts {
  distribution: [number, number, number, number, number];
  commented: number;
  offered: number;
  rated: number;
}

/**
 * One row of the statement. `kind`: r/o for ratings/offers; `b`: for a rollup row the index (1-based) into the
 * plan's home thresholds, for a row part `width_bucket` over the bounds (0 before the period, n + 1 after);
 * `day`: a row part's UTC day (days since 1970-01-01), null for rollups.
 */
interface TrendRow {
  kind: 'r' | 'o';
  /** True for a rollup row (b: a home threshold), false for a row part (b: a bucket of the bounds). */
  rollup: boolean;
  b: number;
  day: number | null;
  rating: number | null;
  n: number;
  m: number;
}

/**
 * The rollup tables a trend reads (docs/insights.md, "Which grain serves which trend"). With hourly tables
 * (`workspace_id, hour, [rating,] counts`), the whole UTC hours of the moved parts are read from them and only
 * what is left of an hour (zones at :30 or :45) from the rows. The benchmark passes PER_ASSIGNEE_TABLES to
 * measure the trend as it was before the per-workspace grains (bench/insights.bench.ts).
 */
export interface TrendTables {
  ratingDaily: string;
  ratingMonthly: string;
  offerDaily: string;
  offerMonthly: string;
  ratingHourly?: string;
  offerHourly?: string;
}

/** An assignee filter: the per-assignee rollups (their daily rows through the indexes led by the assignee). */
export const PER_ASSIGNEE_TABLES: TrendTables = { ratingDaily: 'csat_rating_daily', ratingMonthly: 'csat_rating_monthly', offerDaily: 'csat_offer_daily', offerMonthly: 'csat_offer_monthly' };

/**
 * The whole workspace: 5 rating rows and one offer row a UTC day whatever the number of agents. Whole months
 * too come from the daily grain (365 × 5 rows a year; the monthly one has 12 × 5 per assignee, more from 31 agents on).
 */
export const PER_WORKSPACE_TABLES: TrendTables = {
  ratingDaily: 'csat_rating_daily_ws',
  ratingMonthly: 'csat_rating_daily_ws',
  offerDaily: 'csat_offer_daily_ws',
  offerMonthly: 'csat_offer_daily_ws',
  ratingHourly: 'csat_rating_hourly_ws',
  offerHourly: 'csat_offer_hourly_ws',
};

/** The tables that answer `filter`: the per-workspace ones hold no assignee. */
export const trendTables = (filter: Filter): TrendTables => (filter.assigneeIds ? PER_ASSIGNEE_TABLES : PER_WORKSPACE_TABLES);

const and = (parts: RawBuilder<unknown>[]) => sql.join(parts, sql` and `);
const iso = (ms: number) => new Date(ms).toISOString();
const dayText = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

function assigneeCondition(column: string, filter: Filter): RawBuilder<unknown>[] {
  return filter.assigneeIds ? [sql`${sql.raw(column)} = any(${filter.assigneeIds}::uuid[])`] : [];
}

/** The rollup parts of one kind: monthly ranges, then daily ranges, each grouped by home threshold. */
function rollupParts(workspace: string, filter: Filter, plan: TrendPlan, kind: 'r' | 'o', tables: TrendTables): RawBuilder<unknown>[] {
  if (!plan.rollupDays) return [];
  const thresholds = plan.homes.map((h) => dayText(h.firstDay));
  const ranges: [string, DayRange][] = [
    ...plan.months.map((r) => [kind === 'r' ? tables.ratingMonthly : tables.offerMonthly, r] as [string, DayRange]),
    ...plan.days.map((r) => [kind === 'r' ? tables.ratingDaily : tables.offerDaily, r] as [string, DayRange]),
  ];
  return ranges.map(([table, range]) => {
    const where = [sql`workspace_id = ${workspace}::uuid`, sql`day >= ${range.from}::date`, sql`day < ${range.to}::date`, ...assigneeCondition('assignee_id', filter)];
    const b = sql`width_bucket(day, ${thresholds}::date[])`;
    if (kind === 'o') {
      return sql`select 'o' as kind, true as rollup, ${b} as b, null::int as day, null::smallint as rating, sum(offered)::float8 as n, sum(rated)::float8 as m
        from ${sql.raw(table)} where ${and(where)} group by 3`;
    }
    if (filter.ratings) where.push(sql`rating = any(${filter.ratings}::smallint[])`);
    return sql`select 'r' as kind, true as rollup, ${b} as b, null::int as day, rating, sum(ratings)::float8 as n, sum(commented)::float8 as m
      from ${sql.raw(table)} where ${and(where)} group by 3, 5`;
  });
}

/**
 * The instant ranges of the plan as a relation `g(s, e)`: one index range scan each (index-only, the covering
 * rated-at and offered-at indexes). The join repeats each range as `tstzrange(s, e) @> column`: PostgreSQL takes
 * a third of the index for each bound it cannot see (a million rows estimated for 8,000), and sizes the
 * aggregate's hash table by that; the containment's join selectivity brings the estimate to the real order.
 */
function rangesRelation(ranges: [number, number][]): RawBuilder<unknown> {
  return sql`unnest(${ranges.map((r) => iso(r[0]))}::timestamptz[], ${ranges.map((r) => iso(r[1]))}::timestamptz[]) as g(s, e)`;
}

const utcDay = (column: string) => sql.raw(`((${column} at time zone 'UTC')::date - date '1970-01-01')`);

const HOUR = 3_600_000;

/** The moved parts as whole UTC hours (for an hourly table) and what is left of an hour at their ends (rows). */
export function splitHours(ranges: [number, number][]): { hours: number[]; rest: [number, number][] } {
  const hours: number[] = [];
  const rest: [number, number][] = [];
  for (const [s, e] of ranges) {
    const first = Math.ceil(s / HOUR) * HOUR;
    const last = Math.floor(e / HOUR) * HOUR;
    if (first >= last) {
      rest.push([s, e]);
      continue;
    }
    if (s < first) rest.push([s, first]);
    for (let h = first; h < last; h += HOUR) hours.push(h);
    if (last < e) rest.push([last, e]);
  }
  return { hours, rest };
}

/** The moved whole hours from an hourly table, shaped as row parts (their bucket and UTC day). */
function hourlyPart(workspace: string, filter: Filter, plan: TrendPlan, kind: 'r' | 'o', table: string, hours: number[]): RawBuilder<unknown>[] {
  if (!hours.length) return [];
  const bounds = sql`${plan.bounds.map(iso)}::timestamptz[]`;
  const where = [sql`workspace_id = ${workspace}::uuid`, sql`hour = any(${hours.map(iso)}::timestamptz[])`];
  if (kind === 'o') {
    return [sql`select 'o' as kind, false as rollup, width_bucket(hour, ${bounds}) as b, ${utcDay('hour')} as day, null::smallint as rating, sum(offered)::float8 as n, sum(rated)::float8 as m
      from ${sql.raw(table)} where ${and(where)} group by 3, 4`];
  }
  if (filter.ratings) where.push(sql`rating = any(${filter.ratings}::smallint[])`);
  return [sql`select 'r' as kind, false as rollup, width_bucket(hour, ${bounds}) as b, ${utcDay('hour')} as day, rating, sum(ratings)::float8 as n, sum(commented)::float8 as m
    from ${sql.raw(table)} where ${and(where)} group by 3, 4, 5`];
}

/** The ranges to read from the rows, and the hourly parts in their place when an hourly table is given (no assignee filter). */
function movedParts(workspace: string, filter: Filter, plan: TrendPlan, kind: 'r' | 'o', tables: TrendTables): { ranges: [number, number][]; hourly: RawBuilder<unknown>[] } {
  const table = kind === 'r' ? tables.ratingHourly : tables.offerHourly;
  if (!table || filter.assigneeIds) return { ranges: plan.rows, hourly: [] };
  const { hours, rest } = splitHours(plan.rows);
  return { ranges: rest, hourly: hourlyPart(workspace, filter, plan, kind, table, hours) };
}

function ratingRowParts(workspace: string, filter: Filter, plan: TrendPlan, tables: TrendTables): RawBuilder<unknown>[] {
  const bounds = sql`${plan.bounds.map(iso)}::timestamptz[]`;
  const join = filter.reopenedSinceRating !== null ? sql`left join ticket t on t.id = r.ticket_id` : sql``;
  const base = [sql`r.workspace_id = ${workspace}::uuid`, ...assigneeCondition('r.assignee_id', filter)];
  if (!rollupAnswers(filter)) {
    // Row filters the rollups cannot answer: every matching row of the period, by its bucket (filterConditions has the period).
    return [
      sql`select 'r' as kind, false as rollup, width_bucket(r.rated_at, ${bounds}) as b, null::int as day, r.rating, count(*)::int as n, (count(*) filter (where r.comment_length > 0))::int as m
        from csat_rating r ${join} where ${and([...base, ...filterConditions(filter)])} group by 3, 5`,
    ];
  }
  const { ranges, hourly } = movedParts(workspace, filter, plan, 'r', tables);
  if (!ranges.length) return hourly;
  const own = filterConditions({ ...filter, ratedFrom: null, ratedTo: null });
  return [
    ...hourly,
    sql`select 'r' as kind, false as rollup, width_bucket(r.rated_at, ${bounds}) as b, ${utcDay('r.rated_at')} as day, r.rating, count(*)::int as n, (count(*) filter (where r.comment_length > 0))::int as m
      from ${rangesRelation(ranges)} join csat_rating r on r.rated_at >= g.s and r.rated_at < g.e and tstzrange(g.s, g.e) @> r.rated_at
      where ${and([...base, ...own])} group by 3, 4, 5`,
  ];
}

function offerRowParts(workspace: string, filter: Filter, plan: TrendPlan, tables: TrendTables): RawBuilder<unknown>[] {
  const bounds = sql`${plan.bounds.map(iso)}::timestamptz[]`;
  const { ranges, hourly } = movedParts(workspace, filter, plan, 'o', tables);
  if (!ranges.length) return hourly;
  return [
    ...hourly,
    sql`select 'o' as kind, false as rollup, width_bucket(o.offered_at, ${bounds}) as b, ${utcDay('o.offered_at')} as day, null::smallint as rating, count(*)::int as n, (count(*) filter (where o.rated))::int as m
      from ${rangesRelation(ranges)} join csat_offer o on o.offered_at >= g.s and o.offered_at < g.e and tstzrange(g.s, g.e) @> o.offered_at
      where ${and([sql`o.workspace_id = ${workspace}::uuid`, ...assigneeCondition('o.assignee_id', filter)])} group by 3, 4`,
  ];
}

/** The one statement of a trend (the benchmark EXPLAINs it). */
export function trendQuery(workspace: string, filter: Filter, plan: TrendPlan, tables: TrendTables = trendTables(filter)): RawBuilder<TrendRow> {
  const parts = [
    ...(rollupAnswers(filter) ? rollupParts(workspace, filter, plan, 'r', tables) : []),
    ...ratingRowParts(workspace, filter, plan, tables),
    ...rollupParts(workspace, filter, plan, 'o', tables),
    ...offerRowParts(workspace, filter, plan, tables),
  ];
  // A period with no rollup day and no row range cannot happen (from < to), but keep the statement valid.
  if (!parts.length) return sql<TrendRow>`select 'r' as kind, false as rollup, 0 as b, null::int as day, null::smallint as rating, 0 as n, 0 as m where false`;
  return sql<TrendRow>`${sql.join(parts, sql` union all `)}`;
}

/**
 * Folds the statement's rows into one BucketCounts per bucket: rollups to their home, moved rows from home to
 * their own bucket. Rollups that disagree with themselves (counts.guard.ts) are made possible per bucket: a star
 * outside 1..5 ignored, each count within [0, what it can be]; each correction described in `problems`.
 */
export function foldTrendRows(plan: TrendPlan, rows: TrendRow[], problems: string[] = []): BucketCounts[] {
  const n = plan.bounds.length - 1;
  const buckets: BucketCounts[] = Array.from({ length: n }, () => ({ distribution: [0, 0, 0, 0, 0], commented: 0, offered: 0, rated: 0 }));
  const add = (b: number, row: TrendRow, sign: number) => {
    const c = buckets[b]!;
    if (row.kind === 'r') {
      c.distribution[row.rating! - 1] = c.distribution[row.rating! - 1]! + sign * row.n;
      c.commented += sign * row.m;
    } else {
      c.offered += sign * row.n;
      c.rated += sign * row.m;
    }
  };
  for (const row of rows) {
    if (row.kind === 'r' && !(Number.isInteger(row.rating) && row.rating! >= 1 && row.rating! <= 5)) {
      problems.push(`${row.n} ratings of ${row.rating} stars (ignored)`);
      continue;
    }
    if (row.rollup) {
      add(plan.homes[row.b - 1]!.bucket, row, 1);
      continue;
    }
    // A row part: counted in its own bucket when inside the period, and taken off the home of its day when that day came from a rollup.
    if (row.b >= 1 && row.b <= n) add(row.b - 1, row, 1);
    if (row.day !== null) {
      const home = homeBucket(plan, row.day);
      if (home !== null) add(home, row, -1);
    }
  }
  return buckets.map((c, i) => settleBucket(c, new Date(plan.bounds[i]!).toISOString(), problems));
}

/** `x` within [0, max] (non-finite: 0); a note in `problems` when it was not. */
function clamp(x: number, max: number, problems: string[], what: string): number {
  const fixed = Number.isFinite(x) ? Math.min(Math.max(x, 0), max) : 0;
  if (fixed !== x) problems.push(`${what} ${x} (counted as ${fixed})`);
  return fixed;
}

function settleBucket(c: BucketCounts, start: string, problems: string[]): BucketCounts {
  const distribution = c.distribution.map((x, i) => clamp(x, MAX_BUCKET, problems, `bucket ${start}: ratings of ${i + 1}`)) as BucketCounts['distribution'];
  const count = distribution.reduce((s, x) => s + x, 0);
  const offered = clamp(c.offered, MAX_INT, problems, `bucket ${start}: offered`);
  return {
    distribution,
    commented: clamp(c.commented, count, problems, `bucket ${start}: commented of ${count} ratings`),
    offered,
    rated: clamp(c.rated, offered, problems, `bucket ${start}: rated of ${offered} offered`),
  };
}

/** Every count of a trend, per bucket, in one statement; `problems` receives what was clamped. */
export async function countsByBucket(em: EntityManager, workspace: string, filter: Filter, plan: TrendPlan, problems: string[] = []): Promise<BucketCounts[]> {
  const { rows } = await trendQuery(workspace, filter, plan).execute(em.getKysely({ type: 'read' }));
  return foldTrendRows(plan, rows, problems);
}

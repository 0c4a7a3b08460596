// The term rollups' rebuild and check (docs/insights.md, Themes): the same buckets as csat_term_rollup_rows
// (Migration20261207040000): the 1-2 and 4-5 star comments' lexemes in the workspace's comment_language, per
// UTC day / month, rating and lexeme. rollup.rebuild.ts and rollup.check.ts run these with the other rollups.
import { DAYS_IN_MONTH, IN_MONTH, type Grain } from './rollup.sql.js';

/** The term rollup rows the comments matching `where` (over csat_rating r) add up to. */
export function termBuckets(grain: Grain, where: string): string {
  const bucket = grain === 'daily' ? `(r.rated_at at time zone 'UTC')::date` : `date_trunc('month', r.rated_at at time zone 'UTC')::date`;
  return `select r.workspace_id, ${bucket} as day, r.rating, t.lexeme as term, count(*)::int as comments, sum(cardinality(t.positions))::int as occurrences
  from csat_rating r
  left join csat_settings s on s.workspace_id = r.workspace_id
  cross join lateral unnest(to_tsvector(coalesce(s.comment_language, 'english')::regconfig, r.comment)) t
 where r.comment is not null and r.rating <> 3 and ${where}
 group by 1, 2, 3, 4`;
}

export const TERM_TABLES = ['csat_term_daily', 'csat_term_monthly'] as const;
export type TermTable = (typeof TERM_TABLES)[number];

/** Month $2 of workspace $1 in both term rollups, gone (held under the month's lock by rebuildMonth). */
export const TERM_CLEAR_MONTH_SQL = `with d as (delete from csat_term_monthly where workspace_id = $1::uuid and ${DAYS_IN_MONTH}) delete from csat_term_daily where workspace_id = $1::uuid and ${DAYS_IN_MONTH}`;

/** Month $2 of workspace $1 in both term rollups, from its comments. */
export const TERM_FILL_MONTH_SQL = `with m as (insert into csat_term_monthly (workspace_id, day, rating, term, comments, occurrences)
  ${termBuckets('monthly', `r.workspace_id = $1::uuid and ${IN_MONTH('r.rated_at')}`)})
insert into csat_term_daily (workspace_id, day, rating, term, comments, occurrences)
${termBuckets('daily', `r.workspace_id = $1::uuid and ${IN_MONTH('r.rated_at')}`)}`;

/** Rows of a term rollup that differ from the comments' sums, both ways; `one`: workspace $1 only. */
export function termDifferencesSql(table: TermTable, one: boolean): string {
  const grain: Grain = table === 'csat_term_daily' ? 'daily' : 'monthly';
  const scope = (alias: string) => (one ? `${alias}.workspace_id = $1::uuid` : 'true');
  return `
select '${table}' as "table", coalesce(s.workspace_id, x.workspace_id) as workspace_id, to_char(coalesce(s.day, x.day), 'YYYY-MM-DD') as day,
       coalesce(s.rating, x.rating)::int as rating, coalesce(s.term, x.term) as term,
       s.occurrences as rollup_a, s.comments as rollup_b, x.occurrences as rows_a, x.comments as rows_b
  from (select * from ${table} s where ${scope('s')}) s
  full join (${termBuckets(grain, scope('r'))}) x on s.workspace_id = x.workspace_id and s.day = x.day and s.rating = x.rating and s.term = x.term
 where (s.occurrences, s.comments) is distinct from (x.occurrences, x.comments)
 order by 2, 3, 4, 5 limit 1000`;
}

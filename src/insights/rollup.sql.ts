// Every statement that rebuilds or checks the insights rollups from the rows they sum (docs/insights.md,
// Rollups): migrate()'s backfill, `npm run rollups:rebuild`, `npm run rollups:check` and the tests run these.
// The buckets are the triggers' (Migration20261206200000): the UTC day, and its month's first day, of
// rated_at / offered_at; a rating "commented" when comment_length > 0 (the CHECK makes it comment is not null).

const day = (column: string) => `(${column} at time zone 'UTC')::date`;
const month = (column: string) => `date_trunc('month', ${column} at time zone 'UTC')::date`;

// Right after a bulk import the planner's statistics say a workspace has no rows, and an anti-join planned on
// that can compare every rating with every offer (minutes at 50,000). Scalar subqueries are never turned into
// joins: each row probes the other table's primary key, whatever the statistics.
const offerOf = (r: string) => `(select 1 from csat_offer x where x.workspace_id = ${r}.workspace_id and x.ticket_id = ${r}.ticket_id)`;
const ratingOf = (o: string) => `(select 1 from csat_rating x where x.workspace_id = ${o}.workspace_id and x.ticket_id = ${o}.ticket_id)`;

export type Grain = 'daily' | 'monthly';

/** The rows of csat_rating_<grain> that the ratings matching `where` (over csat_rating r) add up to. */
export function ratingBuckets(grain: Grain, where: string): string {
  return `select r.workspace_id, ${(grain === 'daily' ? day : month)('r.rated_at')} as day, r.assignee_id, r.rating,
                 count(*)::int as ratings, (count(*) filter (where r.comment_length > 0))::int as commented
            from csat_rating r where ${where} group by 1, 2, 3, 4`;
}

/** The rows of csat_offer_<grain> that the offers matching `where` (over csat_offer o) add up to. */
export function offerBuckets(grain: Grain, where: string): string {
  return `select o.workspace_id, ${(grain === 'daily' ? day : month)('o.offered_at')} as day, o.assignee_id,
                 count(*)::int as offered, (count(*) filter (where o.rated))::int as rated
            from csat_offer o where ${where} group by 1, 2, 3`;
}

// --- The rebuild of one (workspace $1, month $2): the month is its first day as text ('2026-11-01'), or
// 'infinity' / '-infinity' for rows at those instants (timestamptz accepts them; the triggers bucket them there).

/** The first and last instant, and last day, of month $2 (a single instant or day for ±infinity). */
const FROM = `(($2::date)::timestamp at time zone 'UTC')`;
const UNTIL = `(case when isfinite($2::date) then (($2::date + interval '1 month') at time zone 'UTC') - interval '1 microsecond' else ($2::date)::timestamp at time zone 'UTC' end)`;
const LAST_DAY = `(case when isfinite($2::date) then ($2::date + interval '1 month' - interval '1 day')::date else $2::date end)`;
export const IN_MONTH = (column: string) => `${column} between ${FROM} and ${UNTIL}`;
export const DAYS_IN_MONTH = `day between $2::date and ${LAST_DAY}`;

/** Every month of workspace $1 that has rows or rollup rows, oldest first, as text for $2. */
export const WORKSPACE_MONTHS_SQL = `
select case when isfinite(m) then to_char(m, 'YYYY-MM-DD') else m::text end as month from (
  select ${month('rated_at')} as m from csat_rating where workspace_id = $1::uuid
  union select ${month('offered_at')} from csat_offer where workspace_id = $1::uuid
  union select date_trunc('month', day)::date from csat_rating_daily where workspace_id = $1::uuid
  union select date_trunc('month', day)::date from csat_rating_monthly where workspace_id = $1::uuid
  union select date_trunc('month', day)::date from csat_offer_daily where workspace_id = $1::uuid
  union select date_trunc('month', day)::date from csat_offer_monthly where workspace_id = $1::uuid
  union select date_trunc('month', day)::date from csat_term_daily where workspace_id = $1::uuid
  union select date_trunc('month', day)::date from csat_term_monthly where workspace_id = $1::uuid
) months order by m`;

/** Every workspace with rows or rollup rows. */
export const WORKSPACES_SQL = `
select workspace_id from csat_rating union select workspace_id from csat_offer
union select workspace_id from csat_rating_daily union select workspace_id from csat_rating_monthly
union select workspace_id from csat_offer_daily union select workspace_id from csat_offer_monthly
union select workspace_id from csat_term_daily union select workspace_id from csat_term_monthly
order by 1`;

/**
 * Exclusive: every trigger takes the lock of a month it counts in shared, first, so the rows this transaction
 * reads afterwards are all there will be until it commits (a rating inserted meanwhile waits in its trigger).
 */
export const LOCK_MONTH_SQL = `select pg_advisory_xact_lock(csat_rollup_lock($1::uuid, $2::date))`;

/**
 * The offers the month's ratings lack (rated before offers were recorded: offered when rated, rated), and the
 * month's offers whose ticket has a rating marked rated (an import that bypassed the rating trigger); how many of each.
 */
export const OFFERS_SQL = `
with added as (
  insert into csat_offer as o (workspace_id, ticket_id, offered_at, assignee_id, rated)
  select r.workspace_id, r.ticket_id, r.rated_at, r.assignee_id, true from csat_rating r
   where r.workspace_id = $1::uuid and ${IN_MONTH('r.rated_at')}
     and ${offerOf('r')} is null
   order by r.workspace_id, r.assignee_id, r.ticket_id
  on conflict (workspace_id, ticket_id) do update set rated = true where not o.rated
  returning 1
), marked as (
  update csat_offer o set rated = true
   where o.workspace_id = $1::uuid and ${IN_MONTH('o.offered_at')} and not o.rated and ${ratingOf('o')} is not null
  returning 1
)
select (select count(*) from added)::int as added, (select count(*) from marked)::int as marked`;

const ROLLUP_TABLES = ['csat_rating_daily', 'csat_rating_monthly', 'csat_offer_daily', 'csat_offer_monthly'] as const;

/** The month's rows of the four rollups, gone (the next statement writes them again from the rows). */
export const CLEAR_MONTH_SQL = `with ${ROLLUP_TABLES.slice(1)
  .map((t, i) => `d${i} as (delete from ${t} where workspace_id = $1::uuid and ${DAYS_IN_MONTH})`)
  .join(', ')} delete from ${ROLLUP_TABLES[0]} where workspace_id = $1::uuid and ${DAYS_IN_MONTH}`;

/** The month's rollup rows, from its ratings and offers, in one statement (four tables, each written once). */
export const FILL_MONTH_SQL = `with
  r_monthly as (insert into csat_rating_monthly (workspace_id, day, assignee_id, rating, ratings, commented)
                ${ratingBuckets('monthly', `r.workspace_id = $1::uuid and ${IN_MONTH('r.rated_at')}`)}),
  o_daily as (insert into csat_offer_daily (workspace_id, day, assignee_id, offered, rated)
              ${offerBuckets('daily', `o.workspace_id = $1::uuid and ${IN_MONTH('o.offered_at')}`)}),
  o_monthly as (insert into csat_offer_monthly (workspace_id, day, assignee_id, offered, rated)
                ${offerBuckets('monthly', `o.workspace_id = $1::uuid and ${IN_MONTH('o.offered_at')}`)})
insert into csat_rating_daily (workspace_id, day, assignee_id, rating, ratings, commented)
${ratingBuckets('daily', `r.workspace_id = $1::uuid and ${IN_MONTH('r.rated_at')}`)}`;

// --- The queue of workspaces migrate() rebuilds after Migration20261206200000 (csat_rollup_rebuild).

export const NEXT_QUEUED_SQL = `select workspace_id from csat_rollup_rebuild order by workspace_id limit 1`;
export const DEQUEUE_SQL = `delete from csat_rollup_rebuild where workspace_id = $1::uuid`;
/** Whether the queue exists (a database migrated to before it: nothing queued). */
export const QUEUE_EXISTS_SQL = `select to_regclass('csat_rollup_rebuild') is not null as exists`;

// --- The check: each rollup table against the rows it sums, and the offers against the ratings. `one`: only
// workspace $1; else every workspace.

const NIL = `'00000000-0000-0000-0000-000000000000'::uuid`;
const scope = (one: boolean, alias: string) => (one ? `${alias}.workspace_id = $1::uuid` : 'true');

/** Day (or month) text of a date, for a report line. */
const dayText = (column: string) => `case when isfinite(${column}) then to_char(${column}, 'YYYY-MM-DD') else ${column}::text end`;

export type RollupTable = (typeof ROLLUP_TABLES)[number];
export const ROLLUP_TABLE_NAMES: readonly RollupTable[] = ROLLUP_TABLES;

/**
 * Rows of `table` that differ from the rows' sums, both ways (a bucket missing on either side included). Full
 * joins need equality: a null assignee joins as the nil uuid plus a flag, so a real nil-uuid assignee stays apart.
 */
export function differencesSql(table: RollupTable, one: boolean): string {
  const grain: Grain = table.endsWith('daily') ? 'daily' : 'monthly';
  const ratings = table.startsWith('csat_rating');
  const [a, b] = ratings ? ['ratings', 'commented'] : ['offered', 'rated'];
  const rows = ratings ? ratingBuckets(grain, scope(one, 'r')) : offerBuckets(grain, scope(one, 'o'));
  const keys = ratings ? ['workspace_id', 'day', 'assignee_id', 'rating'] : ['workspace_id', 'day', 'assignee_id'];
  const join = keys.map((k) => (k === 'assignee_id' ? `coalesce(s.${k}, ${NIL}) = coalesce(x.${k}, ${NIL}) and (s.${k} is null) = (x.${k} is null)` : `s.${k} = x.${k}`)).join(' and ');
  return `
select '${table}' as "table", coalesce(s.workspace_id, x.workspace_id) as workspace_id, ${dayText('coalesce(s.day, x.day)')} as day,
       coalesce(s.assignee_id, x.assignee_id) as assignee_id, ${ratings ? 'coalesce(s.rating, x.rating)::int' : 'null::int'} as rating,
       s.${a} as rollup_a, s.${b} as rollup_b, x.${a} as rows_a, x.${b} as rows_b
  from (select * from ${table} s where ${scope(one, 's')}) s
  full join (${rows}) x on ${join}
 where (s.${a}, s.${b}) is distinct from (x.${a}, x.${b})
 order by 2, coalesce(s.day, x.day), 4 nulls last, 5`;
}

/** Ratings without an offer, and offers of a rated ticket not marked rated, per workspace and day. */
export function offerGapsSql(one: boolean): string {
  return `
select r.workspace_id, ${dayText(day('r.rated_at'))} as day, 'ratings without an offer' as gap, count(*)::int as n
  from csat_rating r where ${scope(one, 'r')} and ${offerOf('r')} is null
 group by r.workspace_id, ${day('r.rated_at')}
union all
select o.workspace_id, ${dayText(day('o.offered_at'))}, 'offers of a rated ticket not marked rated', count(*)::int
  from csat_offer o where ${scope(one, 'o')} and not o.rated and ${ratingOf('o')} is not null
 group by o.workspace_id, ${day('o.offered_at')}
 order by 1, 2`;
}

/** What the check covered, for its summary line. */
export function totalsSql(one: boolean): string {
  const n = (table: string) => `(select count(*) from ${table} t where ${scope(one, 't')})::float8`;
  return `select ${n('csat_rating')} as ratings, ${n('csat_offer')} as offers,
                 ${ROLLUP_TABLES.map((t) => n(t)).join(' + ')} as rollup_rows,
                 (select count(*) from (${WORKSPACES_SQL.replace('order by 1', '')}) t where ${scope(one, 't')})::float8 as workspaces`;
}

// Every statement of a comment-themes recount (term-recount.ts; docs/insights.md, Comment themes): $1 is always
// the workspace, and every statement names it (one shard under Citus: docs/scale.md). The state is the workspace's
// csat_term_language row (Migration20261207060000); the buckets are the term trigger's: the UTC day and month of
// rated_at, ±infinity a month of one instant, 3 stars in neither group.

const MONTH = (at: string) => `date_trunc('month', ${at} at time zone 'UTC')::date`;
const DAY = (at: string) => `(${at} at time zone 'UTC')::date`;
/** The first and the last instant of month `m` (a date). */
const MONTH_START = (m: string) => `((${m})::timestamp at time zone 'UTC')`;
const MONTH_END = (m: string) => `(case when isfinite(${m}) then ((${m} + interval '1 month') at time zone 'UTC') - interval '1 microsecond' else (${m})::timestamp at time zone 'UTC' end)`;
const LAST_DAY = (m: string) => `(case when isfinite(${m}) then (${m} + interval '1 month' - interval '1 day')::date else ${m} end)`;
/** A month as text for $n::date: 'YYYY-MM-DD', or ±infinity. */
const MONTH_TEXT = (m: string) => `case when isfinite(${m}) then to_char(${m}, 'YYYY-MM-DD') else ${m}::text end`;
/** A comment the themes count: 1-2 or 4-5 stars (comment_length > 0 is comment is not null, a CHECK). */
const COUNTED = (r: string) => `${r}.comment_length > 0 and ${r}.rating <> 3`;

/**
 * One recount at a time per workspace: a step takes this transaction-level lock or does nothing ('busy', the job
 * comes back later). A session holding it (a test, an operator) pauses the workspace's recount.
 */
export const RUNNER_LOCK_KEY = `hashtextextended('csat_term_recount ' || $1::uuid::text, 0)`;
export const RUNNER_LOCK_SQL = `select pg_try_advisory_xact_lock(${RUNNER_LOCK_KEY}) as held`;

/** The recount's state, locked for the step: a language change waits for it (the step is one short batch). */
export const STATE_SQL = `
select language, recount_language, ${MONTH_TEXT('recount_month')} as month, recount_after_at is null as at_start
  from csat_term_language where workspace_id = $1::uuid for update`;

/**
 * The first month after the last one finished with a counted comment, or with rows of the recount's language
 * (left by an earlier recount to it, cancelled): each an index probe from there.
 */
export const NEXT_MONTH_SQL = `
select ${MONTH_TEXT('m')} as month from (
  select (select ${MONTH('r.rated_at')} from csat_rating r
           where r.workspace_id = $1::uuid and ${COUNTED('r')} and (l.recount_done_through is null or r.rated_at > ${MONTH_END('l.recount_done_through')})
           order by r.rated_at limit 1) as m
    from csat_term_language l where l.workspace_id = $1::uuid
  union all
  select (select t.day from csat_term_monthly t
           where t.workspace_id = $1::uuid and t.language = l.recount_language and (l.recount_done_through is null or t.day > l.recount_done_through)
           order by t.day limit 1)
    from csat_term_language l where l.workspace_id = $1::uuid
) months where m is not null order by m limit 1`;

/**
 * Month $2 starts (its csat_rollup_lock held exclusively): its rows of the recount's language are removed (what the
 * trigger counted there before the recount got to it, or an earlier recount left), and the cursor is at its start.
 * From here the trigger leaves the month's comments after the cursor to the batches.
 */
export const START_MONTH_SQL = `
with l as (select recount_language as language from csat_term_language where workspace_id = $1::uuid),
daily as (delete from csat_term_daily d using l where d.workspace_id = $1::uuid and d.language = l.language and d.day between $2::date and ${LAST_DAY('$2::date')}),
monthly as (delete from csat_term_monthly d using l where d.workspace_id = $1::uuid and d.language = l.language and d.day = $2::date)
update csat_term_language set recount_month = $2::date, recount_after_at = null, recount_after_ticket = null where workspace_id = $1::uuid`;

/**
 * One batch: the next $2 counted comments of month $3 (by rated_at, ticket_id: csat_rating_rated_at_idx) after the
 * cursor, tokenised once in the recount's language and added to its daily and monthly rows (in key order, as the
 * trigger writes them), then the cursor moved to the last of them; a batch shorter than $2 finishes the month.
 * `first`: the month's first batch (no cursor yet).
 */
export function batchSql(first: boolean): string {
  const after = first
    ? `r.rated_at >= ${MONTH_START('$3::date')}`
    : `(r.rated_at, r.ticket_id) > ((select recount_after_at from csat_term_language where workspace_id = $1::uuid), (select recount_after_ticket from csat_term_language where workspace_id = $1::uuid))`;
  const add = `on conflict (workspace_id, language, day, rating, term) do update set comments = d.comments + excluded.comments, occurrences = d.occurrences + excluded.occurrences`;
  const insert = (table: string, bucket: string) => `insert into ${table} as d (workspace_id, language, day, rating, term, comments, occurrences)
    select $1::uuid, l.language, ${bucket}, t.rating, t.lexeme, count(*)::int, sum(t.n)::int from terms t cross join l
     group by 2, 3, 4, 5 order by 2, 3, 4, 5
    ${add}`;
  return `
with l as (select recount_language as language from csat_term_language where workspace_id = $1::uuid),
batch as (
  select r.rated_at, r.ticket_id, r.rating, r.comment from csat_rating r
   where r.workspace_id = $1::uuid and ${after} and r.rated_at <= ${MONTH_END('$3::date')} and ${COUNTED('r')}
   order by r.rated_at, r.ticket_id limit $2::int
),
terms as (
  select b.rated_at, b.rating, x.lexeme, cardinality(x.positions) as n
    from batch b cross join l cross join lateral unnest(to_tsvector(l.language::regconfig, b.comment)) x
),
daily as (${insert('csat_term_daily', DAY('t.rated_at'))}),
monthly as (${insert('csat_term_monthly', MONTH('t.rated_at'))}),
edge as (
  select (select count(*) from batch)::int as n, b.rated_at, b.ticket_id
    from (select 1) one left join lateral (select rated_at, ticket_id from batch order by rated_at desc, ticket_id desc limit 1) b on true
)
update csat_term_language s set
       recount_after_at = case when edge.n >= $2::int then edge.rated_at end,
       recount_after_ticket = case when edge.n >= $2::int then edge.ticket_id end,
       recount_month = case when edge.n >= $2::int then s.recount_month end,
       recount_done_through = case when edge.n >= $2::int then s.recount_done_through else s.recount_month end,
       recount_months_done = s.recount_months_done + case when edge.n >= $2::int then 0 else 1 end
  from edge
 where s.workspace_id = $1::uuid
returning edge.n as counted, edge.n < $2::int as month_done`;
}

/** The switch, under the language lock (exclusive: the ratings that read the languages before have committed). */
export const LOCK_LANGUAGE_EXCLUSIVE_SQL = `select pg_advisory_xact_lock(csat_term_language_lock($1::uuid))`;
export const SWITCH_SQL = `
update csat_term_language
   set language = recount_language, recount_language = null, recount_month = null, recount_after_at = null, recount_after_ticket = null,
       recount_done_through = null, recount_months_done = 0, recount_months = 0, recount_requested_at = null
 where workspace_id = $1::uuid and recount_language is not null
returning language`;

/**
 * A language the workspace's term rollups hold that is neither the counted one nor the recount's (the old one after a
 * switch, or a cancelled recount's): a skip scan of each table's (workspace_id, language) prefix.
 */
export const LEFTOVER_LANGUAGE_SQL = `
with recursive keep as (
  select coalesce((select array_remove(array[language, recount_language], null) from csat_term_language where workspace_id = $1::uuid), array['english']) as languages
), daily(language) as (
  select (select min(language) from csat_term_daily where workspace_id = $1::uuid)
  union all select (select min(t.language) from csat_term_daily t where t.workspace_id = $1::uuid and t.language > daily.language) from daily where daily.language is not null
), monthly(language) as (
  select (select min(language) from csat_term_monthly where workspace_id = $1::uuid)
  union all select (select min(t.language) from csat_term_monthly t where t.workspace_id = $1::uuid and t.language > monthly.language) from monthly where monthly.language is not null
)
select found.language from (select language from daily union select language from monthly) found
 where found.language is not null and not exists (select 1 from keep where found.language = any(keep.languages))
 order by found.language limit 1`;

/**
 * Up to $3 rows of language $2 gone from `table` (rows another transaction holds are skipped: a rollups:rebuild of
 * their month removes them as well); how many.
 */
export const deleteLanguageSql = (table: 'csat_term_daily' | 'csat_term_monthly') => `
with gone as (
  delete from ${table} where workspace_id = $1::uuid
     and ctid = any(array(select ctid from ${table} where workspace_id = $1::uuid and language = $2::text limit $3::int for update skip locked))
  returning 1
) select count(*)::int as n from gone`;

/** The job again, at once (more to do) or later (another runner holds the workspace). */
export const REQUEUE_SQL = `
select (graphile_worker.add_job('csat_term_recount', json_build_object('workspaceId', $1::uuid),
                               run_at => now() + $2::int * interval '1 millisecond', job_key => 'csat_term_recount:' || $1::uuid::text)).id as job`;

/**
 * At start (migrate(), after the queue's schema): a job for every workspace with a recount under way, in case its
 * job was lost (failed past its attempts, the queue emptied). A job already queued is replaced, not doubled.
 */
export const REQUEUE_PENDING_SQL = `
select count((graphile_worker.add_job('csat_term_recount', json_build_object('workspaceId', workspace_id),
                                      job_key => 'csat_term_recount:' || workspace_id::text)).id)::int as queued
  from csat_term_language where recount_language is not null`;

/** The status settings show (commentLanguageStatus). */
export const STATUS_SQL = `
select language, recount_language, recount_months_done, recount_months from csat_term_language where workspace_id = $1::uuid`;

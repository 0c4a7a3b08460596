// Every statement that rebuilds or checks the insights rollups from the rows they sum (docs/insights.md,
// Rollups): migrate()'s backfill, `npm run rollups:rebuild`, `npm run rollups:check` and the tests run these.
// The buckets are the triggers' (Migration20261206200000, Migration20261207010000, Migration20261207040000,
// Migration20261207060000): the UTC day, its month's first day, or the UTC hour of rated_at / offered_at, per
// assignee or per workspace; a rating "commented" when comment_length > 0 (the CHECK makes it comment is not null);
// the comment themes' terms per workspace, language, day or month, rating and lexeme. The per-assignee tables are
// per channel too (issue 20, Migration20261207020000); the per-workspace grains and the term rollups are not (csatTrend and
// csatCommentThemes take no channel).

const day = (column: string) => `(${column} at time zone 'UTC')::date`;
const month = (column: string) => `date_trunc('month', ${column} at time zone 'UTC')::date`;
const hour = (column: string) => `(date_trunc('hour', ${column} at time zone 'UTC') at time zone 'UTC')`;

// Right after a bulk import the planner's statistics say a workspace has no rows, and an anti-join planned on
// that can compare every rating with every offer (minutes at 50,000). Scalar subqueries are never turned into
// joins: each row probes the other table's primary key, whatever the statistics.
const offerOf = (r: string) => `(select 1 from csat_offer x where x.workspace_id = ${r}.workspace_id and x.ticket_id = ${r}.ticket_id)`;
const ratingOf = (o: string) => `(select 1 from csat_rating x where x.workspace_id = ${o}.workspace_id and x.ticket_id = ${o}.ticket_id)`;

export type Grain = 'daily' | 'monthly' | 'hourly';

/**
 * One rollup table: what it counts (ratings, offers, or the terms of the 1-2 and 4-5 star comments), its bucket
 * column (`day`, or `hour` for the hourly grain), per assignee or not, per channel or not (issue 20: the
 * per-assignee tables; the per-workspace grains and the term rollups sum every channel).
 */
export interface RollupSpec {
  kind: 'rating' | 'offer' | 'term';
  grain: Grain;
  assignee: boolean;
  channel: boolean;
}

const ROLLUP_SPECS = {
  csat_rating_daily: { kind: 'rating', grain: 'daily', assignee: true, channel: true },
  csat_rating_monthly: { kind: 'rating', grain: 'monthly', assignee: true, channel: true },
  csat_rating_daily_ws: { kind: 'rating', grain: 'daily', assignee: false, channel: false },
  csat_rating_hourly_ws: { kind: 'rating', grain: 'hourly', assignee: false, channel: false },
  csat_offer_daily: { kind: 'offer', grain: 'daily', assignee: true, channel: true },
  csat_offer_monthly: { kind: 'offer', grain: 'monthly', assignee: true, channel: true },
  csat_offer_daily_ws: { kind: 'offer', grain: 'daily', assignee: false, channel: false },
  csat_offer_hourly_ws: { kind: 'offer', grain: 'hourly', assignee: false, channel: false },
  // csatCommentThemes' (Migration20261207040000): per workspace, rating and term; counts [occurrences, comments].
  csat_term_daily: { kind: 'term', grain: 'daily', assignee: false, channel: false },
  csat_term_monthly: { kind: 'term', grain: 'monthly', assignee: false, channel: false },
} as const satisfies Record<string, RollupSpec>;

export type RollupTable = keyof typeof ROLLUP_SPECS;
/** In the triggers' row-lock order (each family's per-assignee tables, then its per-workspace ones; the terms' trigger runs last). */
export const ROLLUP_TABLE_NAMES = Object.keys(ROLLUP_SPECS) as RollupTable[];
export const rollupSpec = (table: RollupTable): RollupSpec => ROLLUP_SPECS[table];

const bucketOf = (grain: Grain) => (grain === 'daily' ? day : grain === 'monthly' ? month : hour);
const bucketColumn = (grain: Grain) => (grain === 'hourly' ? 'hour' : 'day');

/** The columns grouped on after the bucket: the assignee and the channel, where the table has them. */
const dims = (alias: string, assignee: boolean, channel: boolean) => [...(assignee ? [`${alias}.assignee_id`] : []), ...(channel ? [`${alias}.channel`] : [])];
const groupBy = (n: number) => Array.from({ length: n }, (_, i) => i + 1).join(', ');

/** The rows of csat_rating_<grain>[_ws] that the ratings matching `where` (over csat_rating r) add up to. */
export function ratingBuckets(grain: Grain, where: string, assignee = true, channel = true): string {
  const keys = ['r.workspace_id', `${bucketOf(grain)('r.rated_at')} as ${bucketColumn(grain)}`, ...dims('r', assignee, channel), 'r.rating'];
  return `select ${keys.join(', ')},
                 count(*)::int as ratings, (count(*) filter (where r.comment_length > 0))::int as commented
            from csat_rating r where ${where} group by ${groupBy(keys.length)}`;
}

/** The rows of csat_offer_<grain>[_ws] that the offers matching `where` (over csat_offer o) add up to. */
export function offerBuckets(grain: Grain, where: string, assignee = true, channel = true): string {
  const keys = ['o.workspace_id', `${bucketOf(grain)('o.offered_at')} as ${bucketColumn(grain)}`, ...dims('o', assignee, channel)];
  return `select ${keys.join(', ')},
                 count(*)::int as offered, (count(*) filter (where o.rated))::int as rated
            from csat_offer o where ${where} group by ${groupBy(keys.length)}`;
}

/**
 * The languages a rating r counts in, as rows of c(language), once a recount has counted what it has
 * (Migration20261207060000, term-recount.ts): the workspace's counted language (english without a
 * csat_term_language row), and the recount's language for the months it finished and, in the month it works
 * through, the comments up to its cursor. (csat_rating's trigger counts a new comment in the recount's language
 * in the months it has not reached too; those rows are rewritten when it gets there, so neither the rebuild
 * writes them nor the check compares them: `compared` below.) A null row is dropped by the caller.
 */
const countedLanguages = (r: string) => `left join csat_term_language l on l.workspace_id = ${r}.workspace_id
            cross join lateral (values (coalesce(l.language, 'english')),
                   (case when l.recount_language is not null
                          and (${month(`${r}.rated_at`)} <= l.recount_done_through
                               or (${month(`${r}.rated_at`)} = l.recount_month and l.recount_after_at is not null
                                   and (${r}.rated_at, ${r}.ticket_id) <= (l.recount_after_at, l.recount_after_ticket)))
                         then l.recount_language end)) c(language)`;

/**
 * The rows of csat_term_<grain> that the ratings matching `where` (over csat_rating r) add up to: the lexemes of
 * their comments in each language they count in (countedLanguages; csat_term_rollup_rows' buckets; 3 stars in
 * neither group).
 */
export function termBuckets(grain: Grain, where: string): string {
  return `select r.workspace_id, ${bucketOf(grain)('r.rated_at')} as day, c.language, r.rating, t.lexeme as term, count(*)::int as comments, sum(cardinality(t.positions))::int as occurrences
            from csat_rating r
            ${countedLanguages('r')}
            cross join lateral unnest(to_tsvector(c.language::regconfig, r.comment)) t
           where r.comment is not null and r.rating <> 3 and c.language is not null and ${where}
           group by 1, 2, 3, 4, 5`;
}

/**
 * Whether a term rollup row `s` is compared with the rows: a row of the counted language, or of the recount's
 * language in a month it has counted (wholly, or in the month it works through). Not compared: the recount's rows
 * in the months it has not reached (partial by design: the trigger counts new comments there, the recount rewrites
 * the month when it gets to it), and rows of a language nobody reads any more (the old one after a switch, a
 * cancelled recount's), which the recount's job removes and a rebuild of their month too.
 */
const compared = (s: string) => `(${s}.language = coalesce((select l.language from csat_term_language l where l.workspace_id = ${s}.workspace_id), 'english')
                or exists (select 1 from csat_term_language l where l.workspace_id = ${s}.workspace_id and ${s}.language = l.recount_language
                            and coalesce(date_trunc('month', ${s}.day)::date <= l.recount_done_through or date_trunc('month', ${s}.day)::date = l.recount_month, false)))`;

/** The rows `table` holds for the ratings or offers matching `where`. */
function bucketsOf(table: RollupTable, where: (alias: string) => string): string {
  const { kind, grain, assignee, channel } = ROLLUP_SPECS[table];
  if (kind === 'term') return termBuckets(grain, where('r'));
  return kind === 'rating' ? ratingBuckets(grain, where('r'), assignee, channel) : offerBuckets(grain, where('o'), assignee, channel);
}

/** The two counts a row of `table` holds, as its columns. */
const countsOf = (kind: RollupSpec['kind']): [string, string] => (kind === 'rating' ? ['ratings', 'commented'] : kind === 'offer' ? ['offered', 'rated'] : ['occurrences', 'comments']);
/** The key columns after the bucket (and the assignee): a rating's star; a term's language, star and lexeme. */
const keysOf = (kind: RollupSpec['kind']): string[] => (kind === 'rating' ? ['rating'] : kind === 'offer' ? [] : ['language', 'rating', 'term']);

/** The month a bucket column is in (its first day). */
const monthOfBucket = (table: RollupTable) => (ROLLUP_SPECS[table].grain === 'hourly' ? month('hour') : `date_trunc('month', day)::date`);

// --- The rebuild of one (workspace $1, month $2): the month is its first day as text ('2026-11-01'), or
// 'infinity' / '-infinity' for rows at those instants (timestamptz accepts them; the triggers bucket them there).

/** The first and last instant, and last day, of month $2 (a single instant or day for ±infinity). */
const FROM = `(($2::date)::timestamp at time zone 'UTC')`;
const UNTIL = `(case when isfinite($2::date) then (($2::date + interval '1 month') at time zone 'UTC') - interval '1 microsecond' else ($2::date)::timestamp at time zone 'UTC' end)`;
const LAST_DAY = `(case when isfinite($2::date) then ($2::date + interval '1 month' - interval '1 day')::date else $2::date end)`;
const IN_MONTH = (column: string) => `${column} between ${FROM} and ${UNTIL}`;
const DAYS_IN_MONTH = `day between $2::date and ${LAST_DAY}`;

/** Every month of workspace $1 that has rows or rollup rows, oldest first, as text for $2. */
export const WORKSPACE_MONTHS_SQL = `
select case when isfinite(m) then to_char(m, 'YYYY-MM-DD') else m::text end as month from (
  select ${month('rated_at')} as m from csat_rating where workspace_id = $1::uuid
  union select ${month('offered_at')} from csat_offer where workspace_id = $1::uuid
  ${ROLLUP_TABLE_NAMES.map((t) => `union select ${monthOfBucket(t)} from ${t} where workspace_id = $1::uuid`).join('\n  ')}
) months order by m`;

/** Every workspace with rows or rollup rows. */
export const WORKSPACES_SQL = `
select workspace_id from csat_rating union select workspace_id from csat_offer
${ROLLUP_TABLE_NAMES.map((t) => `union select workspace_id from ${t}`).join('\n')}
order by 1`;

/**
 * Exclusive: every trigger takes the lock of a month it counts in shared, first, so the rows this transaction
 * reads afterwards are all there will be until it commits (a rating inserted meanwhile waits in its trigger).
 */
export const LOCK_MONTH_SQL = `select pg_advisory_xact_lock(csat_rollup_lock($1::uuid, $2::date))`;

/**
 * Then the workspace's language lock, shared (as the term trigger takes it, after its month locks): the languages
 * the fill counts in (its counted language, a recount's) stay what they are until the month is written, since a
 * language change and a recount's switch take it exclusively (Migration20261207060000).
 */
export const LOCK_LANGUAGE_SQL = `select pg_advisory_xact_lock_shared(csat_term_language_lock($1::uuid))`;

/**
 * The offers the month's ratings lack (rated before offers were recorded: offered when rated, rated), and the
 * month's offers whose ticket has a rating marked rated (an import that bypassed the rating trigger); how many of each.
 */
export const OFFERS_SQL = `
with added as (
  insert into csat_offer as o (workspace_id, ticket_id, offered_at, assignee_id, rated, channel)
  select r.workspace_id, r.ticket_id, r.rated_at, r.assignee_id, true, r.channel from csat_rating r
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

/** The rows of month $2 in `table`: its days, or its hours. */
const inMonth = (table: RollupTable) => (ROLLUP_SPECS[table].grain === 'hourly' ? IN_MONTH('hour') : DAYS_IN_MONTH);

/** The month's rows of every rollup, gone (the next statement writes them again from the rows). */
export const CLEAR_MONTH_SQL = `with ${ROLLUP_TABLE_NAMES.slice(1)
  .map((t, i) => `d${i} as (delete from ${t} where workspace_id = $1::uuid and ${inMonth(t)})`)
  .join(', ')} delete from ${ROLLUP_TABLE_NAMES[0]} where workspace_id = $1::uuid and ${inMonth(ROLLUP_TABLE_NAMES[0]!)}`;

const insertColumns = (table: RollupTable) => {
  const { kind, grain, assignee, channel } = ROLLUP_SPECS[table];
  // termBuckets selects comments before occurrences.
  const counts = kind === 'term' ? ['comments', 'occurrences'] : countsOf(kind);
  return ['workspace_id', bucketColumn(grain), ...(assignee ? ['assignee_id'] : []), ...(channel ? ['channel'] : []), ...keysOf(kind), ...counts].join(', ');
};
const fillOf = (table: RollupTable) =>
  `insert into ${table} (${insertColumns(table)})\n${bucketsOf(table, (a) => `${a}.workspace_id = $1::uuid and ${IN_MONTH(`${a}.${ROLLUP_SPECS[table].kind === 'offer' ? 'offered_at' : 'rated_at'}`)}`)}`;

/** The month's rollup rows, from its ratings and offers, in one statement (every table written once). */
export const FILL_MONTH_SQL = `with
  ${ROLLUP_TABLE_NAMES.slice(1)
    .map((t, i) => `f${i} as (${fillOf(t)})`)
    .join(',\n  ')}
${fillOf(ROLLUP_TABLE_NAMES[0]!)}`;

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

/** Day, month or hour text of a bucket, for a report line. */
const bucketText = (table: RollupTable, column: string) =>
  ROLLUP_SPECS[table].grain === 'hourly'
    ? `case when isfinite(${column}) then to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24":00Z"') else ${column}::text end`
    : dayText(column);

/**
 * Rows of `table` that differ from the rows' sums, both ways (a bucket missing on either side included). Full
 * joins need equality: a null assignee joins as the nil uuid plus a flag, so a real nil-uuid assignee stays apart.
 * A term rollup reports at most 1,000 (a wrong language differs on every term of the workspace); only its rows
 * that are `compared` are (not a recount's work ahead, nor a language awaiting removal).
 */
export function differencesSql(table: RollupTable, one: boolean): string {
  const { kind, grain, assignee, channel } = ROLLUP_SPECS[table];
  const [a, b] = countsOf(kind);
  const bucket = bucketColumn(grain);
  const rows = bucketsOf(table, (alias) => scope(one, alias));
  // issue 20: the per-assignee buckets are per channel too (Migration20261207020000).
  const keys = ['workspace_id', bucket, ...(assignee ? ['assignee_id'] : []), ...(channel ? ['channel'] : []), ...keysOf(kind)];
  const join = keys.map((k) => (k === 'assignee_id' ? `coalesce(s.${k}, ${NIL}) = coalesce(x.${k}, ${NIL}) and (s.${k} is null) = (x.${k} is null)` : `s.${k} = x.${k}`)).join(' and ');
  return `
select '${table}' as "table", coalesce(s.workspace_id, x.workspace_id) as workspace_id, ${bucketText(table, `coalesce(s.${bucket}, x.${bucket})`)} as day,
       ${assignee ? 'coalesce(s.assignee_id, x.assignee_id)' : 'null::uuid'} as assignee_id, ${channel ? 'coalesce(s.channel, x.channel)' : 'null::text'} as channel,
       ${kind === 'offer' ? 'null::int' : 'coalesce(s.rating, x.rating)::int'} as rating,
       ${kind === 'term' ? 'coalesce(s.term, x.term)' : 'null::text'} as term,
       ${kind === 'term' ? 'coalesce(s.language, x.language)' : 'null::text'} as language,
       s.${a} as rollup_a, s.${b} as rollup_b, x.${a} as rows_a, x.${b} as rows_b
  from (select * from ${table} s where ${scope(one, 's')}${kind === 'term' ? ` and ${compared('s')}` : ''}) s
  full join (${rows}) x on ${join}
 where (s.${a}, s.${b}) is distinct from (x.${a}, x.${b})
 order by 2, coalesce(s.${bucket}, x.${bucket}), 4 nulls last, 5, 6, 8, 7${kind === 'term' ? ' limit 1000' : ''}`;
}

/** The names of a rollup row's two counts, for a report line: [ratings, commented], [offered, rated] or [occurrences, comments]. */
export const countLabels = (table: RollupTable): [string, string] => countsOf(ROLLUP_SPECS[table].kind);

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
                 ${ROLLUP_TABLE_NAMES.map((t) => n(t)).join(' + ')} as rollup_rows,
                 (select count(*) from (${WORKSPACES_SQL.replace('order by 1', '')}) t where ${scope(one, 't')})::float8 as workspaces`;
}

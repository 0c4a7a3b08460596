import { Migration } from '@mikro-orm/migrations';

// Copied, not imported: a migration stays as it ran.
const MONTH = (at: string) => `date_trunc('month', ${at} at time zone 'UTC')::date`;
const DAY = (at: string) => `(${at} at time zone 'UTC')::date`;
/** The last instant of month `m` (a date; ±infinity is a month of one instant). */
const MONTH_END = (m: string) => `(case when isfinite(${m}) then ((${m} + interval '1 month') at time zone 'UTC') - interval '1 microsecond' else (${m})::timestamp at time zone 'UTC' end)`;

/**
 * The languages a new rating `r` (of the transition table) is counted in, as rows of `c(language)`: the
 * workspace's counted language `l.language` (english without a csat_term_language row), and the language a
 * recount is counting (`l.recount_language`) unless the rating lies in the month the recount is working through,
 * after its cursor (that month's next batches will read it from the rows). Null rows are dropped by the caller.
 */
const LANGUAGES = `left join csat_term_language l on l.workspace_id = r.workspace_id
  cross join lateral (values (coalesce(l.language, 'english')),
         (case when l.recount_language is not null
                and not (l.recount_month is not null and ${MONTH('r.rated_at')} = l.recount_month
                         and (l.recount_after_at is null or (r.rated_at, r.ticket_id) > (l.recount_after_at, l.recount_after_ticket)))
               then l.recount_language end)) c(language)`;

const termRows = (bucket: string) => `
select r.workspace_id, c.language, ${bucket} as day, r.rating, t.lexeme as term, count(*)::int as comments, sum(cardinality(t.positions))::int as occurrences
  from added r
  ${LANGUAGES}
  cross join lateral unnest(to_tsvector(c.language::regconfig, r.comment)) t
 where r.comment is not null and r.rating <> 3 and c.language is not null
 group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5`;
const ADD = `on conflict (workspace_id, language, day, rating, term) do update set comments = d.comments + excluded.comments, occurrences = d.occurrences + excluded.occurrences`;

/** Months of workspace `ws` with a 1-2 or 4-5 star comment: index probes on csat_rating_rated_at_idx, one per month. */
const MONTHS_WITH_COMMENTS = (ws: string) => `with recursive m(month) as (
    select (select ${MONTH('r.rated_at')} from csat_rating r where r.workspace_id = ${ws} and r.comment_length > 0 and r.rating <> 3 order by r.rated_at limit 1)
    union all
    select (select ${MONTH('r.rated_at')} from csat_rating r where r.workspace_id = ${ws} and r.comment_length > 0 and r.rating <> 3
               and r.rated_at > ${MONTH_END('m.month')} order by r.rated_at limit 1)
      from m where m.month is not null
  ) select count(month)::int from m`;

/**
 * issue 22 follow-up (docs/insights.md, Comment themes; docs/settings.md): a commentLanguage change no longer
 * recounts the workspace's term rollups inside the settings change (85 s at 340,000 comments, far past
 * DB_STATEMENT_TIMEOUT_MS); it records a recount that a graphile-worker job does afterwards in short steps
 * (src/insights/term-recount.ts), while csatCommentThemes keeps answering from the complete rollups of the
 * language counted before, and switches in one transaction when the new ones are complete.
 *
 * - The term rollups get a `language` key column (the text search configuration their lexemes are of), second in
 *   their primary key: during a recount a workspace has rows of two languages; csatCommentThemes reads one.
 * - csat_term_language, one row per workspace that ever changed its language (none: english): `language`, what
 *   the rollups are complete in and what csatCommentThemes reads; the recount under way (`recount_language`, the
 *   month it works through and its cursor in it, the last month finished, progress).
 * - csat_term_rollup_rows counts a new rating in the counted language and, during a recount, in the new one too
 *   (except where the recount's next batches will read it). It reads those languages after taking, shared, the
 *   workspace's csat_term_language_lock, which a language change and the recount's final switch take exclusively:
 *   so a rating that read the languages before a change has committed before the change commits.
 * - csat_settings_language_changed records the recount (or cancels it: back to the counted language) and queues
 *   its job; csat_term_refill (the recount inside the change) is gone.
 *
 * Existing term rows are of the workspace's comment_language (Migration20261207040000 kept them so): they get it as
 * their language, and those workspaces a csat_term_language row saying so.
 */
export class Migration20261207060000 extends Migration {
  override name = 'Migration20261207060000_csat_term_recount';

  override up(): void | Promise<void> {
    // csat_rating's lock first, then csat_settings' (as Migration20261207040000: a rating in flight reads
    // csat_settings): no rating and no settings change runs while the trigger functions and the key change.
    this.addSql(`lock table csat_rating in share row exclusive mode;`);
    this.addSql(`lock table csat_settings in share row exclusive mode;`);
    this.addSql(`create table "csat_term_language" (
  "workspace_id" uuid not null,
  "language" text not null default 'english',
  "recount_language" text null,
  "recount_month" date null,
  "recount_after_at" timestamptz(3) null,
  "recount_after_ticket" uuid null,
  "recount_done_through" date null,
  "recount_months_done" int not null default 0,
  "recount_months" int not null default 0,
  "recount_requested_at" timestamptz(3) null,
  constraint "csat_term_language_pkey" primary key ("workspace_id"),
  constraint "csat_term_language_recount_check" check (recount_language <> language)
);`);
    this.addSql(`insert into csat_term_language (workspace_id, language) select workspace_id, comment_language from csat_settings where comment_language <> 'english';`);
    for (const grain of ['daily', 'monthly']) {
      this.addSql(`alter table "csat_term_${grain}" add column "language" text not null default 'english';`);
      this.addSql(`update csat_term_${grain} d set language = l.language from csat_term_language l where d.workspace_id = l.workspace_id;`);
      this.addSql(`alter table "csat_term_${grain}" alter column "language" drop default, drop constraint "csat_term_${grain}_pkey", add constraint "csat_term_${grain}_pkey" primary key ("workspace_id", "language", "day", "rating", "term");`);
    }
    // A workspace's language lock: shared by the term trigger, exclusive for a language change and the switch.
    this.addSql(`create function csat_term_language_lock(ws uuid) returns bigint language sql immutable parallel safe as $$
  select hashtextextended('csat_term_language ' || ws::text, 0)
$$;`);
    this.addSql(`create or replace function csat_term_rollup_rows() returns trigger language plpgsql as $$
declare
  k bigint;
begin
  for k in select distinct csat_rollup_lock(workspace_id, ${MONTH('rated_at')}) from added
            where comment is not null and rating <> 3 order by 1 loop
    perform pg_advisory_xact_lock_shared(k);
  end loop;
  if not found then
    return null; -- no comment to count (or rateTicket's no-op)
  end if;
  -- The languages are read after this lock (each statement below sees what committed before it was granted).
  for k in select distinct csat_term_language_lock(workspace_id) from added where comment is not null and rating <> 3 order by 1 loop
    perform pg_advisory_xact_lock_shared(k);
  end loop;
  insert into csat_term_daily as d (workspace_id, language, day, rating, term, comments, occurrences) ${termRows(DAY('r.rated_at'))}
  ${ADD};
  insert into csat_term_monthly as d (workspace_id, language, day, rating, term, comments, occurrences) ${termRows(MONTH('r.rated_at'))}
  ${ADD};
  return null;
end $$;`);
    this.addSql(`drop function if exists csat_term_refill(uuid);`);
    // Lock order: the settings row (this update's), the csat_term_language row (a recount step holds it for one
    // batch), then the language lock (waits for the ratings that read the languages before). The job is
    // graphile-worker's (src/insights/term-recount.task.ts), keyed by workspace: one queued at a time.
    this.addSql(`create or replace function csat_settings_language_changed() returns trigger language plpgsql as $$
declare
  counted text;
begin
  perform new.comment_language::regconfig;
  if tg_op = 'UPDATE' and new.comment_language is not distinct from old.comment_language then
    return null;
  end if;
  select language into counted from csat_term_language where workspace_id = new.workspace_id for update;
  if not found then
    if new.comment_language = 'english' then
      return null; -- the default: what the rollups hold without a row
    end if;
    insert into csat_term_language (workspace_id) values (new.workspace_id);
    counted := 'english';
  end if;
  update csat_term_language set
         recount_language = nullif(new.comment_language, counted),
         recount_month = null, recount_after_at = null, recount_after_ticket = null, recount_done_through = null,
         recount_months_done = 0,
         recount_months = case when new.comment_language = counted then 0 else (${MONTHS_WITH_COMMENTS('new.workspace_id')}) end,
         recount_requested_at = case when new.comment_language = counted then null else now() end
   where workspace_id = new.workspace_id;
  perform pg_advisory_xact_lock(csat_term_language_lock(new.workspace_id));
  -- Also when cancelled: the job removes the rows the recount had counted.
  perform graphile_worker.add_job('csat_term_recount', json_build_object('workspaceId', new.workspace_id),
                                  job_key => 'csat_term_recount:' || new.workspace_id::text);
  return null;
end $$;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`lock table csat_rating in share row exclusive mode;`);
    this.addSql(`lock table csat_settings in share row exclusive mode;`);
    // The themes were of the counted language: a recount that did not finish is given up.
    this.addSql(`update csat_settings s set comment_language = l.language from csat_term_language l where l.workspace_id = s.workspace_id and s.comment_language <> l.language;`);
    for (const grain of ['daily', 'monthly']) {
      this.addSql(`delete from csat_term_${grain} d where d.language <> coalesce((select l.language from csat_term_language l where l.workspace_id = d.workspace_id), 'english');`);
      this.addSql(`alter table "csat_term_${grain}" drop constraint "csat_term_${grain}_pkey", drop column "language", add constraint "csat_term_${grain}_pkey" primary key ("workspace_id", "day", "rating", "term");`);
    }
    // Migration20261207040000's functions, as it wrote them.
    const buckets = (bucket: string, source: string, where: string) => `
select r.workspace_id, ${bucket} as day, r.rating, t.lexeme as term, count(*)::int as comments, sum(cardinality(t.positions))::int as occurrences
  from ${source} r
  left join csat_settings s on s.workspace_id = r.workspace_id
  cross join lateral unnest(to_tsvector(coalesce(s.comment_language, 'english')::regconfig, r.comment)) t
 where r.comment is not null and r.rating <> 3 and ${where}
 group by 1, 2, 3, 4 order by 1, 2, 3, 4`;
    const add = `on conflict (workspace_id, day, rating, term) do update set comments = d.comments + excluded.comments, occurrences = d.occurrences + excluded.occurrences`;
    this.addSql(`create or replace function csat_term_rollup_rows() returns trigger language plpgsql as $$
declare
  k bigint;
begin
  for k in select distinct csat_rollup_lock(workspace_id, date_trunc('month', rated_at at time zone 'UTC')::date) from added
            where comment is not null and rating <> 3 order by 1 loop
    perform pg_advisory_xact_lock_shared(k);
  end loop;
  if not found then
    return null; -- no comment to count (or rateTicket's no-op)
  end if;
  insert into csat_term_daily as d (workspace_id, day, rating, term, comments, occurrences) ${buckets(DAY('r.rated_at'), 'added', 'true')}
  ${add};
  insert into csat_term_monthly as d (workspace_id, day, rating, term, comments, occurrences) ${buckets(MONTH('r.rated_at'), 'added', 'true')}
  ${add};
  return null;
end $$;`);
    this.addSql(`create function csat_term_refill(ws uuid) returns void language plpgsql as $$
declare
  k bigint;
begin
  for k in select distinct csat_rollup_lock(ws, m) from (
             select date_trunc('month', rated_at at time zone 'UTC')::date as m from csat_rating where workspace_id = ws
             union select date_trunc('month', now() at time zone 'UTC')::date) months order by 1 loop
    perform pg_advisory_xact_lock(k);
  end loop;
  delete from csat_term_daily where workspace_id = ws;
  delete from csat_term_monthly where workspace_id = ws;
  insert into csat_term_daily (workspace_id, day, rating, term, comments, occurrences) ${buckets(DAY('r.rated_at'), 'csat_rating', 'r.workspace_id = ws')};
  insert into csat_term_monthly (workspace_id, day, rating, term, comments, occurrences) ${buckets(MONTH('r.rated_at'), 'csat_rating', 'r.workspace_id = ws')};
end $$;`);
    this.addSql(`create or replace function csat_settings_language_changed() returns trigger language plpgsql as $$
begin
  perform new.comment_language::regconfig;
  if tg_op = 'UPDATE' and new.comment_language is not distinct from old.comment_language then
    return null;
  end if;
  if tg_op = 'INSERT' and new.comment_language = 'english' then
    return null; -- the default: what the triggers used while the workspace had no row
  end if;
  perform csat_term_refill(new.workspace_id);
  return null;
end $$;`);
    this.addSql(`drop function if exists csat_term_language_lock(uuid);`);
    this.addSql(`drop table if exists "csat_term_language";`);
  }
}

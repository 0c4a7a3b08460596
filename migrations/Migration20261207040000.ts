import { Migration } from '@mikro-orm/migrations';

// The terms of the 1-2 and 4-5 star comments of the ratings in `source` (aliased r, with its settings row s
// joined), bucketed by `bucket` (a date expression over r.rated_at): one row per (workspace, bucket, rating, lexeme)
// with the comments holding it and its occurrences (positions). Copied, not imported: a migration stays as it ran.
const termBuckets = (bucket: string, source: string, where: string) => `
select r.workspace_id, ${bucket} as day, r.rating, t.lexeme as term, count(*)::int as comments, sum(cardinality(t.positions))::int as occurrences
  from ${source} r
  left join csat_settings s on s.workspace_id = r.workspace_id
  cross join lateral unnest(to_tsvector(coalesce(s.comment_language, 'english')::regconfig, r.comment)) t
 where r.comment is not null and r.rating <> 3 and ${where}
 group by 1, 2, 3, 4 order by 1, 2, 3, 4`;
const DAY = `(r.rated_at at time zone 'UTC')::date`;
const MONTH = `date_trunc('month', r.rated_at at time zone 'UTC')::date`;
const ADD = `on conflict (workspace_id, day, rating, term) do update set comments = d.comments + excluded.comments, occurrences = d.occurrences + excluded.occurrences`;

/**
 * Comment themes (issue 22 item 2, docs/insights.md, Themes): the workspace's text search configuration
 * (csat_settings.comment_language) and per-day and per-month term counts of the 1-2 and 4-5 star comments, per
 * workspace, rating and lexeme, kept by a statement-level trigger like the other rollups (Migration20261206200000:
 * a transition table, the month's csat_rollup_lock taken shared first; daily then monthly, each in key order).
 * A change of comment_language re-derives the workspace's term rollups in the same transaction
 * (csat_term_refill, under the exclusive lock of every month it has ratings in and of the current month).
 *
 * Real data: the term rollups are filled from the existing comments after this commits: every workspace with
 * ratings is queued in csat_rollup_rebuild and migrate() rebuilds it one (workspace, month) per transaction, the
 * term rollups with the others (src/insights/rollup.rebuild.ts).
 */
export class Migration20261207040000 extends Migration {
  override name = 'Migration20261207040000_csat_comment_themes';

  override up(): void | Promise<void> {
    // csat_rating's lock first (its trigger, below), csat_settings' after: a rating in flight holds csat_rating and,
    // through Migration20261207030000's follow-up trigger, reads csat_settings; waiting for it on csat_rating while
    // holding nothing it needs keeps the upgrade from deadlocking with it (test/migrations.upgrade.test.ts). The
    // trigger functions name comment_language before the column exists: plpgsql resolves names when it runs.
    for (const grain of ['daily', 'monthly']) {
      this.addSql(`create table "csat_term_${grain}" ("workspace_id" uuid not null, "day" date not null, "rating" smallint not null, "term" text not null, "comments" int not null, "occurrences" int not null, primary key ("workspace_id", "day", "rating", "term"));`);
    }
    this.addSql(`create function csat_term_rollup_rows() returns trigger language plpgsql as $$
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
  insert into csat_term_daily as d (workspace_id, day, rating, term, comments, occurrences) ${termBuckets(DAY, 'added', 'true')}
  ${ADD};
  insert into csat_term_monthly as d (workspace_id, day, rating, term, comments, occurrences) ${termBuckets(MONTH, 'added', 'true')}
  ${ADD};
  return null;
end $$;`);
    this.addSql(`create trigger csat_term_rollup after insert on csat_rating referencing new table as added for each statement execute function csat_term_rollup_rows();`);
    this.addSql(`alter table "csat_settings" add column "comment_language" text not null default 'english';`);
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
  insert into csat_term_daily (workspace_id, day, rating, term, comments, occurrences) ${termBuckets(DAY, 'csat_rating', 'r.workspace_id = ws')};
  insert into csat_term_monthly (workspace_id, day, rating, term, comments, occurrences) ${termBuckets(MONTH, 'csat_rating', 'r.workspace_id = ws')};
end $$;`);
    // The database holds the rule: a name PostgreSQL does not have fails the cast (the API refuses it first, with its field).
    this.addSql(`create function csat_settings_language_changed() returns trigger language plpgsql as $$
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
    this.addSql(`create trigger csat_settings_language after insert or update on csat_settings for each row execute function csat_settings_language_changed();`);
    // Fill the term rollups from the existing comments: migrate() rebuilds each queued workspace after the commit.
    this.addSql(`insert into csat_rollup_rebuild (workspace_id)
with recursive r(ws) as (
  select (select workspace_id from csat_rating order by workspace_id limit 1)
  union all select (select workspace_id from csat_rating where workspace_id > r.ws order by workspace_id limit 1) from r where r.ws is not null
)
select ws from r where ws is not null on conflict do nothing;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists csat_settings_language on csat_settings;`);
    this.addSql(`drop function if exists csat_settings_language_changed();`);
    this.addSql(`drop function if exists csat_term_refill(uuid);`);
    this.addSql(`drop trigger if exists csat_term_rollup on csat_rating;`);
    this.addSql(`drop function if exists csat_term_rollup_rows();`);
    this.addSql(`drop table if exists "csat_term_daily";`);
    this.addSql(`drop table if exists "csat_term_monthly";`);
    this.addSql(`alter table "csat_settings" drop column if exists "comment_language";`);
  }
}

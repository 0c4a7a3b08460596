import { Migration } from '@mikro-orm/migrations';

/**
 * The grains csatTrend's speed goals need (issue 21; docs/insights.md, "Which grain serves which trend"):
 * per workspace and UTC day without the assignee (a whole-workspace trend sums 5 rows a day, not 5 per
 * assignee), per workspace and UTC hour (the parts of a UTC day that a bucket edge in another zone moves), and
 * the daily rollups' rows led by the assignee (one agent's trend reads that agent's rows only).
 *
 * The four tables are kept exactly as the others (Migration20261206200000): the same statement-level triggers,
 * rewritten here to add to them, under the same shared csat_rollup_lock of each (workspace, UTC month), and in
 * the same row-lock order, each new table right after its family's own: csat_rating_daily, csat_rating_monthly,
 * csat_rating_daily_ws, csat_rating_hourly_ws, csat_offer, csat_offer_daily, csat_offer_monthly,
 * csat_offer_daily_ws, csat_offer_hourly_ws.
 *
 * History: every workspace with rows is queued in csat_rollup_rebuild, as Migration20261206200000 did; after
 * this commits, migrate() rebuilds each (workspace, month) of all the rollups set-based from the rows, in short
 * transactions under the month's exclusive lock (src/insights/rollup.rebuild.ts), so a rating committed by an
 * older replica meanwhile is counted exactly once. Older replicas never read the new tables.
 */
export class Migration20261207010000 extends Migration {
  override name = 'Migration20261207010000_csat_trend_grains';

  override up(): void | Promise<void> {
    this.addSql(`create table "csat_rating_daily_ws" ("workspace_id" uuid not null, "day" date not null, "rating" smallint not null, "ratings" int not null, "commented" int not null, primary key ("workspace_id", "day", "rating"));`);
    this.addSql(`create table "csat_rating_hourly_ws" ("workspace_id" uuid not null, "hour" timestamptz not null, "rating" smallint not null, "ratings" int not null, "commented" int not null, primary key ("workspace_id", "hour", "rating"));`);
    this.addSql(`create table "csat_offer_daily_ws" ("workspace_id" uuid not null, "day" date not null, "offered" int not null, "rated" int not null, primary key ("workspace_id", "day"));`);
    this.addSql(`create table "csat_offer_hourly_ws" ("workspace_id" uuid not null, "hour" timestamptz not null, "offered" int not null, "rated" int not null, primary key ("workspace_id", "hour"));`);
    // One agent's trend: PostgreSQL 15 cannot skip over the days of the (workspace, day, assignee) key.
    this.addSql(`create index "csat_rating_daily_assignee_idx" on "csat_rating_daily" ("workspace_id", "assignee_id", "day", "rating") include ("ratings", "commented");`);
    this.addSql(`create index "csat_offer_daily_assignee_idx" on "csat_offer_daily" ("workspace_id", "assignee_id", "day") include ("offered", "rated");`);
    this.addSql(offerTrigger(true));
    this.addSql(ratingTrigger(true));
    // After the triggers changed (their locks are held to the commit): one primary-key probe per workspace.
    this.addSql(`insert into csat_rollup_rebuild (workspace_id)
with recursive r(ws) as (
  select (select workspace_id from csat_rating order by workspace_id limit 1)
  union all select (select workspace_id from csat_rating where workspace_id > r.ws order by workspace_id limit 1) from r where r.ws is not null
), o(ws) as (
  select (select workspace_id from csat_offer order by workspace_id limit 1)
  union all select (select workspace_id from csat_offer where workspace_id > o.ws order by workspace_id limit 1) from o where o.ws is not null
)
select ws from r where ws is not null union select ws from o where ws is not null
on conflict do nothing;`);
  }

  override down(): void | Promise<void> {
    this.addSql(offerTrigger(false));
    this.addSql(ratingTrigger(false));
    this.addSql(`drop index if exists "csat_rating_daily_assignee_idx", "csat_offer_daily_assignee_idx";`);
    this.addSql(`drop table if exists "csat_rating_daily_ws", "csat_rating_hourly_ws", "csat_offer_daily_ws", "csat_offer_hourly_ws";`);
  }
}

// The UTC hour of an instant (date_trunc on a timestamptz would cut in the session's time zone).
const hourOf = (column: string) => `(date_trunc('hour', ${column} at time zone 'UTC') at time zone 'UTC')`;

/** The offer trigger's function: Migration20261206200000's, plus (`grains`) the per-workspace day and hour. */
function offerTrigger(grains: boolean): string {
  const extra = grains
    ? `
  insert into csat_offer_daily_ws as d (workspace_id, day, offered, rated)
  select workspace_id, (offered_at at time zone 'UTC')::date, count(*), count(*) filter (where rated)
    from added group by 1, 2 order by 1, 2
  on conflict (workspace_id, day) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;
  insert into csat_offer_hourly_ws as d (workspace_id, hour, offered, rated)
  select workspace_id, ${hourOf('offered_at')}, count(*), count(*) filter (where rated)
    from added group by 1, 2 order by 1, 2
  on conflict (workspace_id, hour) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;`
    : '';
  return `create or replace function csat_offer_rollup_rows() returns trigger language plpgsql as $$
declare
  k bigint;
begin
  -- The offers csat_rating's trigger inserts are counted there, in one pass with those it marks rated.
  if pg_trigger_depth() > 1 then
    return null;
  end if;
  for k in select distinct csat_rollup_lock(workspace_id, date_trunc('month', offered_at at time zone 'UTC')::date) from added order by 1 loop
    perform pg_advisory_xact_lock_shared(k);
  end loop;
  if not found then
    return null; -- nothing inserted: a page whose offers were all recorded already
  end if;
  insert into csat_offer_daily as d (workspace_id, day, assignee_id, offered, rated)
  select workspace_id, (offered_at at time zone 'UTC')::date, assignee_id, count(*), count(*) filter (where rated)
    from added group by 1, 2, 3 order by 1, 2, 3
  on conflict (workspace_id, day, assignee_id) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;
  insert into csat_offer_monthly as d (workspace_id, day, assignee_id, offered, rated)
  select workspace_id, date_trunc('month', offered_at at time zone 'UTC')::date, assignee_id, count(*), count(*) filter (where rated)
    from added group by 1, 2, 3 order by 1, 2, 3
  on conflict (workspace_id, day, assignee_id) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;${extra}
  return null;
end $$;`;
}

/** The rating trigger's function: Migration20261206200000's, plus (`grains`) the per-workspace day and hour. */
function ratingTrigger(grains: boolean): string {
  const ratingExtra = grains
    ? `
  insert into csat_rating_daily_ws as d (workspace_id, day, rating, ratings, commented)
  select workspace_id, (rated_at at time zone 'UTC')::date, rating, count(*), count(comment)
    from added group by 1, 2, 3 order by 1, 2, 3
  on conflict (workspace_id, day, rating) do update set ratings = d.ratings + excluded.ratings, commented = d.commented + excluded.commented;
  insert into csat_rating_hourly_ws as d (workspace_id, hour, rating, ratings, commented)
  select workspace_id, ${hourOf('rated_at')}, rating, count(*), count(comment)
    from added group by 1, 2, 3 order by 1, 2, 3
  on conflict (workspace_id, hour, rating) do update set ratings = d.ratings + excluded.ratings, commented = d.commented + excluded.commented;`
    : '';
  const offerExtra = grains
    ? `
  insert into csat_offer_daily_ws as d (workspace_id, day, offered, rated)
  select w, (a at time zone 'UTC')::date, count(*) filter (where n), count(*)
    from unnest(offer_ws, offer_at, offer_new) as t(w, a, n) group by 1, 2 order by 1, 2
  on conflict (workspace_id, day) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;
  insert into csat_offer_hourly_ws as d (workspace_id, hour, offered, rated)
  select w, ${hourOf('a')}, count(*) filter (where n), count(*)
    from unnest(offer_ws, offer_at, offer_new) as t(w, a, n) group by 1, 2 order by 1, 2
  on conflict (workspace_id, hour) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;`
    : '';
  return `create or replace function csat_rating_rollup_rows() returns trigger language plpgsql as $$
declare
  k bigint;
  offer_ws uuid[];
  offer_at timestamptz[];
  offer_assignee uuid[];
  offer_new boolean[];
begin
  for k in select distinct csat_rollup_lock(workspace_id, date_trunc('month', rated_at at time zone 'UTC')::date) from added order by 1 loop
    perform pg_advisory_xact_lock_shared(k);
  end loop;
  if not found then
    return null; -- nothing inserted: rateTicket's no-op
  end if;
  insert into csat_rating_daily as d (workspace_id, day, assignee_id, rating, ratings, commented)
  select workspace_id, (rated_at at time zone 'UTC')::date, assignee_id, rating, count(*), count(comment)
    from added group by 1, 2, 3, 4 order by 1, 2, 3, 4
  on conflict (workspace_id, day, assignee_id, rating) do update set ratings = d.ratings + excluded.ratings, commented = d.commented + excluded.commented;
  insert into csat_rating_monthly as d (workspace_id, day, assignee_id, rating, ratings, commented)
  select workspace_id, date_trunc('month', rated_at at time zone 'UTC')::date, assignee_id, rating, count(*), count(comment)
    from added group by 1, 2, 3, 4 order by 1, 2, 3, 4
  on conflict (workspace_id, day, assignee_id, rating) do update set ratings = d.ratings + excluded.ratings, commented = d.commented + excluded.commented;${ratingExtra}
  -- One upsert per offer, in the order pages insert theirs (csat_ticket_batch_offer: assignee, ticket).
  with touched as (
    insert into csat_offer as o (workspace_id, ticket_id, offered_at, assignee_id, rated)
    select workspace_id, ticket_id, rated_at, assignee_id, true from added order by workspace_id, assignee_id, ticket_id
    on conflict (workspace_id, ticket_id) do update set rated = true where not o.rated
    returning o.workspace_id, o.offered_at, o.assignee_id, o.xmax = 0 as inserted
  )
  select array_agg(workspace_id), array_agg(offered_at), array_agg(assignee_id), array_agg(inserted)
    into offer_ws, offer_at, offer_assignee, offer_new from touched;
  -- A new offer is in the rating's month (held); one marked rated may be in an earlier month.
  for k in select distinct csat_rollup_lock(w, date_trunc('month', a at time zone 'UTC')::date) from unnest(offer_ws, offer_at) as t(w, a) order by 1 loop
    perform pg_advisory_xact_lock_shared(k);
  end loop;
  if not found then
    return null; -- every offer was rated already (an import): nothing to count
  end if;
  insert into csat_offer_daily as d (workspace_id, day, assignee_id, offered, rated)
  select w, (a at time zone 'UTC')::date, s, count(*) filter (where n), count(*)
    from unnest(offer_ws, offer_at, offer_assignee, offer_new) as t(w, a, s, n) group by 1, 2, 3 order by 1, 2, 3
  on conflict (workspace_id, day, assignee_id) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;
  insert into csat_offer_monthly as d (workspace_id, day, assignee_id, offered, rated)
  select w, date_trunc('month', a at time zone 'UTC')::date, s, count(*) filter (where n), count(*)
    from unnest(offer_ws, offer_at, offer_assignee, offer_new) as t(w, a, s, n) group by 1, 2, 3 order by 1, 2, 3
  on conflict (workspace_id, day, assignee_id) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;${offerExtra}
  return null;
end $$;`;
}

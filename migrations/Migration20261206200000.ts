import { Migration } from '@mikro-orm/migrations';

/**
 * Rollups kept set-based (docs/insights.md, Rollups): the per-row triggers of Migration20261202000000 upserted the
 * same bucket row once per inserted row, so one `insert … select` of 50,000 ratings took minutes; these
 * statement-level triggers read the statement's rows as a transition table and add to each bucket once.
 *
 * Every trigger first takes, shared, the advisory lock of each (workspace, UTC month) it is about to count in;
 * a rebuild of a month takes it exclusively (src/insights/rollup.rebuild.ts), so a rating committed while a
 * month is rebuilt is counted exactly once, by the rebuild or by its own trigger. Row locks follow one order
 * everywhere: csat_rating_daily, csat_rating_monthly, csat_offer, csat_offer_daily, csat_offer_monthly, each in
 * key order, so concurrent ratings and pages never deadlock.
 *
 * History: rollups and offers were never filled from what was there (a deployment upgraded from the first
 * migration counted none of its ratings). This migration queues every workspace in csat_rollup_rebuild; after it
 * commits, migrate() (src/db/database.ts) rebuilds them one (workspace, month) at a time, each in its own short
 * transaction, so csat_rating is never locked for long and older replicas keep serving meanwhile.
 */
export class Migration20261206200000 extends Migration {
  override name = 'Migration20261206200000_csat_rollups_set_based';

  override up(): void | Promise<void> {
    // The advisory lock key of a workspace's UTC month (a rollup day's first of the month); ±infinity included.
    this.addSql(`create function csat_rollup_lock(ws uuid, month date) returns bigint language sql immutable parallel safe as $$
  select hashtextextended('csat_rollup ' || ws::text,
    case when month = 'infinity'::date then 2147483647 when month = '-infinity'::date then -2147483648 else month - date '2000-01-01' end)
$$;`);

    this.addSql(`drop trigger if exists csat_rating_rollup on csat_rating;`);
    this.addSql(`drop trigger if exists csat_offer_rollup on csat_offer;`);
    this.addSql(`drop function if exists csat_rating_rollup();`);
    this.addSql(`drop function if exists csat_offer_rollup();`);
    this.addSql(`drop function if exists csat_offer_count(uuid, uuid, timestamptz, int, int);`);

    // An offer counts in its day's and month's buckets (offered, and rated if inserted rated).
    this.addSql(`create function csat_offer_rollup_rows() returns trigger language plpgsql as $$
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
  on conflict (workspace_id, day, assignee_id) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;
  return null;
end $$;`);
    this.addSql(`create trigger csat_offer_rollup after insert on csat_offer referencing new table as added for each statement execute function csat_offer_rollup_rows();`);

    // A rating counts in its day's and month's distribution (per assignee and star, with "commented"), records its
    // offer if none was recorded (rateTicket without a prompt seen: offered at the rating's time, rated), and marks
    // an earlier offer rated, counting it rated in that offer's own day and assignee.
    this.addSql(`create function csat_rating_rollup_rows() returns trigger language plpgsql as $$
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
  on conflict (workspace_id, day, assignee_id, rating) do update set ratings = d.ratings + excluded.ratings, commented = d.commented + excluded.commented;
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
  on conflict (workspace_id, day, assignee_id) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;
  return null;
end $$;`);
    this.addSql(`create trigger csat_rating_rollup after insert on csat_rating referencing new table as added for each statement execute function csat_rating_rollup_rows();`);

    // The workspaces whose offers and rollups migrate() rebuilds from the rows once this has committed; a row
    // leaves with its workspace's last month, so a start cut short resumes where it stopped.
    this.addSql(`create table "csat_rollup_rebuild" ("workspace_id" uuid not null, primary key ("workspace_id"));`);
    // After the triggers changed (their locks are held to the commit), so no rating slips between. A skip scan
    // of each primary key: one probe per workspace, not a pass over every row while the lock is held.
    this.addSql(`insert into csat_rollup_rebuild (workspace_id)
with recursive r(ws) as (
  select (select workspace_id from csat_rating order by workspace_id limit 1)
  union all select (select workspace_id from csat_rating where workspace_id > r.ws order by workspace_id limit 1) from r where r.ws is not null
), o(ws) as (
  select (select workspace_id from csat_offer order by workspace_id limit 1)
  union all select (select workspace_id from csat_offer where workspace_id > o.ws order by workspace_id limit 1) from o where o.ws is not null
)
select ws from r where ws is not null union select ws from o where ws is not null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "csat_rollup_rebuild";`);
    this.addSql(`drop trigger if exists csat_rating_rollup on csat_rating;`);
    this.addSql(`drop trigger if exists csat_offer_rollup on csat_offer;`);
    this.addSql(`drop function if exists csat_rating_rollup_rows();`);
    this.addSql(`drop function if exists csat_offer_rollup_rows();`);
    this.addSql(`drop function if exists csat_rollup_lock(uuid, date);`);
    // The per-row triggers of Migration20261202000000, as they were.
    this.addSql(`create function csat_offer_count(ws uuid, assignee uuid, at timestamptz, offered int, rated int) returns void language sql as $$
  insert into csat_offer_daily as d (workspace_id, day, assignee_id, offered, rated) values (ws, (at at time zone 'UTC')::date, assignee, offered, rated)
  on conflict (workspace_id, day, assignee_id) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;
  insert into csat_offer_monthly as d (workspace_id, day, assignee_id, offered, rated) values (ws, date_trunc('month', at at time zone 'UTC')::date, assignee, offered, rated)
  on conflict (workspace_id, day, assignee_id) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;
$$;`);
    this.addSql(`create function csat_offer_rollup() returns trigger language plpgsql as $$
begin
  perform csat_offer_count(new.workspace_id, new.assignee_id, new.offered_at, 1, new.rated::int);
  return null;
end $$;`);
    this.addSql(`create trigger csat_offer_rollup after insert on csat_offer for each row execute function csat_offer_rollup();`);
    this.addSql(`create function csat_rating_rollup() returns trigger language plpgsql as $$
declare
  offer record;
begin
  insert into csat_rating_daily as d (workspace_id, day, assignee_id, rating, ratings, commented)
  values (new.workspace_id, (new.rated_at at time zone 'UTC')::date, new.assignee_id, new.rating, 1, (new.comment is not null)::int)
  on conflict (workspace_id, day, assignee_id, rating) do update set ratings = d.ratings + 1, commented = d.commented + excluded.commented;
  insert into csat_rating_monthly as d (workspace_id, day, assignee_id, rating, ratings, commented)
  values (new.workspace_id, date_trunc('month', new.rated_at at time zone 'UTC')::date, new.assignee_id, new.rating, 1, (new.comment is not null)::int)
  on conflict (workspace_id, day, assignee_id, rating) do update set ratings = d.ratings + 1, commented = d.commented + excluded.commented;
  insert into csat_offer as o (workspace_id, ticket_id, offered_at, assignee_id, rated)
  values (new.workspace_id, new.ticket_id, new.rated_at, new.assignee_id, true)
  on conflict (workspace_id, ticket_id) do update set rated = true
  returning o.offered_at, o.assignee_id, (o.xmax = 0) as inserted into offer;
  if not offer.inserted then
    perform csat_offer_count(new.workspace_id, offer.assignee_id, offer.offered_at, 0, 1);
  end if;
  return null;
end $$;`);
    this.addSql(`create trigger csat_rating_rollup after insert on csat_rating for each row execute function csat_rating_rollup();`);
  }
}

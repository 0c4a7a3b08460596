import { Migration } from '@mikro-orm/migrations';

/**
 * Channels (issue 20, docs/email-links.md): a rating records the channel it came through and an offer the channel
 * it was first made through, PORTAL (a portal page's prompt, rateTicket) or EMAIL (csatRatingLinks, the /rate page).
 * The four rollups get a channel dimension, so per-channel summaries and response rates come from them as before.
 *
 * Backfill: everything that exists was the portal's (the email links did not exist): the columns' default fills
 * every row, the rollups' included, so every rollup still equals the rows it sums (no rebuild needed). The rollup
 * keys are rebuilt with the channel in them; the triggers of Migration20261206200000 are replaced by the same
 * ones with the channel added (same locks, same row-lock order).
 */
const CHANNEL = `text not null default 'PORTAL'`;
const ROLLUPS = [
  { table: 'csat_rating_daily', keys: ['workspace_id', 'day', 'assignee_id', 'rating'], values: ['ratings', 'commented'] },
  { table: 'csat_rating_monthly', keys: ['workspace_id', 'day', 'assignee_id', 'rating'], values: ['ratings', 'commented'] },
  { table: 'csat_offer_daily', keys: ['workspace_id', 'day', 'assignee_id'], values: ['offered', 'rated'] },
  { table: 'csat_offer_monthly', keys: ['workspace_id', 'day', 'assignee_id'], values: ['offered', 'rated'] },
];
const list = (columns: string[]) => columns.map((c) => `"${c}"`).join(', ');

export class Migration20261207020000 extends Migration {
  override name = 'Migration20261207020000_csat_channels';

  override up(): void | Promise<void> {
    for (const table of ['csat_rating', 'csat_offer']) {
      this.addSql(`alter table "${table}" add column "channel" ${CHANNEL};`);
      this.addSql(`alter table "${table}" add constraint "${table}_channel_check" check (channel in ('PORTAL', 'EMAIL'));`);
    }
    for (const { table, keys, values } of ROLLUPS) {
      this.addSql(`alter table "${table}" add column "channel" ${CHANNEL};`);
      this.addSql(`drop index "${table}_key";`);
      this.addSql(`create unique index "${table}_key" on "${table}" (${list([...keys, 'channel'])}) include (${list(values)}) nulls not distinct;`);
    }

    // As Migration20261206200000's, with the channel in every bucket.
    this.addSql(`create or replace function csat_offer_rollup_rows() returns trigger language plpgsql as $$
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
  insert into csat_offer_daily as d (workspace_id, day, assignee_id, channel, offered, rated)
  select workspace_id, (offered_at at time zone 'UTC')::date, assignee_id, channel, count(*), count(*) filter (where rated)
    from added group by 1, 2, 3, 4 order by 1, 2, 3, 4
  on conflict (workspace_id, day, assignee_id, channel) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;
  insert into csat_offer_monthly as d (workspace_id, day, assignee_id, channel, offered, rated)
  select workspace_id, date_trunc('month', offered_at at time zone 'UTC')::date, assignee_id, channel, count(*), count(*) filter (where rated)
    from added group by 1, 2, 3, 4 order by 1, 2, 3, 4
  on conflict (workspace_id, day, assignee_id, channel) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;
  return null;
end $$;`);

    // A rating without an offer records one through its own channel; an earlier offer keeps its channel (the first
    // offer's) and is counted rated in its own bucket.
    this.addSql(`create or replace function csat_rating_rollup_rows() returns trigger language plpgsql as $$
declare
  k bigint;
  offer_ws uuid[];
  offer_at timestamptz[];
  offer_assignee uuid[];
  offer_channel text[];
  offer_new boolean[];
begin
  for k in select distinct csat_rollup_lock(workspace_id, date_trunc('month', rated_at at time zone 'UTC')::date) from added order by 1 loop
    perform pg_advisory_xact_lock_shared(k);
  end loop;
  if not found then
    return null; -- nothing inserted: rateTicket's no-op
  end if;
  insert into csat_rating_daily as d (workspace_id, day, assignee_id, rating, channel, ratings, commented)
  select workspace_id, (rated_at at time zone 'UTC')::date, assignee_id, rating, channel, count(*), count(comment)
    from added group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
  on conflict (workspace_id, day, assignee_id, rating, channel) do update set ratings = d.ratings + excluded.ratings, commented = d.commented + excluded.commented;
  insert into csat_rating_monthly as d (workspace_id, day, assignee_id, rating, channel, ratings, commented)
  select workspace_id, date_trunc('month', rated_at at time zone 'UTC')::date, assignee_id, rating, channel, count(*), count(comment)
    from added group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
  on conflict (workspace_id, day, assignee_id, rating, channel) do update set ratings = d.ratings + excluded.ratings, commented = d.commented + excluded.commented;
  with touched as (
    insert into csat_offer as o (workspace_id, ticket_id, offered_at, assignee_id, rated, channel)
    select workspace_id, ticket_id, rated_at, assignee_id, true, channel from added order by workspace_id, assignee_id, ticket_id
    on conflict (workspace_id, ticket_id) do update set rated = true where not o.rated
    returning o.workspace_id, o.offered_at, o.assignee_id, o.channel, o.xmax = 0 as inserted
  )
  select array_agg(workspace_id), array_agg(offered_at), array_agg(assignee_id), array_agg(channel), array_agg(inserted)
    into offer_ws, offer_at, offer_assignee, offer_channel, offer_new from touched;
  for k in select distinct csat_rollup_lock(w, date_trunc('month', a at time zone 'UTC')::date) from unnest(offer_ws, offer_at) as t(w, a) order by 1 loop
    perform pg_advisory_xact_lock_shared(k);
  end loop;
  if not found then
    return null; -- every offer was rated already (an import): nothing to count
  end if;
  insert into csat_offer_daily as d (workspace_id, day, assignee_id, channel, offered, rated)
  select w, (a at time zone 'UTC')::date, s, c, count(*) filter (where n), count(*)
    from unnest(offer_ws, offer_at, offer_assignee, offer_channel, offer_new) as t(w, a, s, c, n) group by 1, 2, 3, 4 order by 1, 2, 3, 4
  on conflict (workspace_id, day, assignee_id, channel) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;
  insert into csat_offer_monthly as d (workspace_id, day, assignee_id, channel, offered, rated)
  select w, date_trunc('month', a at time zone 'UTC')::date, s, c, count(*) filter (where n), count(*)
    from unnest(offer_ws, offer_at, offer_assignee, offer_channel, offer_new) as t(w, a, s, c, n) group by 1, 2, 3, 4 order by 1, 2, 3, 4
  on conflict (workspace_id, day, assignee_id, channel) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;
  return null;
end $$;`);
  }

  override down(): void | Promise<void> {
    // The channels' buckets merged back into one per key, then the columns gone and the old keys back.
    for (const { table, keys, values } of ROLLUPS) {
      this.addSql(`drop index "${table}_key";`);
      this.addSql(`with gone as (delete from "${table}" returning *)
insert into "${table}" (${list([...keys, ...values])}) select ${list(keys)}, ${values.map((v) => `sum("${v}")::int`).join(', ')} from gone group by ${list(keys)};`);
      this.addSql(`alter table "${table}" drop column "channel";`);
      this.addSql(`create unique index "${table}_key" on "${table}" (${list(keys)}) include (${list(values)}) nulls not distinct;`);
    }
    for (const table of ['csat_rating', 'csat_offer']) this.addSql(`alter table "${table}" drop column "channel";`);
    // The trigger functions as Migration20261206200000 made them.
    this.addSql(`create or replace function csat_offer_rollup_rows() returns trigger language plpgsql as $$
declare
  k bigint;
begin
  if pg_trigger_depth() > 1 then
    return null;
  end if;
  for k in select distinct csat_rollup_lock(workspace_id, date_trunc('month', offered_at at time zone 'UTC')::date) from added order by 1 loop
    perform pg_advisory_xact_lock_shared(k);
  end loop;
  if not found then
    return null;
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
    this.addSql(`create or replace function csat_rating_rollup_rows() returns trigger language plpgsql as $$
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
    return null;
  end if;
  insert into csat_rating_daily as d (workspace_id, day, assignee_id, rating, ratings, commented)
  select workspace_id, (rated_at at time zone 'UTC')::date, assignee_id, rating, count(*), count(comment)
    from added group by 1, 2, 3, 4 order by 1, 2, 3, 4
  on conflict (workspace_id, day, assignee_id, rating) do update set ratings = d.ratings + excluded.ratings, commented = d.commented + excluded.commented;
  insert into csat_rating_monthly as d (workspace_id, day, assignee_id, rating, ratings, commented)
  select workspace_id, date_trunc('month', rated_at at time zone 'UTC')::date, assignee_id, rating, count(*), count(comment)
    from added group by 1, 2, 3, 4 order by 1, 2, 3, 4
  on conflict (workspace_id, day, assignee_id, rating) do update set ratings = d.ratings + excluded.ratings, commented = d.commented + excluded.commented;
  with touched as (
    insert into csat_offer as o (workspace_id, ticket_id, offered_at, assignee_id, rated)
    select workspace_id, ticket_id, rated_at, assignee_id, true from added order by workspace_id, assignee_id, ticket_id
    on conflict (workspace_id, ticket_id) do update set rated = true where not o.rated
    returning o.workspace_id, o.offered_at, o.assignee_id, o.xmax = 0 as inserted
  )
  select array_agg(workspace_id), array_agg(offered_at), array_agg(assignee_id), array_agg(inserted)
    into offer_ws, offer_at, offer_assignee, offer_new from touched;
  for k in select distinct csat_rollup_lock(w, date_trunc('month', a at time zone 'UTC')::date) from unnest(offer_ws, offer_at) as t(w, a) order by 1 loop
    perform pg_advisory_xact_lock_shared(k);
  end loop;
  if not found then
    return null;
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
  }
}

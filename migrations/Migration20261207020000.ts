import { Migration } from '@mikro-orm/migrations';

/**
 * Channels (issue 20, docs/email-links.md): a rating records the channel it came through and an offer the channel
 * it was first made through, PORTAL (a portal page's prompt, rateTicket) or EMAIL (csatRatingLinks, the /rate page).
 * The four rollups get a channel dimension, so per-channel summaries and response rates come from them as before.
 *
 * Backfill: everything that exists was the portal's (the email links did not exist): the columns' default fills
 * every row, the rollups' included, so every rollup still equals the rows it sums (no rebuild needed). The rollup
 * keys are rebuilt with the channel in them; the trigger functions of Migration20261207010000 (which keep the
 * per-workspace trend grains too) are replaced by the same ones with the channel added to the four per-assignee
 * rollups (same locks, same row-lock order). The per-workspace grains (csat_*_daily_ws, csat_*_hourly_ws) stay
 * without a channel: they serve csatTrend, which takes none, and sum every channel as before. down() restores
 * Migration20261207010000's functions exactly (the same generator without the channel).
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

    this.addSql(offerTrigger(true));
    this.addSql(ratingTrigger(true));
  }

  override down(): void | Promise<void> {
    // The trigger functions as Migration20261207010000 made them (no channel), before the columns go.
    this.addSql(offerTrigger(false));
    this.addSql(ratingTrigger(false));
    // The channels' buckets merged back into one per key, then the columns gone and the old keys back.
    for (const { table, keys, values } of ROLLUPS) {
      this.addSql(`drop index "${table}_key";`);
      this.addSql(`with gone as (delete from "${table}" returning *)
insert into "${table}" (${list([...keys, ...values])}) select ${list(keys)}, ${values.map((v) => `sum("${v}")::int`).join(', ')} from gone group by ${list(keys)};`);
      this.addSql(`alter table "${table}" drop column "channel";`);
      this.addSql(`create unique index "${table}_key" on "${table}" (${list(keys)}) include (${list(values)}) nulls not distinct;`);
    }
    for (const table of ['csat_rating', 'csat_offer']) this.addSql(`alter table "${table}" drop column "channel";`);
  }
}

// The trigger functions below are Migration20261207010000's, text for text when `channel` is false (down()); with
// it, the four per-assignee rollups get the row's channel in every bucket, and a rating without an offer records
// one through its own channel (an earlier offer keeps its channel, the first offer's, and is counted rated in its
// own bucket). The per-workspace grains are written exactly as before: every channel in one bucket.

// The UTC hour of an instant (date_trunc on a timestamptz would cut in the session's time zone).
const hourOf = (column: string) => `(date_trunc('hour', ${column} at time zone 'UTC') at time zone 'UTC')`;

function offerTrigger(channel: boolean): string {
  const c = (text: string) => (channel ? text : '');
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
  insert into csat_offer_daily as d (workspace_id, day, assignee_id${c(', channel')}, offered, rated)
  select workspace_id, (offered_at at time zone 'UTC')::date, assignee_id${c(', channel')}, count(*), count(*) filter (where rated)
    from added group by 1, 2, 3${c(', 4')} order by 1, 2, 3${c(', 4')}
  on conflict (workspace_id, day, assignee_id${c(', channel')}) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;
  insert into csat_offer_monthly as d (workspace_id, day, assignee_id${c(', channel')}, offered, rated)
  select workspace_id, date_trunc('month', offered_at at time zone 'UTC')::date, assignee_id${c(', channel')}, count(*), count(*) filter (where rated)
    from added group by 1, 2, 3${c(', 4')} order by 1, 2, 3${c(', 4')}
  on conflict (workspace_id, day, assignee_id${c(', channel')}) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;
  insert into csat_offer_daily_ws as d (workspace_id, day, offered, rated)
  select workspace_id, (offered_at at time zone 'UTC')::date, count(*), count(*) filter (where rated)
    from added group by 1, 2 order by 1, 2
  on conflict (workspace_id, day) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;
  insert into csat_offer_hourly_ws as d (workspace_id, hour, offered, rated)
  select workspace_id, ${hourOf('offered_at')}, count(*), count(*) filter (where rated)
    from added group by 1, 2 order by 1, 2
  on conflict (workspace_id, hour) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;
  return null;
end $$;`;
}

function ratingTrigger(channel: boolean): string {
  const c = (text: string) => (channel ? text : '');
  return `create or replace function csat_rating_rollup_rows() returns trigger language plpgsql as $$
declare
  k bigint;
  offer_ws uuid[];
  offer_at timestamptz[];
  offer_assignee uuid[];${c(`
  offer_channel text[];`)}
  offer_new boolean[];
begin
  for k in select distinct csat_rollup_lock(workspace_id, date_trunc('month', rated_at at time zone 'UTC')::date) from added order by 1 loop
    perform pg_advisory_xact_lock_shared(k);
  end loop;
  if not found then
    return null; -- nothing inserted: rateTicket's no-op
  end if;
  insert into csat_rating_daily as d (workspace_id, day, assignee_id, rating${c(', channel')}, ratings, commented)
  select workspace_id, (rated_at at time zone 'UTC')::date, assignee_id, rating${c(', channel')}, count(*), count(comment)
    from added group by 1, 2, 3, 4${c(', 5')} order by 1, 2, 3, 4${c(', 5')}
  on conflict (workspace_id, day, assignee_id, rating${c(', channel')}) do update set ratings = d.ratings + excluded.ratings, commented = d.commented + excluded.commented;
  insert into csat_rating_monthly as d (workspace_id, day, assignee_id, rating${c(', channel')}, ratings, commented)
  select workspace_id, date_trunc('month', rated_at at time zone 'UTC')::date, assignee_id, rating${c(', channel')}, count(*), count(comment)
    from added group by 1, 2, 3, 4${c(', 5')} order by 1, 2, 3, 4${c(', 5')}
  on conflict (workspace_id, day, assignee_id, rating${c(', channel')}) do update set ratings = d.ratings + excluded.ratings, commented = d.commented + excluded.commented;
  insert into csat_rating_daily_ws as d (workspace_id, day, rating, ratings, commented)
  select workspace_id, (rated_at at time zone 'UTC')::date, rating, count(*), count(comment)
    from added group by 1, 2, 3 order by 1, 2, 3
  on conflict (workspace_id, day, rating) do update set ratings = d.ratings + excluded.ratings, commented = d.commented + excluded.commented;
  insert into csat_rating_hourly_ws as d (workspace_id, hour, rating, ratings, commented)
  select workspace_id, ${hourOf('rated_at')}, rating, count(*), count(comment)
    from added group by 1, 2, 3 order by 1, 2, 3
  on conflict (workspace_id, hour, rating) do update set ratings = d.ratings + excluded.ratings, commented = d.commented + excluded.commented;
  -- One upsert per offer, in the order pages insert theirs (csat_ticket_batch_offer: assignee, ticket).
  with touched as (
    insert into csat_offer as o (workspace_id, ticket_id, offered_at, assignee_id, rated${c(', channel')})
    select workspace_id, ticket_id, rated_at, assignee_id, true${c(', channel')} from added order by workspace_id, assignee_id, ticket_id
    on conflict (workspace_id, ticket_id) do update set rated = true where not o.rated
    returning o.workspace_id, o.offered_at, o.assignee_id,${c(' o.channel,')} o.xmax = 0 as inserted
  )
  select array_agg(workspace_id), array_agg(offered_at), array_agg(assignee_id),${c(' array_agg(channel),')} array_agg(inserted)
    into offer_ws, offer_at, offer_assignee,${c(' offer_channel,')} offer_new from touched;
  -- A new offer is in the rating's month (held); one marked rated may be in an earlier month.
  for k in select distinct csat_rollup_lock(w, date_trunc('month', a at time zone 'UTC')::date) from unnest(offer_ws, offer_at) as t(w, a) order by 1 loop
    perform pg_advisory_xact_lock_shared(k);
  end loop;
  if not found then
    return null; -- every offer was rated already (an import): nothing to count
  end if;
  insert into csat_offer_daily as d (workspace_id, day, assignee_id${c(', channel')}, offered, rated)
  select w, (a at time zone 'UTC')::date, s,${c(' c,')} count(*) filter (where n), count(*)
    from unnest(offer_ws, offer_at, offer_assignee,${c(' offer_channel,')} offer_new) as t(w, a, s,${c(' c,')} n) group by 1, 2, 3${c(', 4')} order by 1, 2, 3${c(', 4')}
  on conflict (workspace_id, day, assignee_id${c(', channel')}) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;
  insert into csat_offer_monthly as d (workspace_id, day, assignee_id${c(', channel')}, offered, rated)
  select w, date_trunc('month', a at time zone 'UTC')::date, s,${c(' c,')} count(*) filter (where n), count(*)
    from unnest(offer_ws, offer_at, offer_assignee,${c(' offer_channel,')} offer_new) as t(w, a, s,${c(' c,')} n) group by 1, 2, 3${c(', 4')} order by 1, 2, 3${c(', 4')}
  on conflict (workspace_id, day, assignee_id${c(', channel')}) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;
  insert into csat_offer_daily_ws as d (workspace_id, day, offered, rated)
  select w, (a at time zone 'UTC')::date, count(*) filter (where n), count(*)
    from unnest(offer_ws, offer_at, offer_new) as t(w, a, n) group by 1, 2 order by 1, 2
  on conflict (workspace_id, day) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;
  insert into csat_offer_hourly_ws as d (workspace_id, hour, offered, rated)
  select w, ${hourOf('a')}, count(*) filter (where n), count(*)
    from unnest(offer_ws, offer_at, offer_new) as t(w, a, n) group by 1, 2 order by 1, 2
  on conflict (workspace_id, hour) do update set offered = d.offered + excluded.offered, rated = d.rated + excluded.rated;
  return null;
end $$;`;
}

import { Migration } from '@mikro-orm/migrations';

/**
 * Insights (docs/insights.md): the comment length as a column, an index per list order, the offers (the
 * response rate's denominator) and two daily rollups. Triggers keep offers and rollups in step with every
 * insert, in the inserting statement's own transaction, whoever inserts (rateTicket, a customer's page, a seed).
 */
export class Migration20261202000000 extends Migration {
  override name = 'Migration20261202000000_csat_insights';

  override up(): void | Promise<void> {
    // PostgreSQL's char_length counts code points in UTF-8, as the contract does.
    this.addSql(`alter table "csat_rating" add column "comment_length" int generated always as (coalesce(char_length(comment), 0)) stored;`);
    // One index per list order, all keys in one direction (rating ascending is -rating descending), so that a
    // page is one row comparison on one index range, at any depth; each again with assignee_id for the agent filter.
    this.addSql(`drop index if exists "csat_rating_workspace_assignee_idx";`);
    for (const [name, lead] of [['csat_rating', '"workspace_id"'], ['csat_rating_assignee', '"workspace_id", "assignee_id"']] as const) {
      // Covering what a summary reads from the rows for the part of a day at a period's end: an index-only scan.
      this.addSql(`create index "${name}_rated_at_idx" on "csat_rating" (${lead}, "rated_at", "ticket_id") include ("rating", "comment_length"${lead.includes('assignee') ? '' : ', "assignee_id"'});`);
      this.addSql(`create index "${name}_rating_idx" on "csat_rating" (${lead}, "rating", "rated_at", "ticket_id");`);
      this.addSql(`create index "${name}_rating_asc_idx" on "csat_rating" (${lead}, (-rating), "rated_at", "ticket_id");`);
      this.addSql(`create index "${name}_unhappy_idx" on "csat_rating" (${lead}, (-rating), "comment_length", "rated_at", "ticket_id");`);
    }

    // `rated`: set by the rating's trigger, so that the response rate's rows need no join to csat_rating.
    this.addSql(`create table "csat_offer" ("workspace_id" uuid not null, "ticket_id" uuid not null, "offered_at" timestamptz(3) not null default now(), "assignee_id" uuid null, "rated" boolean not null default false, primary key ("workspace_id", "ticket_id"));`);
    this.addSql(`create index "csat_offer_offered_at_idx" on "csat_offer" ("workspace_id", "offered_at") include ("assignee_id", "rated");`);
    this.addSql(`create index "csat_offer_assignee_idx" on "csat_offer" ("workspace_id", "assignee_id", "offered_at") include ("rated");`);

    // Per workspace, UTC day (and month), assignee (null: none) and rating: the distribution follows, and from it
    // every statistic. Months keep a whole-workspace summary to a few thousand rows; the day leads after the
    // workspace so a period is one index range.
    for (const grain of ['daily', 'monthly']) {
      this.addSql(`create table "csat_rating_${grain}" ("workspace_id" uuid not null, "day" date not null, "assignee_id" uuid null, "rating" smallint not null, "ratings" int not null, "commented" int not null);`);
      this.addSql(`create unique index "csat_rating_${grain}_key" on "csat_rating_${grain}" ("workspace_id", "day", "assignee_id", "rating") include ("ratings", "commented") nulls not distinct;`);
      // Per workspace, UTC day (month) of the offer and assignee at offer time: offers, and how many were rated.
      this.addSql(`create table "csat_offer_${grain}" ("workspace_id" uuid not null, "day" date not null, "assignee_id" uuid null, "offered" int not null, "rated" int not null);`);
      this.addSql(`create unique index "csat_offer_${grain}_key" on "csat_offer_${grain}" ("workspace_id", "day", "assignee_id") include ("offered", "rated") nulls not distinct;`);
    }

    // csat_offer_count(workspace, assignee, at, offered, rated): adds to the day's and the month's offer buckets.
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

    // A rating counts in its day's and month's distribution, records its offer if none was recorded (rateTicket
    // without a prompt seen), and counts as rated in its offer's buckets (the assignee and day of the offer).
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
  -- One statement for the offer: a new one is inserted already rated (its insert trigger counts it offered and
  -- rated at once); an existing one is marked rated and counted here. Each offer bucket row is updated once per
  -- rating: those rows are shared by every rating of an assignee's day, so concurrent ratings queue on them.
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

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists csat_rating_rollup on csat_rating;`);
    this.addSql(`drop function if exists csat_rating_rollup();`);
    this.addSql(`drop table if exists "csat_offer_daily", "csat_offer_monthly", "csat_rating_daily", "csat_rating_monthly", "csat_offer";`);
    this.addSql(`drop function if exists csat_offer_rollup();`);
    this.addSql(`drop function if exists csat_offer_count(uuid, uuid, timestamptz, int, int);`);
    for (const name of ['csat_rating', 'csat_rating_assignee']) {
      for (const suffix of ['rated_at', 'rating', 'rating_asc', 'unhappy']) this.addSql(`drop index if exists "${name}_${suffix}_idx";`);
    }
    this.addSql(`alter table "csat_rating" drop column if exists "comment_length";`);
    this.addSql(`create index "csat_rating_workspace_assignee_idx" on "csat_rating" ("workspace_id", "assignee_id", "rated_at");`);
  }
}

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
      this.addSql(`create index "${name}_rated_at_idx" on "csat_rating" (${lead}, "rated_at", "ticket_id");`);
      this.addSql(`create index "${name}_rating_idx" on "csat_rating" (${lead}, "rating", "rated_at", "ticket_id");`);
      this.addSql(`create index "${name}_rating_asc_idx" on "csat_rating" (${lead}, (-rating), "rated_at", "ticket_id");`);
      this.addSql(`create index "${name}_unhappy_idx" on "csat_rating" (${lead}, (-rating), "comment_length", "rated_at", "ticket_id");`);
    }

    this.addSql(`create table "csat_offer" ("workspace_id" uuid not null, "ticket_id" uuid not null, "offered_at" timestamptz(3) not null default now(), "assignee_id" uuid null, primary key ("workspace_id", "ticket_id"));`);
    this.addSql(`create index "csat_offer_offered_at_idx" on "csat_offer" ("workspace_id", "offered_at");`);
    this.addSql(`create index "csat_offer_assignee_idx" on "csat_offer" ("workspace_id", "assignee_id", "offered_at");`);

    // Per workspace, assignee (null: none), UTC day and rating: the distribution follows, and from it every statistic.
    this.addSql(`create table "csat_rating_daily" ("workspace_id" uuid not null, "assignee_id" uuid null, "day" date not null, "rating" smallint not null, "ratings" int not null, "commented" int not null);`);
    this.addSql(`create unique index "csat_rating_daily_key" on "csat_rating_daily" ("workspace_id", "assignee_id", "day", "rating") include ("ratings", "commented") nulls not distinct;`);
    // Per workspace, assignee at offer time and UTC day of the offer: offers, and how many of them were rated.
    this.addSql(`create table "csat_offer_daily" ("workspace_id" uuid not null, "assignee_id" uuid null, "day" date not null, "offered" int not null, "rated" int not null);`);
    this.addSql(`create unique index "csat_offer_daily_key" on "csat_offer_daily" ("workspace_id", "assignee_id", "day") include ("offered", "rated") nulls not distinct;`);

    this.addSql(`create function csat_offer_rollup() returns trigger language plpgsql as $$
begin
  insert into csat_offer_daily as d (workspace_id, assignee_id, day, offered, rated)
  values (new.workspace_id, new.assignee_id, (new.offered_at at time zone 'UTC')::date, 1, 0)
  on conflict (workspace_id, assignee_id, day) do update set offered = d.offered + 1;
  return null;
end $$;`);
    this.addSql(`create trigger csat_offer_rollup after insert on csat_offer for each row execute function csat_offer_rollup();`);

    // A rating counts in its day's distribution, records its offer if none was recorded (rateTicket without a
    // prompt seen), and counts as rated in its offer's bucket (the assignee and day of the offer, not of the rating).
    this.addSql(`create function csat_rating_rollup() returns trigger language plpgsql as $$
declare
  offer record;
begin
  insert into csat_rating_daily as d (workspace_id, assignee_id, day, rating, ratings, commented)
  values (new.workspace_id, new.assignee_id, (new.rated_at at time zone 'UTC')::date, new.rating, 1, (new.comment is not null)::int)
  on conflict (workspace_id, assignee_id, day, rating) do update set ratings = d.ratings + 1, commented = d.commented + excluded.commented;
  insert into csat_offer (workspace_id, ticket_id, offered_at, assignee_id)
  values (new.workspace_id, new.ticket_id, new.rated_at, new.assignee_id)
  on conflict (workspace_id, ticket_id) do nothing;
  select o.offered_at, o.assignee_id into offer from csat_offer o where o.workspace_id = new.workspace_id and o.ticket_id = new.ticket_id;
  insert into csat_offer_daily as d (workspace_id, assignee_id, day, offered, rated)
  values (new.workspace_id, offer.assignee_id, (offer.offered_at at time zone 'UTC')::date, 0, 1)
  on conflict (workspace_id, assignee_id, day) do update set rated = d.rated + 1;
  return null;
end $$;`);
    this.addSql(`create trigger csat_rating_rollup after insert on csat_rating for each row execute function csat_rating_rollup();`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists csat_rating_rollup on csat_rating;`);
    this.addSql(`drop function if exists csat_rating_rollup();`);
    this.addSql(`drop table if exists "csat_offer_daily", "csat_rating_daily", "csat_offer";`);
    this.addSql(`drop function if exists csat_offer_rollup();`);
    for (const name of ['csat_rating', 'csat_rating_assignee']) {
      for (const suffix of ['rated_at', 'rating', 'rating_asc', 'unhappy']) this.addSql(`drop index if exists "${name}_${suffix}_idx";`);
    }
    this.addSql(`alter table "csat_rating" drop column if exists "comment_length";`);
    this.addSql(`create index "csat_rating_workspace_assignee_idx" on "csat_rating" ("workspace_id", "assignee_id", "rated_at");`);
  }
}

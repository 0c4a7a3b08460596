import { Migration } from '@mikro-orm/migrations';

/**
 * Follow-ups on ratings (issue 22 item 1, docs/insights.md, Follow-ups). The rules live here, in the database:
 *
 * - csat_follow_up: one per rating (its key is the rating's, a foreign key to it); state OPEN/CONTACTED/DONE
 *   (a CHECK), a note of at most 2000 code points (a CHECK), done_at exactly while DONE (a CHECK).
 * - csat_follow_up_stamp (BEFORE INSERT OR UPDATE): the version, the times and the previous state/owner are the
 *   database's, whatever a statement says: version 1 on opening and +1 per change under the row lock, so
 *   concurrent changes are serialised and numbered without gaps; opened_at never moves; done_at is kept through a
 *   DONE -> DONE change and cleared when the follow-up leaves DONE.
 * - csat_follow_up_history (AFTER INSERT OR UPDATE): every change appended to csat_follow_up_change (who, when,
 *   from, to) by the same statement's trigger, keyed by (rating, version): the history cannot skip or repeat.
 * - csat_rating_follow_up (AFTER INSERT on csat_rating, per statement): a new rating at or below the workspace's
 *   follow_up_below (default 2, 0 off) opens a follow-up, owned by nobody, in the rating's own transaction;
 *   rateTicket's one statement is unchanged (its round trips stay).
 *
 * Backfill: existing settings rows get follow_up_below = 2 (the column default). **Decision**: ratings stored
 * before this migration open no follow-up: the rule is about new ratings, and a queue of every unhappy rating of
 * past years would bury the ones that can still be saved; staff open one on any rating with setCsatFollowUp.
 */
export class Migration20261207030000 extends Migration {
  override name = 'Migration20261207030000_csat_follow_ups';

  override up(): void | Promise<void> {
    this.addSql(`alter table "csat_settings" add column "follow_up_below" smallint not null default 2;`);
    this.addSql(`alter table "csat_settings" add constraint "csat_settings_follow_up_below" check (follow_up_below >= 0 and follow_up_below <= 5);`);

    this.addSql(`create table "csat_follow_up" (
  "workspace_id" uuid not null,
  "ticket_id" uuid not null,
  "state" text not null,
  "owner_id" uuid null,
  "note" text null,
  "opened_at" timestamptz(3) not null default now(),
  "updated_at" timestamptz(3) not null default now(),
  "updated_by" uuid null,
  "done_at" timestamptz(3) null,
  "version" integer not null default 1,
  "previous_state" text null,
  "previous_owner_id" uuid null,
  primary key ("workspace_id", "ticket_id"),
  constraint "csat_follow_up_state" check (state in ('OPEN', 'CONTACTED', 'DONE')),
  constraint "csat_follow_up_note_length" check (char_length(note) <= 2000),
  constraint "csat_follow_up_done_at" check ((state = 'DONE') = (done_at is not null))
);`);
    this.addSql(`alter table "csat_follow_up" add constraint "csat_follow_up_rating_fk" foreign key ("workspace_id", "ticket_id") references "csat_rating" ("workspace_id", "ticket_id") on update cascade on delete cascade;`);
    // The queue: a workspace's follow-ups in one state, oldest change first.
    this.addSql(`create index "csat_follow_up_state_idx" on "csat_follow_up" ("workspace_id", "state", "updated_at", "ticket_id");`);

    this.addSql(`create table "csat_follow_up_change" (
  "workspace_id" uuid not null,
  "ticket_id" uuid not null,
  "version" integer not null,
  "at" timestamptz(3) not null,
  "by" uuid null,
  "from_state" text null,
  "to_state" text not null,
  "from_owner_id" uuid null,
  "to_owner_id" uuid null,
  "note" text null,
  primary key ("workspace_id", "ticket_id", "version"),
  constraint "csat_follow_up_change_states" check (to_state in ('OPEN', 'CONTACTED', 'DONE') and (from_state is null or from_state in ('OPEN', 'CONTACTED', 'DONE')))
);`);
    this.addSql(`alter table "csat_follow_up_change" add constraint "csat_follow_up_change_follow_up_fk" foreign key ("workspace_id", "ticket_id") references "csat_follow_up" ("workspace_id", "ticket_id") on update cascade on delete cascade;`);

    this.addSql(`create function csat_follow_up_stamp() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' then
    new.version := old.version + 1;
    new.opened_at := old.opened_at;
    new.previous_state := old.state;
    new.previous_owner_id := old.owner_id;
    -- The clock when the row lock is held, never before the last change: times follow the versions even when a
    -- transaction that started earlier got the lock later.
    new.updated_at := greatest(clock_timestamp(), old.updated_at);
    new.done_at := case when new.state <> 'DONE' then null when old.state = 'DONE' then old.done_at else new.updated_at end;
  else
    new.version := 1;
    new.previous_state := null;
    new.previous_owner_id := null;
    new.updated_at := new.opened_at;
    new.done_at := case when new.state = 'DONE' then new.opened_at end;
  end if;
  return new;
end $$;`);
    this.addSql(`create trigger csat_follow_up_stamp before insert or update on csat_follow_up for each row execute function csat_follow_up_stamp();`);

    this.addSql(`create function csat_follow_up_history() returns trigger language plpgsql as $$
begin
  insert into csat_follow_up_change (workspace_id, ticket_id, version, at, by, from_state, to_state, from_owner_id, to_owner_id, note)
  values (new.workspace_id, new.ticket_id, new.version, new.updated_at, new.updated_by,
          new.previous_state, new.state, new.previous_owner_id, new.owner_id, new.note);
  return null;
end $$;`);
    this.addSql(`create trigger csat_follow_up_history after insert or update on csat_follow_up for each row execute function csat_follow_up_history();`);

    // Opened at the rating's own time, owned by nobody, in the rating's transaction. The settings default (2) is
    // settings.rules.ts's, repeated here because a trigger cannot import it (test/followups.test.ts holds them equal).
    this.addSql(`create function csat_rating_follow_up_rows() returns trigger language plpgsql as $$
begin
  insert into csat_follow_up (workspace_id, ticket_id, state, opened_at)
  select a.workspace_id, a.ticket_id, 'OPEN', a.rated_at
    from added a left join csat_settings s on s.workspace_id = a.workspace_id
   where a.rating <= coalesce(s.follow_up_below, 2)
   order by a.workspace_id, a.ticket_id
  on conflict do nothing;
  return null;
end $$;`);
    this.addSql(`create trigger csat_rating_follow_up after insert on csat_rating referencing new table as added for each statement execute function csat_rating_follow_up_rows();`);

    // The event endpoints may now choose.
    this.addSql(`alter table "csat_webhook" drop constraint "csat_webhook_events";`);
    this.addSql(`alter table "csat_webhook" add constraint "csat_webhook_events" check (cardinality(events) >= 1 and events <@ array['csat.rating.created', 'csat.follow_up.updated']::text[]);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`delete from csat_delivery d using csat_event e where e.id = d.event_id and e.type = 'csat.follow_up.updated';`);
    this.addSql(`delete from csat_event where type = 'csat.follow_up.updated';`);
    this.addSql(`update csat_webhook set events = array_remove(events, 'csat.follow_up.updated');`);
    this.addSql(`delete from csat_webhook where cardinality(events) = 0;`);
    this.addSql(`alter table "csat_webhook" drop constraint "csat_webhook_events";`);
    this.addSql(`alter table "csat_webhook" add constraint "csat_webhook_events" check (cardinality(events) >= 1 and events <@ array['csat.rating.created']::text[]);`);
    this.addSql(`drop trigger if exists csat_rating_follow_up on csat_rating;`);
    this.addSql(`drop function if exists csat_rating_follow_up_rows();`);
    this.addSql(`drop table if exists "csat_follow_up_change";`);
    this.addSql(`drop table if exists "csat_follow_up";`);
    this.addSql(`drop function if exists csat_follow_up_history();`);
    this.addSql(`drop function if exists csat_follow_up_stamp();`);
    this.addSql(`alter table "csat_settings" drop column "follow_up_below";`);
  }
}

import { Migration } from '@mikro-orm/migrations';

export class Migration20261202100100 extends Migration {

  override name = 'Migration20261202100100_csat_webhooks';

  override up(): void | Promise<void> {
    this.addSql(`create table "csat_delivery" ("id" uuid not null default gen_random_uuid(), "workspace_id" uuid not null, "event_id" uuid not null, "webhook_id" uuid not null, "status" text not null default 'PENDING', "next_attempt_at" timestamptz(3) null default now(), "created_at" timestamptz(3) not null default now(), "window_started_at" timestamptz(3) not null default now(), primary key ("id"));`);
    this.addSql(`create index "csat_delivery_webhook_idx" on "csat_delivery" ("webhook_id", "created_at", "id");`);
    this.addSql(`alter table "csat_delivery" add constraint "csat_delivery_event_webhook_key" unique ("event_id", "webhook_id");`);

    this.addSql(`create table "csat_delivery_attempt" ("delivery_id" uuid not null, "attempt" int not null, "at" timestamptz(3) not null default now(), "status_code" int null, "duration_ms" int not null, "error" text null, primary key ("delivery_id", "attempt"));`);

    this.addSql(`create table "csat_event" ("id" uuid not null default gen_random_uuid(), "workspace_id" uuid not null, "type" text not null, "payload" jsonb not null, "created_at" timestamptz(3) not null default now(), primary key ("id"));`);

    this.addSql(`create table "csat_webhook" ("id" uuid not null default gen_random_uuid(), "workspace_id" uuid not null, "url" text not null, "description" text null, "events" text[] not null, "only_unhappy" boolean not null default false, "secret" text not null, "previous_secret" text null, "previous_secret_expires_at" timestamptz(3) null, "created_at" timestamptz(3) not null default now(), primary key ("id"));`);
    this.addSql(`create index "csat_webhook_workspace_idx" on "csat_webhook" ("workspace_id", "created_at");`);

    // Written by hand (the entities carry no relations): deleting an endpoint deletes its deliveries and their attempts.
    this.addSql(`alter table "csat_delivery" add constraint "csat_delivery_webhook_fk" foreign key ("webhook_id") references "csat_webhook" ("id") on delete cascade;`);
    this.addSql(`alter table "csat_delivery" add constraint "csat_delivery_event_fk" foreign key ("event_id") references "csat_event" ("id") on delete cascade;`);
    this.addSql(`alter table "csat_delivery_attempt" add constraint "csat_delivery_attempt_delivery_fk" foreign key ("delivery_id") references "csat_delivery" ("id") on delete cascade;`);

    this.addSql(`alter table "csat_delivery" add constraint "csat_delivery_status" check (status in ('PENDING', 'SUCCEEDED', 'FAILED'));`);

    this.addSql(`alter table "csat_webhook" add constraint "csat_webhook_url_length" check (char_length(url) <= 2000);`);
    this.addSql(`alter table "csat_webhook" add constraint "csat_webhook_description_length" check (char_length(description) <= 500);`);
    this.addSql(`alter table "csat_webhook" add constraint "csat_webhook_events" check (cardinality(events) >= 1 and events <@ array['csat.rating.created']::text[]);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "csat_delivery" cascade;`);
    this.addSql(`drop table if exists "csat_delivery_attempt" cascade;`);
    this.addSql(`drop table if exists "csat_event" cascade;`);
    this.addSql(`drop table if exists "csat_webhook" cascade;`);
  }

}

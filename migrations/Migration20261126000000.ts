import { Migration } from '@mikro-orm/migrations';

export class Migration20261126000000 extends Migration {

  override name = 'Migration20261126000000_csat_rating';

  override up(): void | Promise<void> {
    this.addSql(`create table "csat_rating" ("workspace_id" uuid not null, "ticket_id" uuid not null, "rating" smallint not null, "comment" text null, "rated_at" timestamptz(3) not null default now(), "rated_by" uuid not null, "assignee_id" uuid null, primary key ("workspace_id", "ticket_id"));`);
    this.addSql(`create index "csat_rating_workspace_assignee_idx" on "csat_rating" ("workspace_id", "assignee_id", "rated_at");`);
    this.addSql(`alter table "csat_rating" add constraint "csat_rating_comment_length" check (char_length(comment) >= 1 and char_length(comment) <= 2000);`);
    this.addSql(`alter table "csat_rating" add constraint "csat_rating_rating_range" check (rating >= 1 and rating <= 5);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "csat_rating";`);
  }
}

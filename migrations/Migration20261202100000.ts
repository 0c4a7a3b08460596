import { Migration } from '@mikro-orm/migrations';

export class Migration20261202100000 extends Migration {

  override name = 'Migration20261202100000_csat_settings';

  override up(): void | Promise<void> {
    this.addSql(`create table "csat_settings" ("workspace_id" uuid not null, "enabled" boolean not null default true, "badge_public" boolean not null default false, "badge_min_count" int not null default 100, "unhappy_max_rating" smallint not null default 2, "vocal_min_comment_length" int not null default 200, "updated_at" timestamptz(3) not null default now(), "updated_by" uuid not null, primary key ("workspace_id"));`);

    this.addSql(`alter table "csat_settings" add constraint "csat_settings_vocal_min_comment_length" check (vocal_min_comment_length >= 1 and vocal_min_comment_length <= 2000);`);
    this.addSql(`alter table "csat_settings" add constraint "csat_settings_unhappy_max_rating" check (unhappy_max_rating >= 1 and unhappy_max_rating <= 5);`);
    this.addSql(`alter table "csat_settings" add constraint "csat_settings_badge_min_count" check (badge_min_count >= 30);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "csat_settings" cascade;`);
  }

}

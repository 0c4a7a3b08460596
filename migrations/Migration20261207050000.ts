import { Migration } from '@mikro-orm/migrations';

/**
 * The webhook tables keyed by workspace first (issue 19, docs/scale.md, Before distributing): a distributed
 * PostgreSQL (Citus) shards by workspace_id only tables whose every unique key and foreign key includes it.
 * csat_webhook, csat_event and csat_delivery: primary key (workspace_id, id), and csat_delivery's unique
 * (workspace_id, event_id, webhook_id); csat_delivery_attempt gains workspace_id, filled from its delivery, and the
 * key (workspace_id, delivery_id, attempt). The foreign keys between them become composite, (workspace_id, <id>),
 * each as it was otherwise (on delete cascade): a delivery, its event, its endpoint and its attempts are one
 * workspace's, which the database now holds too.
 *
 * Locks: all four tables at once, first, in the order the writers take them (csat_rate and setCsatFollowUp read
 * csat_webhook, then insert csat_event, then csat_delivery; deleting an endpoint cascades to csat_delivery, then to
 * csat_delivery_attempt; a redelivery updates csat_delivery, then reads csat_delivery_attempt), so that the migration
 * waits for a transaction in flight while holding none of the tables that transaction goes on to ask for. The
 * delivery task's two statements name them in other orders (a delivery with its event and endpoint; an attempt,
 * then its delivery), each a transaction of its own that takes its locks as it starts: caught between two of the
 * migration's, it is the one waiting first, so the deadlock check ends it, not the migration, and graphile-worker
 * runs its job again. While the tables are held (the
 * attempts rewritten, the keys rebuilt: 23 s for 1,000,000 deliveries with 2,000,000 attempts on a busy 2-core
 * machine, docs/deploy.md) every rating waits for them (csat_rate reads csat_webhook) and fails once it has waited
 * DB_LOCK_TIMEOUT_MS.
 *
 * Real data: every attempt's workspace comes from its delivery (the old foreign key guarantees there is one). A
 * delivery whose event or endpoint is another workspace's (never written by the service) fails the new foreign key,
 * and the migration with it, naming the row.
 *
 * An older webhook worker still running after this commits (a rolling upgrade) cannot record its attempts (its
 * insert names neither workspace_id nor the new key): its job fails and graphile-worker runs it again, on a new
 * worker once the rollout is done, which sends it again (the same webhook-id, docs/webhooks.md: receivers drop the
 * repeat). Stop the old workers first to avoid that.
 */
export class Migration20261207050000 extends Migration {
  override name = 'Migration20261207050000_csat_webhooks_by_workspace';

  override up(): void | Promise<void> {
    this.addSql(`lock table "csat_webhook", "csat_event", "csat_delivery", "csat_delivery_attempt" in access exclusive mode;`);

    // The foreign keys go first: they depend on the primary keys they reference. The attempts' key too, so that
    // filling their workspace maintains no index (the new key is built once, after).
    this.addSql(`alter table "csat_delivery_attempt" drop constraint "csat_delivery_attempt_delivery_fk", drop constraint "csat_delivery_attempt_pkey";`);
    this.addSql(`alter table "csat_delivery" drop constraint "csat_delivery_event_fk", drop constraint "csat_delivery_webhook_fk";`);

    // The attempts' workspace, from their deliveries (found by the deliveries' old primary key, still there).
    this.addSql(`alter table "csat_delivery_attempt" add column "workspace_id" uuid null;`);
    this.addSql(`update "csat_delivery_attempt" a set "workspace_id" = d."workspace_id" from "csat_delivery" d where d."id" = a."delivery_id";`);
    this.addSql(`alter table "csat_delivery_attempt" alter column "workspace_id" set not null;`);

    this.addSql(`alter table "csat_webhook" drop constraint "csat_webhook_pkey", add constraint "csat_webhook_pkey" primary key ("workspace_id", "id");`);
    this.addSql(`alter table "csat_event" drop constraint "csat_event_pkey", add constraint "csat_event_pkey" primary key ("workspace_id", "id");`);
    this.addSql(`alter table "csat_delivery" drop constraint "csat_delivery_pkey", add constraint "csat_delivery_pkey" primary key ("workspace_id", "id"), drop constraint "csat_delivery_event_webhook_key", add constraint "csat_delivery_event_webhook_key" unique ("workspace_id", "event_id", "webhook_id");`);
    this.addSql(`alter table "csat_delivery_attempt" add constraint "csat_delivery_attempt_pkey" primary key ("workspace_id", "delivery_id", "attempt");`);

    // Each checked against the rows, under the locks taken above (ON DELETE as before: cascade).
    this.addSql(`alter table "csat_delivery" add constraint "csat_delivery_webhook_fk" foreign key ("workspace_id", "webhook_id") references "csat_webhook" ("workspace_id", "id") on delete cascade;`);
    this.addSql(`alter table "csat_delivery" add constraint "csat_delivery_event_fk" foreign key ("workspace_id", "event_id") references "csat_event" ("workspace_id", "id") on delete cascade;`);
    this.addSql(`alter table "csat_delivery_attempt" add constraint "csat_delivery_attempt_delivery_fk" foreign key ("workspace_id", "delivery_id") references "csat_delivery" ("workspace_id", "id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    // Back to keys by id: ids are random uuids, unique across workspaces, so the old keys hold for every row.
    this.addSql(`lock table "csat_webhook", "csat_event", "csat_delivery", "csat_delivery_attempt" in access exclusive mode;`);
    this.addSql(`alter table "csat_delivery_attempt" drop constraint "csat_delivery_attempt_delivery_fk";`);
    this.addSql(`alter table "csat_delivery" drop constraint "csat_delivery_event_fk", drop constraint "csat_delivery_webhook_fk";`);
    this.addSql(`alter table "csat_webhook" drop constraint "csat_webhook_pkey", add constraint "csat_webhook_pkey" primary key ("id");`);
    this.addSql(`alter table "csat_event" drop constraint "csat_event_pkey", add constraint "csat_event_pkey" primary key ("id");`);
    this.addSql(`alter table "csat_delivery" drop constraint "csat_delivery_pkey", add constraint "csat_delivery_pkey" primary key ("id"), drop constraint "csat_delivery_event_webhook_key", add constraint "csat_delivery_event_webhook_key" unique ("event_id", "webhook_id");`);
    this.addSql(`alter table "csat_delivery_attempt" drop constraint "csat_delivery_attempt_pkey", add constraint "csat_delivery_attempt_pkey" primary key ("delivery_id", "attempt");`);
    this.addSql(`alter table "csat_delivery_attempt" drop column "workspace_id";`);
    this.addSql(`alter table "csat_delivery" add constraint "csat_delivery_webhook_fk" foreign key ("webhook_id") references "csat_webhook" ("id") on delete cascade;`);
    this.addSql(`alter table "csat_delivery" add constraint "csat_delivery_event_fk" foreign key ("event_id") references "csat_event" ("id") on delete cascade;`);
    this.addSql(`alter table "csat_delivery_attempt" add constraint "csat_delivery_attempt_delivery_fk" foreign key ("delivery_id") references "csat_delivery" ("id") on delete cascade;`);
  }
}

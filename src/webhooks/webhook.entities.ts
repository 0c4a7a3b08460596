import { EntityName, OptionalProps, PrimaryKeyProp } from '@mikro-orm/core';
import { Check, Entity, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/decorators/legacy';

// The webhook tables (docs/webhooks.md). The admin API reads and writes them through these entities
// (admin/webhook.store.ts); csat_rate (rating/rate.statement.ts) and the delivery task (delivery/delivery.store.ts, on
// graphile-worker's pool) in statements of their own. The entities are their schema, from which migrations are generated
// (workspace_id's statistics target, which they cannot say, is Migration20261207070000's).
//
// Every key leads with workspace_id (Migration20261207050000, docs/scale.md): a distributed PostgreSQL (Citus) needs
// the distribution column in every unique key and foreign key. So the relations between these tables are composite,
// (workspace_id, <id>), and share the row's own workspace_id column: a delivery, its event, its endpoint and its
// attempts are always of one workspace. Each relation's own column is also a scalar property (eventId, webhookId,
// deliveryId), which the queries filter by and the Kysely schema (webhook.db.ts) types.

/** One endpoint of one workspace. The secret is kept to sign with; the API shows it only when it is made. */
@Entity({ tableName: 'csat_webhook' })
@Index({ name: 'csat_webhook_workspace_idx', properties: ['workspaceId', 'createdAt'] })
@Check({ name: 'csat_webhook_events', expression: "cardinality(events) >= 1 and events <@ array['csat.rating.created', 'csat.follow_up.updated']::text[]" })
@Check({ name: 'csat_webhook_description_length', expression: 'char_length(description) <= 500' })
@Check({ name: 'csat_webhook_url_length', expression: 'char_length(url) <= 2000' })
export class CsatWebhook {
  /** Its table's name for the typed Kysely schema (webhook.db.ts): InferClassEntityDB snake-cases it. */
  [EntityName]?: 'CsatWebhook';
  [PrimaryKeyProp]?: ['workspaceId', 'id'];
  /** The database fills them in (defaults). */
  [OptionalProps]?: 'id' | 'createdAt' | 'onlyUnhappy' | 'description' | 'previousSecret' | 'previousSecretExpiresAt';

  @PrimaryKey({ type: 'uuid' })
  workspaceId!: string;

  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id!: string;

  @Property({ type: 'text' })
  url!: string;

  @Property({ type: 'text', nullable: true })
  description!: string | null;

  @Property({ type: 'text[]' })
  events!: string[];

  @Property({ type: 'boolean', default: false })
  onlyUnhappy!: boolean;

  @Property({ type: 'text' })
  secret!: string;

  /** After a rotation, the old secret keeps signing too until previousSecretExpiresAt. */
  @Property({ type: 'text', nullable: true })
  previousSecret!: string | null;

  @Property({ type: 'timestamptz', length: 3, nullable: true })
  previousSecretExpiresAt!: Date | null;

  @Property({ type: 'timestamptz', length: 3, defaultRaw: 'now()' })
  createdAt!: Date;
}

/** A rating's event, written in the rating's own statement, only when some endpoint wants it. */
@Entity({ tableName: 'csat_event' })
export class CsatEvent {
  /** Its table's name for the typed Kysely schema (webhook.db.ts): InferClassEntityDB snake-cases it. */
  [EntityName]?: 'CsatEvent';
  [PrimaryKeyProp]?: ['workspaceId', 'id'];

  @PrimaryKey({ type: 'uuid' })
  workspaceId!: string;

  /** The Standard Webhooks `webhook-id`: stable across retries, for receivers to deduplicate. */
  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id!: string;

  @Property({ type: 'text' })
  type!: string;

  @Property({ type: 'jsonb' })
  payload!: unknown;

  @Property({ type: 'timestamptz', length: 3, defaultRaw: 'now()' })
  createdAt!: Date;
}

/** One event to one endpoint; one graphile-worker job at a time carries it. */
@Entity({ tableName: 'csat_delivery' })
@Unique({ name: 'csat_delivery_event_webhook_key', properties: ['workspaceId', 'eventId', 'webhookId'] })
@Index({ name: 'csat_delivery_webhook_idx', properties: ['webhookId', 'createdAt', 'id'] })
@Check({ name: 'csat_delivery_status', expression: "status in ('PENDING', 'SUCCEEDED', 'FAILED')" })
export class CsatDelivery {
  /** Its table's name for the typed Kysely schema (webhook.db.ts): InferClassEntityDB snake-cases it. */
  [EntityName]?: 'CsatDelivery';
  [PrimaryKeyProp]?: ['workspaceId', 'id'];
  [OptionalProps]?: 'id' | 'status' | 'nextAttemptAt' | 'createdAt' | 'windowStartedAt' | 'event' | 'webhook';

  @PrimaryKey({ type: 'uuid' })
  workspaceId!: string;

  @PrimaryKey({ type: 'uuid', defaultRaw: 'gen_random_uuid()' })
  id!: string;

  @Property({ type: 'uuid' })
  eventId!: string;

  @Property({ type: 'uuid' })
  webhookId!: string;

  // The foreign keys, (workspace_id, event_id) and (workspace_id, webhook_id), over the columns above: deleting an
  // endpoint or an event deletes its deliveries. Never set (rows are written by csat_rate's statement), read as keys.
  // ON UPDATE as before, no action (keys never change; MikroORM's default for a composite one would be cascade).
  @ManyToOne(() => CsatEvent, { fieldNames: ['workspace_id', 'event_id'], deleteRule: 'cascade', updateRule: 'no action', foreignKeyName: 'csat_delivery_event_fk' })
  event!: CsatEvent;

  @ManyToOne(() => CsatWebhook, { fieldNames: ['workspace_id', 'webhook_id'], deleteRule: 'cascade', updateRule: 'no action', foreignKeyName: 'csat_delivery_webhook_fk' })
  webhook!: CsatWebhook;

  @Property({ type: 'text', default: 'PENDING' })
  status!: string;

  @Property({ type: 'timestamptz', length: 3, nullable: true, defaultRaw: 'now()' })
  nextAttemptAt!: Date | null;

  /** Retries stop WEBHOOK_RETRY_WINDOW_MS after this (a redelivery starts it again). */
  @Property({ type: 'timestamptz', length: 3, defaultRaw: 'now()' })
  createdAt!: Date;

  @Property({ type: 'timestamptz', length: 3, defaultRaw: 'now()' })
  windowStartedAt!: Date;
}

/** Each HTTP attempt of a delivery, as admins see it. */
@Entity({ tableName: 'csat_delivery_attempt' })
export class CsatDeliveryAttempt {
  /** Its table's name for the typed Kysely schema (webhook.db.ts): InferClassEntityDB snake-cases it. */
  [EntityName]?: 'CsatDeliveryAttempt';
  [PrimaryKeyProp]?: ['workspaceId', 'deliveryId', 'attempt'];
  [OptionalProps]?: 'delivery';

  /** Its delivery's (backfilled from csat_delivery by Migration20261207050000). */
  @PrimaryKey({ type: 'uuid' })
  workspaceId!: string;

  @PrimaryKey({ type: 'uuid' })
  deliveryId!: string;

  @PrimaryKey({ type: 'integer' })
  attempt!: number;

  /** The foreign key (workspace_id, delivery_id), over the columns above: deleting a delivery deletes its attempts. */
  @ManyToOne(() => CsatDelivery, { fieldNames: ['workspace_id', 'delivery_id'], deleteRule: 'cascade', updateRule: 'no action', foreignKeyName: 'csat_delivery_attempt_delivery_fk' })
  delivery!: CsatDelivery;

  @Property({ type: 'timestamptz', length: 3, defaultRaw: 'now()' })
  at!: Date;

  @Property({ type: 'integer', nullable: true })
  statusCode!: number | null;

  @Property({ type: 'integer' })
  durationMs!: number;

  @Property({ type: 'text', nullable: true })
  error!: string | null;
}

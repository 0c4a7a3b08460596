import type { InferClassEntityDB } from '@mikro-orm/postgresql';
import type { CsatDelivery, CsatDeliveryAttempt, CsatEvent, CsatWebhook } from './webhook.entities.js';

type Inferred = InferClassEntityDB<typeof CsatWebhook | typeof CsatEvent | typeof CsatDelivery | typeof CsatDeliveryAttempt>;

/** A composite key's value: a tuple of two or more (a text[] column's string[] is not one). */
type CompositeKey = readonly [unknown, unknown, ...unknown[]];

/**
 * A table's columns without what InferClassEntityDB makes of a relation to a composite key (delivery → event, …):
 * it names it `<relation>_<key property>` for each key property, typed as the whole key. Those relations' columns
 * are scalar properties of their own (workspaceId, eventId, …: webhook.entities.ts), so the tuples are dropped.
 */
type Columns<Row> = {
  [K in keyof Row as [Exclude<Row[K], CompositeKey>] extends [never] ? never : K]: Exclude<Row[K], CompositeKey>;
};

/**
 * The webhook tables as a Kysely schema, derived from the entities (MikroORM's InferClassEntityDB): table and
 * column names and types come from webhook.entities.ts, so a query built on it no longer types its rows by hand.
 */
export type WebhookDB = { [Table in keyof Inferred]: Columns<Inferred[Table]> };

import type { InferClassEntityDB } from '@mikro-orm/postgresql';
import type { CsatDelivery, CsatDeliveryAttempt, CsatEvent, CsatWebhook } from './webhook.entities.js';

/**
 * The webhook tables as a Kysely schema, derived from the entities (MikroORM's InferClassEntityDB): table and
 * column names and types come from webhook.entities.ts, so a query built on it no longer types its rows by hand.
 */
export type WebhookDB = InferClassEntityDB<typeof CsatWebhook | typeof CsatEvent | typeof CsatDelivery | typeof CsatDeliveryAttempt>;

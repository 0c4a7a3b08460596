import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options } from '@mikro-orm/postgresql';
import type { Kysely } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { CsatOffer } from '../insights/offer.entity.js';
import { CsatOfferDailyWs, CsatOfferHourlyWs, CsatRatingDailyWs, CsatRatingHourlyWs } from '../insights/trend-rollup.entity.js';
import { CsatRating } from '../rating/rating.entity.js';
import { CsatSettings } from '../settings/settings.entity.js';
import { Ticket } from '../ticket/ticket.entity.js';
import { CsatDelivery, CsatDeliveryAttempt, CsatEvent, CsatWebhook } from '../webhooks/webhook.entities.js';

/** Every entity of this service: its own tables and the helpdesk's read-only `ticket`. */
export const ENTITIES = [CsatRating, CsatOffer, CsatSettings, CsatWebhook, CsatEvent, CsatDelivery, CsatDeliveryAttempt, Ticket, CsatRatingDailyWs, CsatRatingHourlyWs, CsatOfferDailyWs, CsatOfferHourlyWs];

export interface OrmConfigInput {
  databaseUrl: string;
  /** The Kysely instance (and so the pool) every query goes through; the MikroORM CLI lets the ORM make its own. */
  kysely?: Kysely<unknown>;
  /** The read replicas' Kysely (db/replica.router.ts): MikroORM's 'read' connection, `em.getKysely({ type: 'read' })`. */
  reads?: Kysely<unknown>;
  /** Where the ORM's own messages (the migrator's progress) go; default: nowhere. */
  log?: (message: string) => void;
}

export function ormConfig({ databaseUrl, kysely, reads, log }: OrmConfigInput): Options {
  return defineConfig({
    clientUrl: databaseUrl,
    entities: ENTITIES,
    extensions: [Migrator],
    // db/database.ts builds the pool and the Kysely over it, so that every statement is counted and the
    // hot statements are prepared; MikroORM reuses a Kysely instance given here.
    driverOptions: kysely ?? { connectionString: databaseUrl, connectionTimeoutMillis: 10_000 },
    // A function, as MikroORM deep-copies a replica's options (a Kysely instance would not survive the copy).
    // One 'read' connection over every standby (the router picks one per read, or the primary). Only reads asked
    // for it go there, never inside a transaction (MikroORM pins those to the primary); not the ORM's own finds:
    // a customer must read their own writes at once.
    ...(reads && { replicas: [{ name: 'read', driverOptions: () => reads }], preferReadReplicas: false }),
    // Requests always work on a fork (app.ts builds each request's context); the global EM is a bug.
    allowGlobalContext: false,
    // Never create the database: a mistyped DATABASE_URL must fail the start, not get a fresh empty database.
    ensureDatabase: false,
    debug: false,
    colors: false,
    logger: log ?? (() => {}),
    migrations: {
      tableName: 'csat_migrations',
      path: 'migrations',
      pathTs: 'migrations',
      snapshotName: '.snapshot-csat',
      migrationsList: migrations,
      transactional: true,
      allOrNothing: true,
    },
    // The helpdesk owns `ticket`; this subgraph must never diff, create or drop it. graphile-worker's schema is not
    // ours either: else the first migration applied to a database that has it writes it into the snapshot.
    schemaGenerator: { skipTables: ['ticket'], ignoreSchema: ['graphile_worker'] },
  });
}

import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options } from '@mikro-orm/postgresql';
import type { Kysely } from 'kysely';
import { migrations } from '../../migrations/index.js';

/** What the ORM maps and diffs: given by the caller (src/schema.entities.ts), so db/ knows no feature's table. */
export interface OrmSchema {
  entities: NonNullable<Options['entities']>;
  /** Functions that are no entity's trigger (declared so that the diff keeps them). */
  routines: NonNullable<Options['routines']>;
  /** Tables that exist but that the schema diff must neither create, alter nor drop (each with its reason there). */
  skipTables: string[];
}

export interface OrmConfigInput {
  databaseUrl: string;
  schema: OrmSchema;
  /** The Kysely instance (and so the pool) every query goes through; the MikroORM CLI lets the ORM make its own. */
  kysely?: Kysely<unknown>;
  /** The read replicas' Kysely (db/replica.router.ts): MikroORM's 'read' connection, `em.getKysely({ type: 'read' })`. */
  reads?: Kysely<unknown>;
  /** Where the ORM's own messages (the migrator's progress) go; default: nowhere. */
  log?: (message: string) => void;
}

export function ormConfig({ databaseUrl, schema, kysely, reads, log }: OrmConfigInput): Options {
  return defineConfig({
    clientUrl: databaseUrl,
    entities: schema.entities,
    routines: schema.routines,
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
      migrationsList: migrations,
      transactional: true,
      allOrNothing: true,
      // No snapshot: `migration:create` and `migration:check` diff the entities against the database itself
      // (migrated to the latest), the one truth. A snapshot was rewritten by every migrate() (snapshotOnMigrate),
      // and drifted from both.
      snapshot: false,
    },
    schemaGenerator: {
      skipTables: schema.skipTables,
      // graphile-worker's schema is the job queue's own (it migrates it itself: webhooks/queue.schema.ts).
      ignoreSchema: ['graphile_worker'],
      // Triggers and functions are plpgsql written by hand in migrations (the rollups': Migration20261206200000);
      // the entities declare them by name (@Trigger, SCHEMA.routines), and these make sure that the diff never
      // drops or rewrites one: a change to them is a hand-written migration.
      ignoreTriggers: true,
      ignoreRoutines: true,
    },
  });
}

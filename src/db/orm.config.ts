import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { CsatRating } from '../rating/rating.entity.js';
import { migrations } from '../../migrations/index.js';

export interface OrmConfigInput {
  databaseUrl: string;
  /** Called once per SQL statement the ORM sends (see db/sql.counter.ts). */
  onQuery?: (sql: string) => void;
  poolMax?: number;
  /** Where the ORM's own messages (the migrator's progress) go; default: nowhere. */
  log?: (message: string) => void;
}

export function ormConfig({ databaseUrl, onQuery, poolMax = 10, log }: OrmConfigInput): Options {
  return defineConfig({
    clientUrl: databaseUrl,
    entities: [CsatRating],
    extensions: [Migrator],
    pool: { min: 0, max: poolMax },
    driverOptions: {
      // MikroORM reads only host, port, user, password and database from the URL; pg's own parsing of the
      // whole string keeps the rest working too (sslmode=…, host=/path/to/socket, application_name=…).
      connectionString: databaseUrl,
      // A host that drops packets must fail a start or a request in seconds, not after the OS's TCP timeout.
      connectionTimeoutMillis: 10_000,
    },
    // Requests always work on a fork (server/context.ts); the global EM is a bug.
    allowGlobalContext: false,
    // Never create the database: a mistyped DATABASE_URL must fail the start, not get a fresh empty database.
    ensureDatabase: false,
    debug: false,
    colors: false,
    logger: log ?? (() => {}),
    onQuery: (sql) => {
      onQuery?.(sql);
      return sql;
    },
    migrations: {
      tableName: 'csat_migrations',
      path: 'migrations',
      pathTs: 'migrations',
      snapshotName: '.snapshot-csat',
      migrationsList: migrations,
      transactional: true,
      allOrNothing: true,
    },
    // The helpdesk owns `ticket`; this subgraph must never diff, create or drop it.
    schemaGenerator: { skipTables: ['ticket'] },
  });
}

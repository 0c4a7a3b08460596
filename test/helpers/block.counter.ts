// How much of a table a statement reads, by PostgreSQL's own counters (pg_statio_user_tables): the tests of plans
// chosen under given statistics (test/webhooks.statistics.test.ts, test/workspace.statistics.test.ts) count blocks,
// not milliseconds. A throwaway database with the measured session (one connection) and a reader beside it.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../dev/throwaway.database.js';

export interface CountedDatabase<DB> {
  database: ThrowawayDatabase;
  /** The connection measured: the statements counted, and the flush of their counters, run in this one session. */
  session: pg.Pool;
  /** The same session under Kysely (the service's statements that take one). */
  db: Kysely<DB>;
  /** Another connection, for seeding and for reading the counters. */
  reader: pg.Client;
  /** Blocks of `tables`, their indexes and TOAST touched (in memory or read) by what `run` sends on `session`. */
  blocksTouched(tables: string[], run: () => Promise<unknown>): Promise<number>;
  close(): Promise<void>;
}

/** A migrated throwaway database (`name`) on `serverUrl`, autovacuum off on `quiet` so nothing analyzes them meanwhile. */
export async function openCountedDatabase<DB>(name: string, serverUrl: string | undefined, quiet: string[]): Promise<CountedDatabase<DB>> {
  const database = await createThrowawayDatabase(name, { serverUrl });
  const reader = new pg.Client({ connectionString: database.url });
  await reader.connect();
  const session = new pg.Pool({ connectionString: database.url, max: 1 });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: session }) });
  for (const table of quiet) await reader.query(`alter table ${table} set (autovacuum_enabled = false)`);

  const total = async (tables: string[]) => {
    // A backend's counters reach the shared statistics when it goes idle, at most once a second unless forced: force
    // the measured session's, and the reader's own (its seeding, else flushed a moment later, inside a measurement:
    // 155,514 blocks once in CI).
    await session.query('select pg_stat_force_next_flush()');
    await reader.query('select pg_stat_force_next_flush()');
    const { rows } = await reader.query<{ n: string }>(
      `select sum(coalesce(heap_blks_hit, 0) + coalesce(heap_blks_read, 0) + coalesce(idx_blks_hit, 0) + coalesce(idx_blks_read, 0)
                + coalesce(toast_blks_hit, 0) + coalesce(toast_blks_read, 0) + coalesce(tidx_blks_hit, 0) + coalesce(tidx_blks_read, 0)) as n
         from pg_statio_user_tables where relname = any($1)`,
      [tables],
    );
    return Number(rows[0]!.n);
  };
  return {
    database,
    session,
    db,
    reader,
    async blocksTouched(tables, run) {
      const before = await total(tables);
      await run();
      return (await total(tables)) - before;
    },
    async close() {
      // Kysely's destroy ends the session's pool, if Kysely ever used it; else it is ended here.
      await db.destroy();
      if (!session.ending && !session.ended) await session.end();
      await reader.end();
      await database.drop();
    },
  };
}

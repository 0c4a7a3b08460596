import type { Kysely } from 'kysely';
import { sqlRows } from '../db/sql.helpers.js';
import type pg from 'pg';

/**
 * What the rollup rebuild and check need from a connection: statements, and transactions of their own. Two
 * adapters: pg's Pool (the npm scripts, tests) and Kysely (migrate(), whose pool the service built).
 */
export interface RollupSession {
  query<Row = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<Row[]>;
  /** `fn` on one connection between BEGIN (with `begin`'s options) and COMMIT; ROLLBACK if it throws. */
  transaction<T>(fn: (tx: RollupSession) => Promise<T>, begin?: string): Promise<T>;
}

export function pgSession(pool: pg.Pool): RollupSession {
  const on = (client: pg.Pool | pg.PoolClient): RollupSession => ({
    async query<Row>(text: string, values: readonly unknown[] = []) {
      // pg's own generic: the caller who wrote the select list names the row's shape.
      return (await client.query<Row & pg.QueryResultRow>(text, [...values])).rows;
    },
    transaction: (fn, begin) => transactionOn(pool, fn, begin),
  });
  async function transactionOn<T>(p: pg.Pool, fn: (tx: RollupSession) => Promise<T>, begin = 'begin'): Promise<T> {
    const client = await p.connect();
    try {
      await client.query(begin);
      const result = await fn(on(client));
      await client.query('commit');
      return result;
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }
  return on(pool);
}

export function kyselySession(db: Kysely<unknown>): RollupSession {
  return {
    async query<Row>(text: string, values: readonly unknown[] = []) {
      return sqlRows<Row>(db, text, values);
    },
    transaction: (fn, begin = 'begin') =>
      db.connection().execute(async (conn) => {
        const tx = kyselySession(conn);
        await tx.query(begin);
        try {
          const result = await fn(tx);
          await tx.query('commit');
          return result;
        } catch (err) {
          await tx.query('rollback').catch(() => {});
          throw err;
        }
      }),
  };
}

import type { EntityManager } from '@mikro-orm/postgresql';
import type { Pool } from 'pg';

/** Each connection's pg pool, so a query does not wait on `getNativeClient()` (one more await) every time. */
const pools = new WeakMap<object, Pool>();

/**
 * Runs one statement with real bind parameters ($1, $2, ...) on the EntityManager's pool.
 * MikroORM's own `execute` inlines parameters into the SQL text; customer text should never be.
 * A `name` makes it a prepared statement, parsed once per connection: PostgreSQL then plans it once
 * (a generic plan), which for the ticket batch is an index nested loop instead of re-planning every page.
 * Counted through the ORM's `onQuery` hook like every other statement (db/sql.counter.ts).
 */
export async function query<Row>(em: EntityManager, text: string, params: readonly unknown[], name?: string): Promise<Row[]> {
  const conn = em.getConnection();
  em.config.get('onQuery')(text, params);
  let pool = pools.get(conn);
  // A closed ORM (and a reconnect) gets a new pool: ask MikroORM again rather than use an ended one.
  if (!pool || pool.ending || pool.ended) {
    pool = await conn.getNativeClient();
    pools.set(conn, pool);
  }
  const res = await pool.query({ text, values: params as unknown[], name });
  return res.rows as Row[];
}

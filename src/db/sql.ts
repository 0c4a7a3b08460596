import type { EntityManager } from '@mikro-orm/postgresql';

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
  const pool = await conn.getNativeClient();
  const res = await pool.query({ text, values: params as unknown[], name });
  return res.rows as Row[];
}

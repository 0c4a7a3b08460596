import { CompiledQuery, type Kysely } from 'kysely';

// The SQL helpers every feature shares: one way to run a hand-written statement, one way to print an instant.

/**
 * Runs a hand-written statement (prepared when prepared.statements.ts registered its text) through `db`: the
 * request's EntityManager's Kysely (`em.getKysely()`, its connection or transaction, counted like every statement).
 * `Row` is the shape the statement's select list names: the caller who wrote the SQL declares it, once, here.
 */
export async function sqlRows<Row>(db: Kysely<unknown>, text: string, values: readonly unknown[] = []): Promise<Row[]> {
  const query: CompiledQuery<Row> = CompiledQuery.raw(text, [...values]);
  return (await db.executeQuery(query)).rows;
}

/** A timestamptz as RFC 3339 UTC with milliseconds, whatever the session's TimeZone: every instant clients see. */
export const instantSql = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

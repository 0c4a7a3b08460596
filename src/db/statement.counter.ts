import type { LogEvent } from 'kysely';

/**
 * Counts the SQL statements this process sends: every MikroORM query, Kysely query and transaction
 * statement passes through the one Kysely instance (db/database.ts), whose log hook calls `count`.
 * Tests read it to prove the no-N+1 contract; /metrics exposes it as `csat_sql_statements_total`.
 */
export class StatementCounter {
  total = 0;
  /** Kysely's `log` option: one event per statement sent, whether it succeeded or failed. */
  readonly count = (_event: LogEvent): void => {
    this.total++;
  };
}

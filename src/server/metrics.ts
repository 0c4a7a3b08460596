import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import type { StatementCounter } from '../db/statement.counter.js';

export interface Metrics {
  registry: Registry;
  graphqlRequests: Counter;
  httpConnections: Counter;
}

/**
 * /metrics (Prometheus text, prom-client). `csat_sql_statements_total` ÷ `csat_graphql_requests_total` is
 * the no-N+1 contract, observable in production; the process's own metrics (CPU, memory, event loop) come with it.
 */
export function createMetrics(statements: StatementCounter): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Counter({
    name: 'csat_sql_statements_total',
    help: 'SQL statements sent to PostgreSQL (MikroORM and Kysely, transactions included)',
    registers: [registry],
    // Read at scrape time from the counter the database layer increments: nothing extra per statement.
    collect() {
      this.reset();
      this.inc(statements.total);
    },
  });
  return {
    registry,
    graphqlRequests: new Counter({ name: 'csat_graphql_requests_total', help: 'HTTP requests to /graphql', registers: [registry] }),
    httpConnections: new Counter({ name: 'csat_http_connections_total', help: 'TCP connections accepted', registers: [registry] }),
  };
}

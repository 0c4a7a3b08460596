import type { Config } from '../config/config.js';

/**
 * The URLs that must keep a session (session.probe.ts), each with the one line that refuses the start when one
 * does not: DATABASE_URL unless DB_POOL_MODE=transaction says it is a transaction pooler, the migrations' URL
 * (a session advisory lock), the webhook worker's (LISTEN, session advisory locks) when this process runs it.
 */
export function sessionNeeds(
  config: Pick<Config, 'databaseUrl' | 'pooling'>,
  urls: { migrationUrl?: string; workerUrl?: string },
): { url: string; problem: string }[] {
  const needs: { url: string; problem: string }[] = [];
  if (config.pooling.mode === 'session' && config.databaseUrl)
    needs.push({
      url: config.databaseUrl,
      problem:
        'DATABASE_URL goes through a transaction pooler (a LISTEN there did not hear a NOTIFY): set DB_POOL_MODE=transaction, and MIGRATION_DATABASE_URL and WORKER_DATABASE_URL to PostgreSQL directly (docs/deploy.md)',
    });
  if (urls.migrationUrl)
    needs.push({
      url: urls.migrationUrl,
      problem: 'MIGRATION_DATABASE_URL goes through a transaction pooler (a LISTEN there did not hear a NOTIFY): migrations hold a session advisory lock; point it at PostgreSQL directly',
    });
  if (urls.workerUrl)
    needs.push({
      url: urls.workerUrl,
      problem: 'WORKER_DATABASE_URL goes through a transaction pooler (a LISTEN there did not hear a NOTIFY): the webhook worker LISTENs and holds session advisory locks; point it at PostgreSQL directly',
    });
  return needs;
}

// `npm run migrate`: applies this subgraph's pending migrations to MIGRATION_DATABASE_URL, else DATABASE_URL (a release step, if you
// prefer it to the start's own), or to the embedded development database when DATABASE_URL is unset.
// First: refuses an older Node before any other module runs.
import '../src/config/node.version.js';
import { pino } from 'pino';
import { loadConfigOrExit } from '../src/config/config.exit.js';
import { migrate, openDatabase } from '../src/schema.database.js';
import { sessionNeeds } from '../src/db/session.needs.js';
import { assertSessionsKept } from '../src/db/session.probe.js';
import { StartupError } from '../src/errors/startup.error.js';
import { createLogger } from '../src/config/logger.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  const dev = config.databaseUrl ? undefined : await (await import('../dev/dev.database.js')).startDevDatabase(config, pino({ level: 'silent' }));
  try {
    const url = config.pooling.migrationUrl ?? config.databaseUrl ?? dev!.url;
    // A session advisory lock: never through a transaction pooler (one line, as the service's start).
    await assertSessionsKept(sessionNeeds({ databaseUrl: undefined, pooling: config.pooling }, { migrationUrl: url }));
    const db = await openDatabase(url, logger);
    try {
      const applied = await migrate(db.orm, logger);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'no pending migrations');
    } finally {
      await db.close();
    }
  } finally {
    await dev?.stop();
  }
}

main().catch((err: unknown) => {
  // As the service's start (src/main.ts): an expected failure is one line a person can act on, exit 1; anything else needs its stack.
  console.error(err instanceof StartupError ? err.message : err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});

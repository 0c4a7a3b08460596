// `npm run worker`: a job worker alone (webhook deliveries, comment-theme recounts), for services run with
// CSAT_WORKER=off (or for more delivery capacity). It shares the queue with every other worker on the same database.
// First: refuses an older Node before any other module runs.
import './config/node.version.js';
import { loadConfigOrExit } from './config/config.exit.js';
import { migrate, openDatabase } from './schema.database.js';
import { sessionNeeds } from './db/session.needs.js';
import { assertSessionsKept } from './db/session.probe.js';
import { StartupError } from './errors/startup.error.js';
import { createLogger } from './config/logger.js';
import { Ticket } from './ticket/ticket.entity.js';
import { startDeliveryWorker } from './webhooks/delivery/delivery.worker.js';
import { insightsTasks } from './insights/term-recount.task.js';
import { systemLookup } from './webhooks/url.guard.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.databaseUrl) {
    console.error('npm run worker needs DATABASE_URL: the database whose webhook deliveries it sends');
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  const migrationUrl = config.pooling.migrationUrl ?? config.databaseUrl;
  const workerUrl = config.pooling.workerUrl ?? config.databaseUrl;
  // LISTEN and session advisory locks (here) and the migrations' lock: not through a transaction pooler.
  await assertSessionsKept(sessionNeeds({ databaseUrl: undefined, pooling: config.pooling }, { migrationUrl, workerUrl }));
  // The same migrations as the service (under the same lock): a worker may start first.
  const setup = await openDatabase(migrationUrl, logger);
  try {
    // The wrong database (no helpdesk `ticket`) is refused before anything is created in it, as by the service.
    await setup.orm.em.fork().getRepository(Ticket).assertReadable();
    await migrate(setup.orm);
  } finally {
    await setup.close();
  }
  const worker = await startDeliveryWorker({ databaseUrl: workerUrl, config: config.webhooks, lookup: systemLookup, logger, tasks: insightsTasks });
  const stop = (signal: string) => {
    logger.info({ signal }, 'webhook worker stopping');
    worker.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'webhook worker stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err instanceof StartupError ? err.message : err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});

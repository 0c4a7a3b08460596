import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/config.js';
import { createLogger } from './server/logger.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const embedded = !config.databaseUrl;
  // The demo data exists only for the embedded development database; production never runs it.
  const demo = embedded ? await import('../dev/demo.seed.js') : undefined;
  let seeded: Awaited<ReturnType<NonNullable<typeof demo>['seedDemo']>> | undefined;

  const app = await createApp(config, logger, {
    beforeStart: demo
      ? async (db) => {
          seeded = await demo.seedDemo(db.orm);
        }
      : undefined,
  });

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down: draining requests');
    app
      .stop()
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  const url = await app.listen();
  logger.info({ url }, 'csat-subgraph listening');
  if (demo && seeded) process.stdout.write(await demo.demoBanner(url, seeded, config.auth));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

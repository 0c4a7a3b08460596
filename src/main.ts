// First: refuses an older Node before any other module runs.
import './config/node.version.js';
import { createApp } from './app.js';
import { ConfigError, type Config } from './config/config.js';
import { loadConfigOrExit } from './config/config.exit.js';
import { StartupError } from './errors/startup.error.js';
import { createLogger, type Logger } from './server/logger.js';

/** The embedded development database, from dev/: loaded only when DATABASE_URL is unset, which production refuses (config.ts). */
async function startDevDatabase(config: Config, logger: Logger) {
  const { startDevDatabase } = await import('../dev/dev.database.js');
  return startDevDatabase(config, logger);
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  const dev = config.databaseUrl ? undefined : await startDevDatabase(config, logger);

  let app;
  try {
    app = await createApp({ ...config, databaseUrl: config.databaseUrl ?? dev!.url }, logger, { prepare: dev?.prepare, beforeStart: dev?.seed });
  } catch (err) {
    await dev?.stop();
    throw err;
  }

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down: draining requests');
    // SIGTERM comes from an orchestrator, whose load balancer needs a moment to stop sending (SHUTDOWN_DELAY_MS);
    // SIGINT is someone at a terminal: no delay.
    app
      .stop(signal === 'SIGTERM' ? config.timeouts.shutdownDelayMs : 0)
      .then(() => dev?.stop())
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

  let url: string;
  try {
    url = await app.listen();
  } catch (err) {
    await app.stop();
    await dev?.stop();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new StartupError(`${config.host}:${config.port} is already in use: set PORT to a free port (PORT=0 picks one)`);
    }
    throw err;
  }
  logger.info({ url }, 'csat-subgraph listening');
  if (dev) process.stdout.write(await dev.banner(url));
}

main().catch((err: unknown) => {
  // An expected failure is one line a person can act on; anything else needs its stack.
  console.error(err instanceof StartupError || err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});

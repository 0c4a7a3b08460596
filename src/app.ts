import { createTokenVerifier } from './auth/token.verifier.js';
import type { Config } from './config/config.js';
import { migrate, openDatabase, type Database } from './db/database.js';
import { buildCsatSubgraphSchema } from './federation/subgraph.schema.js';
import { createContextFactory, createSharedState } from './server/context.js';
import { createHttpServer, type CsatHttpServer } from './server/http.server.js';
import type { Logger } from './server/logger.js';
import { createMetrics } from './server/metrics.js';
import { Ticket } from './ticket/ticket.entity.js';
import { startDeliveryWorker, type DeliveryWorker } from './webhooks/delivery.worker.js';
import { systemLookup, type HostLookup } from './webhooks/url.guard.js';

export interface App {
  db: Database;
  http: CsatHttpServer;
  /** Resolves with the GraphQL URL once listening. */
  listen(): Promise<string>;
  /** Drains HTTP (after `drainDelayMs` of readiness 503 with the listener open: SIGTERM's SHUTDOWN_DELAY_MS), then closes the pool. Safe to call twice. */
  stop(drainDelayMs?: number): Promise<void>;
}

export interface AppHooks {
  /** Runs before the ticket relation check and the migrations (the dev database applies the relation here). */
  prepare?: (db: Database) => Promise<void>;
  /** Runs after the migrations (the dev seed adds its demo data here). */
  beforeStart?: (db: Database) => Promise<void>;
  /** How webhook hosts resolve (tests make names resolve where they need them); default: DNS. */
  lookup?: HostLookup;
}

/** Database, migrations, schema, HTTP: everything `npm start` runs, without the process concerns. */
export async function createApp(config: Config & { databaseUrl: string }, logger: Logger, hooks: AppHooks = {}): Promise<App> {
  // Migrations (and the dev seed) on a connection of their own, without the request timeouts: a migration
  // may rightly take longer than any request.
  const setup = await openDatabase(config.databaseUrl, logger);
  try {
    await hooks.prepare?.(setup);
    // A database without the helpdesk's `ticket` is the wrong one: refused before anything is created in it.
    await setup.orm.em.fork().getRepository(Ticket).assertReadable();
    const applied = await migrate(setup.orm, logger);
    if (applied.length) logger.info({ applied }, 'migrations applied');
    await hooks.beforeStart?.(setup);
  } finally {
    await setup.close();
  }

  const db = await openDatabase(config.databaseUrl, logger, config.timeouts);
  let http: CsatHttpServer;
  let worker: DeliveryWorker | undefined;
  const lookup = hooks.lookup ?? systemLookup;
  try {
    const { schema } = await buildCsatSubgraphSchema();
    http = await createHttpServer({
      schema,
      config,
      logger,
      createContext: createContextFactory(db.orm, createTokenVerifier(config.auth), createSharedState({ allowLoopback: config.webhooks.allowLoopback, lookup })),
      ready: () => db.ping(),
      onGraceExpired: () => db.cancelRunning(),
      metrics: createMetrics(db.statements),
      faults: db.faults,
    });
    // CSAT_WORKER=off: deliveries are left to `npm run worker` processes elsewhere.
    if (config.webhooks.worker) worker = await startDeliveryWorker({ databaseUrl: config.databaseUrl, config: config.webhooks, lookup, logger });
  } catch (err) {
    await db.close();
    throw err;
  }

  let stopping: Promise<void> | undefined;
  return {
    db,
    http,
    listen: () => http.listen(config.port, config.host),
    stop: (drainDelayMs = 0) =>
      (stopping ??= (async () => {
        await http.stop(drainDelayMs);
        await worker?.stop();
        await db.close();
      })()),
  };
}

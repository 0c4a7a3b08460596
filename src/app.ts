import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken, createTokenVerifier, type TokenVerifier } from './auth/token.verifier.js';
import { BadgeCache } from './badge/badge.cache.js';
import type { CsatBadge } from './badge/badge.type.js';
import type { Config } from './config/config.js';
import type { Logger } from './config/logger.js';
import { migrate, openDatabase, type Database } from './schema.database.js';
import { sessionNeeds } from './db/session.needs.js';
import { assertSessionsKept } from './db/session.probe.js';
import { CsatRating } from './rating/rating.entity.js';
import type { GraphQLContext } from './server/graphql.context.js';
import { createHttpServer, type CsatHttpServer } from './server/http.server.js';
import { createMetrics } from './server/metrics.js';
import { buildCsatSubgraphSchema } from './server/subgraph.schema.js';
import { createTicketCsatLoader } from './ticket/ticket-csat.loader.js';
import { createFollowUpLoader } from './followup/followup.loader.js';
import { Ticket } from './ticket/ticket.entity.js';
import { createLinkSigner } from './rating-links/link.token.js';
import { startDeliveryWorker, type DeliveryWorker } from './webhooks/delivery/delivery.worker.js';
import { insightsTasks } from './insights/term-recount.task.js';
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

/** Each GraphQL request's context (context/request.context.ts): its viewer, its own EntityManager fork, its loaders. */
function requestContext(orm: MikroORM, verifier: TokenVerifier) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<GraphQLContext> => {
    const token = bearerToken(request.headers.authorization);
    const viewer = token === null ? null : await verifier.verify(token);
    // A fork per request: its repositories and the loaders' caches live exactly one request.
    const em = orm.em.fork();
    return { requestId: request.id, viewer, em, loaders: { ticketCsat: createTicketCsatLoader(em.getRepository(CsatRating), viewer), followUp: createFollowUpLoader(em, viewer) }, log: request.log, response: reply.raw };
  };
}

/** Database, migrations, schema, HTTP: everything `npm start` runs, without the process concerns. */
export async function createApp(config: Config & { databaseUrl: string }, logger: Logger, hooks: AppHooks = {}): Promise<App> {
  const migrationUrl = config.pooling.migrationUrl ?? config.databaseUrl;
  const workerUrl = config.pooling.workerUrl ?? config.databaseUrl;
  // What needs a session (the migrations' lock, the worker's LISTEN) must not go through a transaction pooler.
  await assertSessionsKept(sessionNeeds(config, { migrationUrl, workerUrl: config.webhooks.worker ? workerUrl : undefined }));
  // Migrations (and the dev seed) on a connection of their own, without the request timeouts: a migration
  // may rightly take longer than any request.
  const setup = await openDatabase(migrationUrl, logger);
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

  const db = await openDatabase(config.databaseUrl, logger, config.timeouts, { poolMode: config.pooling.mode, preparedStatements: config.pooling.preparedStatements }, config.replicas);
  let http: CsatHttpServer;
  let worker: DeliveryWorker | undefined;
  /** The listener's origin, once it listens. */
  let listening: string | undefined;
  const lookup = hooks.lookup ?? systemLookup;
  try {
    const signer = createLinkSigner(config.ratingLinks);
    // PUBLIC_URL, else (outside production: the config requires it there) this listener's own address once it listens.
    const publicUrl = () => config.ratingLinks.publicUrl ?? listening ?? `http://${config.host}:${config.port}`;
    const ratingLinks = { signer, publicUrl };
    const { schema } = await buildCsatSubgraphSchema({ badges: new BadgeCache<CsatBadge | null>(), webhooks: { allowLoopback: config.webhooks.allowLoopback, lookup }, ratingLinks });
    http = await createHttpServer({
      schema,
      config,
      logger,
      createContext: requestContext(db.orm, createTokenVerifier(config.auth)),
      ready: () => db.ping(),
      onGraceExpired: () => db.cancelRunning(),
      metrics: createMetrics(db.statements),
      faults: db.faults,
      ratingLinks: { ...ratingLinks, em: () => db.orm.em.fork(), perIpPerMinute: config.ratingLinks.perIpPerMinute, perTokenPerMinute: config.ratingLinks.perTokenPerMinute },
    });
    // CSAT_WORKER=off: deliveries and comment-theme recounts are left to `npm run worker` processes elsewhere.
    if (config.webhooks.worker) worker = await startDeliveryWorker({ databaseUrl: workerUrl, config: config.webhooks, lookup, logger, tasks: insightsTasks });
  } catch (err) {
    await db.close();
    throw err;
  }

  let stopping: Promise<void> | undefined;
  return {
    db,
    http,
    listen: async () => {
      const url = await http.listen(config.port, config.host);
      listening = new URL(url).origin;
      return url;
    },
    stop: (drainDelayMs = 0) =>
      (stopping ??= (async () => {
        await http.stop(drainDelayMs);
        await worker?.stop();
        await db.close();
      })()),
  };
}

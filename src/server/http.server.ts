import type { GraphQLSchema } from 'graphql';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import type { FaultLog } from '../db/fault.log.js';
import { createApolloServer } from './apollo.server.js';
import { KEEP_ALIVE_TIMEOUT_MS } from './keep.alive.js';
import type { GraphQLContext } from './graphql.context.js';
import type { Metrics } from './metrics.js';
import { baseHeaders } from './plugins/base.headers.plugin.js';
import { clientErrorHandler } from './plugins/client.error.js';
import { drainPlugin } from './plugins/drain.plugin.js';
import { errorHandler } from './plugins/error.handler.plugin.js';
import { graphqlRoute } from './plugins/graphql.route.plugin.js';
import { health } from './plugins/health.plugin.js';
import { jsonBody } from './plugins/json.body.plugin.js';
import { loadShedding } from './plugins/load.shedding.plugin.js';
import { metricsRoute } from './plugins/metrics.plugin.js';
import { RequestLog } from './request.log.js';
import { ratingLinkRoutes, type LinkRouteOptions } from '../rating-links/link.route.plugin.js';

const REQUEST_ID_RE = /^[\w\-.:]{1,128}$/;

export interface HttpServerDeps {
  schema: GraphQLSchema;
  config: Pick<Config, 'production' | 'limits' | 'timeouts' | 'pressure' | 'metricsPort' | 'serviceSdl' | 'host'>;
  logger: Logger;
  createContext: (request: FastifyRequest, reply: FastifyReply) => Promise<GraphQLContext>;
  /** /readyz: resolves true when the database answers (within about a second). */
  ready: () => Promise<boolean>;
  /** The drain's grace is over: cancel what the database still runs for requests that are about to be cut. */
  onGraceExpired: () => Promise<void>;
  metrics: Metrics;
  /** Where database faults are logged, once a second at most. */
  faults?: FaultLog;
  /** GET and POST /rate/<token> (rating-links/); without it, no rating pages. */
  ratingLinks?: LinkRouteOptions;
}

export interface CsatHttpServer {
  fastify: FastifyInstance;
  /** Resolves with the GraphQL URL once listening (and /metrics on METRICS_PORT, when set). */
  listen(port: number, host: string): Promise<string>;
  /** The metrics listener's URL, when METRICS_PORT is set. */
  metricsUrl?: string;
  /** The drain (plugins/drain.plugin.ts), then the metrics listener closes. */
  stop(delayMs?: number): Promise<void>;
}

function urlOf(fastify: FastifyInstance, path: string): string {
  const address = fastify.server.address();
  if (!address || typeof address === 'string') throw new Error(`unexpected listen address ${String(address)}`);
  const h = address.address.includes(':') ? `[${address.address}]` : address.address;
  return `http://${h}:${address.port}${path}`;
}

/** Fastify's options of both listeners: our log lines, and the request id. */
function fastifyOptions(logger: Logger) {
  return {
    loggerInstance: logger as FastifyBaseLogger,
    logController: new RequestLog(),
    // A gateway's id is kept when it is sane (it then joins this service's logs to the gateway's); else a fresh one.
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
    },
  };
}

/** The public listener (GraphQL, probes, and /metrics outside production) and, with METRICS_PORT, a metrics listener: Fastify plugins, each its own file. */
export async function createHttpServer(deps: HttpServerDeps): Promise<CsatHttpServer> {
  const { logger, metrics, config } = deps;
  const fastify = Fastify({
    ...fastifyOptions(logger),
    // Requests on kept-alive sockets once the listener has closed are the drain plugin's to answer.
    return503OnClosing: false,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    bodyLimit: config.limits.bodyBytes,
    // A rating link's token is one path parameter of about 400 characters (rating-links/link.token.ts).
    routerOptions: { maxParamLength: 1024 },
    clientErrorHandler: clientErrorHandler(logger),
  });
  fastify.server.on('connection', () => metrics.httpConnections.inc());
  await fastify.register(baseHeaders);
  await fastify.register(drainPlugin, { graceMs: config.timeouts.shutdownGraceMs, onGraceExpired: deps.onGraceExpired });
  await fastify.register(jsonBody);
  await fastify.register(errorHandler, { bodyBytes: config.limits.bodyBytes });
  await fastify.register(loadShedding, config.pressure);

  const apollo = createApolloServer(deps);
  await apollo.start();
  await fastify.register(graphqlRoute, { apollo, createContext: deps.createContext, requestMs: config.timeouts.requestMs, onRequest: () => metrics.graphqlRequests.inc() });
  await fastify.register(health, { ready: deps.ready });
  if (deps.ratingLinks) await fastify.register(ratingLinkRoutes, deps.ratingLinks);

  // /metrics: on its own port when METRICS_PORT is set (keep that port private); else on this listener,
  // outside production only (it tells anyone the request and error rates).
  let metricsServer: FastifyInstance | undefined;
  if (config.metricsPort !== undefined) {
    metricsServer = Fastify(fastifyOptions(logger));
    await metricsServer.register(baseHeaders);
    await metricsServer.register(metricsRoute, { metrics });
  } else if (!config.production) {
    await fastify.register(metricsRoute, { metrics });
  }

  let stopping: Promise<void> | undefined;
  const server: CsatHttpServer = {
    fastify,
    async listen(port, host) {
      await fastify.listen({ port, host });
      if (metricsServer) {
        await metricsServer.listen({ port: config.metricsPort!, host });
        server.metricsUrl = urlOf(metricsServer, '/metrics');
      }
      return urlOf(fastify, '/graphql');
    },
    stop: (delayMs = 0) =>
      (stopping ??= (async () => {
        try {
          await fastify.drain.stop(delayMs);
        } finally {
          await metricsServer?.close();
        }
      })()),
  };
  return server;
}

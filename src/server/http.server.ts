import { ApolloServer } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import { domainErrorOf, toGraphQLError } from '../errors/error.formatter.js';
import { createApolloServer } from './apollo.server.js';
import type { RequestContext } from './context.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { RequestLog } from './request.log.js';

/** A page of 5000 representations is ~300 KB; anything far beyond that is not a CSAT request. */
export const BODY_LIMIT_BYTES = 4 * 1024 * 1024;
/** How long stop() waits for in-flight requests before it closes their connections. */
const DRAIN_GRACE_MS = 10_000;
const REQUEST_ID_RE = /^[\w\-.:]{1,128}$/;

export interface HttpServerDeps {
  schema: GraphQLSchema;
  production: boolean;
  logger: Logger;
  createContext: (request: FastifyRequest) => Promise<RequestContext>;
  /** /readyz: resolves true when the database answers. */
  ready: () => Promise<boolean>;
  metrics: Metrics;
}

export interface CsatHttpServer {
  fastify: FastifyInstance;
  apollo: ApolloServer<RequestContext>;
  /** Resolves with the GraphQL URL once listening. */
  listen(port: number, host: string): Promise<string>;
  /** Stops accepting, answers 503 on kept-alive sockets, drains in-flight requests (up to the grace), then stops Apollo. */
  stop(): Promise<void>;
}

/** Errors the HTTP layer answers itself (bad JSON, too large, wrong content type), in the GraphQL error shape. */
function httpError(message: string, code = 'BAD_REQUEST') {
  return { errors: [{ message, extensions: { code } }] };
}

export async function createHttpServer(deps: HttpServerDeps): Promise<CsatHttpServer> {
  const { logger, metrics } = deps;
  let draining = false;

  const fastify = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new RequestLog(),
    // A gateway's id is kept when it is sane (it then joins this service's logs to the gateway's); else a fresh one.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
    },
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: true,
  });
  fastify.server.on('connection', () => metrics.httpConnections.inc());

  // Every answer carries the request id, errors and health routes included.
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });

  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status < 500) {
      request.log.debug({ code: error.code, msg: error.message }, 'request refused');
      const message = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'request body too large' : error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError ? 'request body is not valid JSON' : error.message;
      return reply.code(status).send(httpError(message));
    }
    request.log.error({ err: error }, 'unhandled request error');
    return reply.code(500).send(httpError('Internal server error', 'INTERNAL_SERVER_ERROR'));
  });
  fastify.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not found' }));

  const apollo = createApolloServer(deps);
  await apollo.start();
  fastify.addHook('onClose', () => apollo.stop());

  const graphql = fastifyApolloHandler<RequestContext>(apollo, {
    context: async (request) => {
      try {
        return await deps.createContext(request);
      } catch (err) {
        const domain = domainErrorOf(err);
        if (domain) throw toGraphQLError(domain);
        // Apollo masks it for the client (formatError) but does not pass it to didEncounterErrors.
        request.log.error({ err }, 'request context failed');
        throw err;
      }
    },
  });
  fastify.route({
    method: ['GET', 'POST'],
    url: '/graphql',
    onRequest: (_request, _reply, done) => {
      metrics.graphqlRequests.inc();
      done();
    },
    handler: graphql,
  });
  fastify.get('/healthz', async () => ({ status: 'ok' }));
  fastify.get('/readyz', async (_request, reply) => {
    const ok = !draining && (await deps.ready().catch(() => false));
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : draining ? 'draining' : 'database unreachable' });
  });
  fastify.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));

  let stopping: Promise<void> | undefined;
  return {
    fastify,
    apollo,
    async listen(port, host) {
      await fastify.listen({ port, host });
      const address = fastify.server.address();
      if (!address || typeof address === 'string') throw new Error(`unexpected listen address ${String(address)}`);
      const h = address.address.includes(':') ? `[${address.address}]` : address.address;
      return `http://${h}:${address.port}/graphql`;
    },
    stop: () =>
      (stopping ??= (async () => {
        draining = true;
        // server.close() reaps the sockets idle at that moment; a kept-alive socket whose request finishes
        // later would hold the close until its keep-alive timeout, so reap those as they become idle.
        const reap = setInterval(() => fastify.server.closeIdleConnections(), 100);
        // Past the grace, requests still running lose their connection rather than holding the stop forever.
        const force = setTimeout(() => fastify.server.closeAllConnections(), DRAIN_GRACE_MS);
        try {
          await fastify.close();
        } finally {
          clearInterval(reap);
          clearTimeout(force);
        }
      })()),
  };
}

import { ApolloServer } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.js';
import type { FaultLog } from '../db/fault.log.js';
import { domainErrorOf, toGraphQLError } from '../errors/error.formatter.js';
import { createApolloServer } from './apollo.server.js';
import type { RequestContext } from './context.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { RequestLog } from './request.log.js';

const REQUEST_ID_RE = /^[\w\-.:]{1,128}$/;

export interface HttpServerDeps {
  schema: GraphQLSchema;
  config: Pick<Config, 'production' | 'limits' | 'timeouts' | 'metricsPort' | 'serviceSdl' | 'host'>;
  logger: Logger;
  createContext: (request: FastifyRequest) => Promise<RequestContext>;
  /** /readyz: resolves true when the database answers (within about a second). */
  ready: () => Promise<boolean>;
  /** The drain's grace is over: cancel what the database still runs for requests that are about to be cut. */
  onGraceExpired: () => Promise<void>;
  metrics: Metrics;
  /** Where database faults are logged, once a second at most. */
  faults?: FaultLog;
}

export interface CsatHttpServer {
  fastify: FastifyInstance;
  apollo: ApolloServer<RequestContext>;
  /** Resolves with the GraphQL URL once listening (and /metrics on METRICS_PORT, when set). */
  listen(port: number, host: string): Promise<string>;
  /** The metrics listener's URL, when METRICS_PORT is set. */
  metricsUrl?: string;
  /** Stops accepting, answers 503 on kept-alive sockets, drains in-flight requests (up to the grace), then stops Apollo. */
  stop(): Promise<void>;
}

/** Errors the HTTP layer answers itself (bad JSON, too large, wrong content type), in the GraphQL error shape. */
function httpError(message: string, code = 'BAD_REQUEST') {
  return { errors: [{ message, extensions: { code } }] };
}

/** Every answer: the request id; no content sniffing. */
function baseHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id).header('x-content-type-options', 'nosniff');
    done();
  });
}

function urlOf(fastify: FastifyInstance, path: string): string {
  const address = fastify.server.address();
  if (!address || typeof address === 'string') throw new Error(`unexpected listen address ${String(address)}`);
  const h = address.address.includes(':') ? `[${address.address}]` : address.address;
  return `http://${h}:${address.port}${path}`;
}

export async function createHttpServer(deps: HttpServerDeps): Promise<CsatHttpServer> {
  const { logger, metrics, config } = deps;
  let draining = false;
  const options = {
    loggerInstance: logger as FastifyBaseLogger,
    logController: new RequestLog(),
    // A gateway's id is kept when it is sane (it then joins this service's logs to the gateway's); else a fresh one.
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
  };
  const fastify = Fastify({ ...options, bodyLimit: config.limits.bodyBytes });
  fastify.server.on('connection', () => metrics.httpConnections.inc());
  baseHeaders(fastify);


  // JSON bodies must be UTF-8: a decoder would turn other bytes into U+FFFD, and that would be stored.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    if (!isUtf8(body)) return done(Object.assign(new Error('request body is not valid UTF-8'), { statusCode: 400, code: 'CSAT_INVALID_UTF8' }), undefined);
    parseJson(request, body.toString('utf8'), done);
  });

  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status < 500) {
      request.log.debug({ code: error.code, msg: error.message }, 'request refused');
      const message =
        error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? `request body too large (at most ${config.limits.bodyBytes} bytes)`
          : error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
            ? 'request body is not valid JSON'
            : error.message;
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
  // The request deadline: past it the client gets 503 SERVICE_UNAVAILABLE (retryable). Not Fastify's own
  // handlerTimeout: it aborts an AbortController at the end of every request, and the DOMException that
  // creates costs ~29 µs, a tenth of this service's CPU per `_entities` page.
  const deadlines = new WeakMap<FastifyRequest, NodeJS.Timeout>();
  const onDeadline = (request: FastifyRequest, reply: FastifyReply) => {
    if (reply.sent) return;
    request.log.warn({ ms: config.timeouts.requestMs }, 'request deadline passed');
    void reply.code(503).header('retry-after', '1').send(httpError('the request took too long; retry', 'SERVICE_UNAVAILABLE'));
  };
  fastify.route({
    method: ['GET', 'POST'],
    url: '/graphql',
    onRequest: (request, reply, done) => {
      metrics.graphqlRequests.inc();
      // Answers carry customer comments: no cache may keep them.
      reply.header('cache-control', 'no-store');
      deadlines.set(request, setTimeout(onDeadline, config.timeouts.requestMs, request, reply));
      done();
    },
    onResponse: (request, _reply, done) => {
      clearTimeout(deadlines.get(request));
      done();
    },
    handler: async (request, reply) => {
      const body = await graphql.call(fastify, request as Parameters<typeof graphql>[0], reply as Parameters<typeof graphql>[1]);
      // A client that hung up before its answer is the client's business: debug, never an error.
      if (request.raw.socket?.destroyed) request.log.debug({ method: request.method, path: request.url }, 'client went away before the answer was sent');
      // Answered already (the deadline): returning the reply tells Fastify not to send again.
      return reply.sent ? reply : body;
    },
  });
  fastify.get('/healthz', async () => ({ status: 'ok' }));
  fastify.get('/readyz', async (_request, reply) => {
    const ok = !draining && (await deps.ready());
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : draining ? 'draining' : 'database unreachable' });
  });

  // /metrics: on its own port when METRICS_PORT is set (keep that port private); else on this listener,
  // outside production only (it tells anyone the request and error rates).
  const serveMetrics = async (_request: FastifyRequest, reply: { type(t: string): { send(b: string): unknown } }) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  let metricsServer: FastifyInstance | undefined;
  if (config.metricsPort !== undefined) {
    metricsServer = Fastify(options);
    baseHeaders(metricsServer);
    metricsServer.get('/metrics', serveMetrics);
  } else if (!config.production) {
    fastify.get('/metrics', serveMetrics);
  }

  let stopping: Promise<void> | undefined;
  const server: CsatHttpServer = {
    fastify,
    apollo,
    async listen(port, host) {
      await fastify.listen({ port, host });
      if (metricsServer) {
        await metricsServer.listen({ port: config.metricsPort!, host });
        server.metricsUrl = urlOf(metricsServer, '/metrics');
      }
      return urlOf(fastify, '/graphql');
    },
    stop: () =>
      (stopping ??= (async () => {
        draining = true;
        // server.close() reaps the sockets idle at that moment; a kept-alive socket whose request finishes
        // later would hold the close until its keep-alive timeout, so reap those as they become idle.
        const reap = setInterval(() => fastify.server.closeIdleConnections(), 100);
        // Past the grace, statements still running are cancelled (so none commits after its client was cut
        // off), then the connections close.
        const force = setTimeout(() => {
          void deps.onGraceExpired().finally(() => fastify.server.closeAllConnections());
        }, config.timeouts.shutdownGraceMs);
        try {
          await fastify.close();
          await metricsServer?.close();
        } finally {
          clearInterval(reap);
          clearTimeout(force);
        }
      })()),
  };
  return server;
}

import { ApolloServer } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import underPressure from '@fastify/under-pressure';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { maxHeaderSize } from 'node:http';
import secureJson from 'secure-json-parse';
import type { Socket } from 'node:net';
import type { Config } from '../config/config.js';
import type { FaultLog } from '../db/fault.log.js';
import { domainErrorOf, toGraphQLError } from '../errors/error.formatter.js';
import { createApolloServer } from './apollo.server.js';
import type { GraphQLContext } from './graphql.context.js';
import type { Logger } from '../config/logger.js';
import type { Metrics } from './metrics.js';
import { lingerOnBody, lingerThenClose } from './linger.js';
import { RequestLog } from './request.log.js';

const REQUEST_ID_RE = /^[\w\-.:]{1,128}$/;
/** secure-json-parse's refusal of a `__proto__` (or `constructor.prototype`) key: valid JSON, refused for safety. */
const PROTO_POISONING = /^Object contains forbidden prototype property$/;
const JSON_SAFETY = { protoAction: 'error', constructorAction: 'error' } as const;
/** How often /graphql's load (heap, RSS, event-loop delay) is sampled. */
const PRESSURE_SAMPLE_MS = 500;

/** Serving; draining (after SIGTERM: readiness 503, every answer `connection: close`, the listener still open); closed (the listener shut, in-flight requests finishing). */
type Phase = 'serving' | 'draining' | 'closed';

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
}

export interface CsatHttpServer {
  fastify: FastifyInstance;
  apollo: ApolloServer<GraphQLContext>;
  /** Resolves with the GraphQL URL once listening (and /metrics on METRICS_PORT, when set). */
  listen(port: number, host: string): Promise<string>;
  /** The metrics listener's URL, when METRICS_PORT is set. */
  metricsUrl?: string;
  /**
   * Readiness turns 503 and every answer carries `connection: close` for `delayMs` (the time a load balancer
   * needs to stop sending; the listener stays open), then the listener and idle sockets close, requests on
   * kept-alive sockets get 503, in-flight ones finish (up to the grace), and Apollo stops.
   */
  stop(delayMs?: number): Promise<void>;
}

/** Errors the HTTP layer answers itself (bad JSON, too large, wrong content type, overload), in the GraphQL error shape. */
function httpError(message: string, code = 'BAD_REQUEST') {
  return { errors: [{ message, extensions: code === 'SERVICE_UNAVAILABLE' ? { code, retryable: true } : { code } }] };
}

/** A refusal written on the socket itself: the request was too malformed for Fastify to see (headers too large, a broken request line). */
function clientErrorAnswer(status: number, reason: string, message: string, requestId: string): string {
  const body = JSON.stringify(httpError(message));
  return (
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
    `x-request-id: ${requestId}\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n${body}`
  );
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
  let phase: Phase = 'serving';
  const options = {
    loggerInstance: logger as FastifyBaseLogger,
    logController: new RequestLog(),
    // A gateway's id is kept when it is sane (it then joins this service's logs to the gateway's); else a fresh one.
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
    },
  };
  // Requests on kept-alive sockets once the listener has closed are answered below, in the GraphQL shape.
  const fastify = Fastify({ ...options, return503OnClosing: false, bodyLimit: config.limits.bodyBytes, clientErrorHandler: onClientError });
  fastify.server.on('connection', () => metrics.httpConnections.inc());
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id).header('x-content-type-options', 'nosniff');
    if (phase !== 'serving') {
      // Draining: the client opens its next connection elsewhere (or here, while the listener is still open).
      reply.header('connection', 'close');
      if (phase === 'closed') {
        void reply.code(503).header('retry-after', '1').send(httpError('the service is shutting down; retry', 'SERVICE_UNAVAILABLE'));
        return;
      }
    }
    done();
  });

  /**
   * Node calls this for what never became a request: headers over its limit (431), a malformed request line
   * (400), a header timeout (408). The answer is ours (GraphQL shape, a request id); then the socket lingers,
   * reading what the client still sends, so that it reads the answer rather than a reset.
   */
  function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    if (err.code === 'ECONNRESET' || socket.destroyed || socket.writableEnded) return;
    const requestId = randomUUID();
    const [status, reason, message] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', `request headers too large (at most ${maxHeaderSize} bytes in all)`]
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', 'the request was not received in time']
          : [400, 'Bad Request', 'malformed HTTP request'];
    logger.debug({ requestId, code: err.code, status }, 'malformed request refused');
    lingerThenClose(socket, clientErrorAnswer(status, reason, message, requestId));
  }


  // JSON bodies must be UTF-8: a decoder would turn other bytes into U+FFFD, and that would be stored.
  // Fastify's own parser (secure-json-parse underneath) calls a `__proto__` key invalid JSON; this one says what it is.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    if (!isUtf8(body)) return done(Object.assign(new Error('request body is not valid UTF-8'), { statusCode: 400, code: 'CSAT_INVALID_UTF8' }), undefined);
    if (body.length === 0) return parseJson(request, '', done); // Fastify's refusal of an empty body
    let value: unknown;
    try {
      value = secureJson.parse(body.toString('utf8'), undefined, JSON_SAFETY);
    } catch (err) {
      const poisoned = err instanceof SyntaxError && PROTO_POISONING.test(err.message);
      return done(Object.assign(new Error(poisoned ? 'forbidden key' : 'invalid JSON'), { statusCode: 400, code: poisoned ? 'CSAT_FORBIDDEN_KEY' : 'FST_ERR_CTP_INVALID_JSON_BODY' }), undefined);
    }
    done(null, value);
  });

  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status < 500) {
      request.log.debug({ code: error.code, msg: error.message }, 'request refused');
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' && phase === 'serving') {
        // Fastify would close the connection under a client still sending, which then sees EPIPE or a reset,
        // never this 413: read and discard the rest instead (bounded), and keep the connection.
        reply.removeHeader('connection');
        lingerOnBody(request.raw);
      }
      const message =
        error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? `request body too large (at most ${config.limits.bodyBytes} bytes)`
          : error.code === 'CSAT_FORBIDDEN_KEY'
            ? 'request body has a "__proto__" key (or "constructor" with "prototype"): valid JSON, refused for safety'
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

  const graphql = fastifyApolloHandler<GraphQLContext>(apollo, {
    context: async (request, reply) => {
      try {
        return await deps.createContext(request, reply);
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
    if (phase !== 'serving') reply.header('connection', 'close');
    void reply.code(503).header('retry-after', '1').send(httpError('the request took too long; retry', 'SERVICE_UNAVAILABLE'));
  };

  // Load shedding on /graphql: @fastify/under-pressure samples heap, RSS and event-loop delay (every 500 ms)
  // in a scope of its own without routes, and /graphql's own onRequest asks it (its hook would run, and
  // allocate, on every request). The probes never shed: liveness (/healthz) must not fail because the process
  // is busy (Kubernetes would kill it and move its load to the others); readiness (/readyz) reports the
  // pressure, which takes the pod out of rotation until a sample finds it below the thresholds again.
  let pressure!: Pick<FastifyInstance, 'isUnderPressure' | 'memoryUsage'>;
  await fastify.register(async (sampler) => {
    await sampler.register(underPressure, {
      sampleInterval: PRESSURE_SAMPLE_MS,
      maxEventLoopDelay: config.pressure.maxEventLoopDelayMs,
      maxHeapUsedBytes: config.pressure.maxHeapUsedBytes,
      maxRssBytes: config.pressure.maxRssBytes,
    });
    pressure = sampler;
  });
  let shed = 0;
  let shedLoggedAt = 0;
  const shedRequest = (request: FastifyRequest, reply: FastifyReply) => {
    // One warn line a second at most, with how many requests were shed since the last.
    shed++;
    if (Date.now() - shedLoggedAt >= 1000) {
      const { eventLoopDelay, heapUsed, rssBytes } = pressure.memoryUsage();
      const { maxEventLoopDelayMs, maxHeapUsedBytes } = config.pressure;
      const type = maxEventLoopDelayMs && eventLoopDelay > maxEventLoopDelayMs ? 'eventLoopDelay' : maxHeapUsedBytes && heapUsed > maxHeapUsedBytes ? 'heapUsedBytes' : 'rssBytes';
      request.log.warn({ type, eventLoopDelay: Math.round(eventLoopDelay), heapUsed, rssBytes, shed }, 'under pressure: shedding requests');
      shedLoggedAt = Date.now();
      shed = 0;
    }
    void reply.code(503).header('retry-after', '1').send(httpError('the service is overloaded; retry', 'SERVICE_UNAVAILABLE'));
  };
  fastify.route({
    method: ['GET', 'POST'],
    url: '/graphql',
    onRequest: (request, reply, done) => {
      metrics.graphqlRequests.inc();
      // Answers carry customer comments: no cache may keep them.
      reply.header('cache-control', 'no-store');
      if (pressure.isUnderPressure()) return shedRequest(request, reply);
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
      // Draining began while it ran: this socket's next request goes elsewhere.
      if (phase !== 'serving') reply.header('connection', 'close');
      // Answered already (the deadline): returning the reply tells Fastify not to send again.
      return reply.sent ? reply : body;
    },
  });
  fastify.get('/healthz', async () => ({ status: 'ok' }));
  fastify.get('/readyz', async (_request, reply) => {
    const status = phase !== 'serving' ? 'draining' : pressure.isUnderPressure() ? 'under pressure' : (await deps.ready()) ? 'ready' : 'database unreachable';
    return reply.code(status === 'ready' ? 200 : 503).send({ status });
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
    stop: (delayMs = 0) =>
      (stopping ??= (async () => {
        phase = 'draining';
        if (delayMs > 0) {
          logger.info({ delayMs }, 'draining: readiness 503, answers close their connections; the listener closes after the delay');
          await new Promise((resolve) => setTimeout(resolve, delayMs));
        }
        phase = 'closed';
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

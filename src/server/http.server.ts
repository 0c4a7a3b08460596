import { ApolloServer, HeaderMap, type GraphQLRequestListener } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { GraphQLSchema } from 'graphql';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { domainErrorOf, formatError, isClientSafe, toGraphQLError } from '../errors/error.formatter.js';
import type { RequestContext } from './context.js';
import type { Logger } from './logger.js';

/** A page of 5000 representations is ~300 KB; anything far beyond that is not a CSAT request. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const REQUEST_ID_RE = /^[\w\-.:]{1,128}$/;

export interface HttpServerDeps {
  schema: GraphQLSchema;
  production: boolean;
  logger: Logger;
  createContext: (req: IncomingMessage, requestId: string, log: Logger) => Promise<RequestContext>;
  /** /readyz: resolves true when the database answers. */
  ready: () => Promise<boolean>;
  /** Extra lines for /metrics (Prometheus text). */
  metrics: () => string;
}

export interface CsatHttpServer {
  server: Server;
  apollo: ApolloServer<RequestContext>;
  /** Stops accepting, drains in-flight requests, then resolves. */
  stop(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        // Discard the rest rather than destroy the socket: a reset would reach the client before the 413.
        chunks.length = 0;
        reject(new HttpError(413, 'request body too large'));
      } else chunks.push(c);
    });
    // A request body is usually one chunk: no copy then.
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    // An oversized body is not read to its end: close the connection instead of keeping it alive.
    ...(status === 413 ? { connection: 'close' } : {}),
  });
  res.end(text);
}

export async function createHttpServer(deps: HttpServerDeps): Promise<CsatHttpServer> {
  const { logger } = deps;
  let draining = false;
  let graphqlRequests = 0;
  let connections = 0;

  // Masked errors reach the client as INTERNAL_SERVER_ERROR; the log gets them whole, with the request id.
  // One listener object for every request (Apollo asks for it per request).
  const errorLogging: GraphQLRequestListener<RequestContext> = {
    async didEncounterErrors({ errors, contextValue }) {
      for (const error of errors) {
        const log = contextValue?.log ?? logger;
        if (domainErrorOf(error) || isClientSafe(error.toJSON(), error)) {
          log.debug({ code: error.extensions?.code, msg: error.message }, 'request error');
        } else {
          log.error({ err: error.originalError ?? error, path: error.path }, 'internal error');
        }
      }
    },
  };

  const server = createServer();
  const apollo = new ApolloServer<RequestContext>({
    schema: deps.schema,
    logger: logger.child({ component: 'apollo' }),
    introspection: !deps.production,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM/SIGINT and stops the app (HTTP, then the pool). Apollo's own handler would stop the
    // server first, and our later apollo.stop() then waits on a barrier that Apollo never resolves: a hang.
    stopOnTerminationSignals: false,
    formatError,
    plugins: [
      // Both wrap every field resolver of every request (federated tracing even when no trace is asked for);
      // this subgraph sets no cache hints and its router does not collect ftv1 traces (README, Operations).
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer: server, stopGracePeriodMillis: 10_000 }),
      ...(deps.production ? [ApolloServerPluginLandingPageDisabled()] : []),
      { requestDidStart: async () => errorLogging },
    ],
  });
  await apollo.start();

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, url: { search: string }, requestId: string, log: Logger): Promise<void> {
    const headers = new HeaderMap();
    const given = req.headers;
    for (const k in given) {
      const v = given[k];
      if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    }
    let body: unknown;
    if (req.method === 'POST') {
      const raw = await readBody(req);
      try {
        body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
      } catch {
        throw new HttpError(400, 'request body is not valid JSON');
      }
    }
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: async () => {
        try {
          return await deps.createContext(req, requestId, log);
        } catch (err) {
          const domain = domainErrorOf(err);
          if (domain) throw toGraphQLError(domain);
          // Apollo masks it for the client (formatError) but does not pass it to didEncounterErrors.
          log.error({ err }, 'request context failed');
          throw err;
        }
      },
    });
    res.statusCode = result.status ?? 200;
    res.setHeader('x-request-id', requestId);
    for (const [k, v] of result.headers) res.setHeader(k, v);
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }

  server.on('connection', () => connections++);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
    const log = logger.child({ requestId });
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const url = { pathname: q < 0 ? rawUrl : rawUrl.slice(0, q), search: q < 0 ? '' : rawUrl.slice(q) };
    if (log.isLevelEnabled('info')) {
      res.on('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        log.info({ method: req.method, path: url.pathname, status: res.statusCode, ms: Math.round(ms * 100) / 100 }, 'request');
      });
    }
    const route = async () => {
      switch (url.pathname) {
        case '/graphql':
          graphqlRequests++;
          return handleGraphQL(req, res, url, requestId, log);
        case '/healthz':
          return sendJson(res, 200, { status: 'ok' });
        case '/readyz': {
          const ok = !draining && (await deps.ready().catch(() => false));
          return sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : draining ? 'draining' : 'database unreachable' });
        }
        case '/metrics':
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
          return res.end(
            `# TYPE csat_graphql_requests_total counter\ncsat_graphql_requests_total ${graphqlRequests}\n` +
              `# TYPE csat_http_connections_total counter\ncsat_http_connections_total ${connections}\n${deps.metrics()}`,
          );
        default:
          return sendJson(res, 404, { error: 'not found' });
      }
    };
    route().catch((err: unknown) => {
      if (err instanceof HttpError) {
        if (!res.headersSent) sendJson(res, err.status, { errors: [{ message: err.message, extensions: { code: 'BAD_REQUEST' } }] });
        return;
      }
      log.error({ err }, 'unhandled request error');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.destroy();
    });
  });

  return {
    server,
    apollo,
    async stop() {
      draining = true;
      // The drain plugin closes the listener and waits for in-flight requests (up to its grace period).
      await apollo.stop();
    },
  };
}

import type { ApolloServer } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { domainErrorOf, toGraphQLError } from '../../errors/error.formatter.js';
import type { GraphQLContext } from '../graphql.context.js';
import { httpError } from './http.error.js';

export interface GraphQLRouteOptions {
  /** Started already; stopped when the server closes. */
  apollo: ApolloServer<GraphQLContext>;
  /** Builds each request's context (app.ts). */
  createContext: (request: FastifyRequest, reply: FastifyReply) => Promise<GraphQLContext>;
  /** The request deadline (REQUEST_TIMEOUT_MS). */
  requestMs: number;
  /** Counts every request to /graphql (csat_graphql_requests_total). */
  onRequest: () => void;
}

/** GET and POST /graphql: Apollo under a deadline, shedding load, never cached. */
export const graphqlRoute: FastifyPluginAsync<GraphQLRouteOptions> = async (fastify, opts) => {
  const { apollo, requestMs } = opts;
  fastify.addHook('onClose', () => apollo.stop());
  const graphql = fastifyApolloHandler<GraphQLContext>(apollo, {
    context: async (request, reply) => {
      try {
        return await opts.createContext(request, reply);
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
    request.log.warn({ ms: requestMs }, 'request deadline passed');
    if (fastify.drain.phase !== 'serving') reply.header('connection', 'close');
    void reply.code(503).header('retry-after', '1').send(httpError('the request took too long; retry', 'SERVICE_UNAVAILABLE'));
  };
  const { drain, load } = fastify;
  fastify.route({
    method: ['GET', 'POST'],
    url: '/graphql',
    onRequest: (request, reply, done) => {
      opts.onRequest();
      // Answers carry customer comments: no cache may keep them.
      reply.header('cache-control', 'no-store');
      if (load.isUnderPressure()) return load.shed(request, reply);
      deadlines.set(request, setTimeout(onDeadline, requestMs, request, reply));
      done();
    },
    onResponse: (request, _reply, done) => {
      clearTimeout(deadlines.get(request));
      done();
    },
    handler: async (request, reply) => {
      const body = await graphql.call(fastify, request as Parameters<typeof graphql>[0], reply as Parameters<typeof graphql>[1]);
      // A client that hung up before its answer is the client's business: debug, never an error.
      if (request.raw.socket?.destroyed) request.log.debug({ method: request.method, path: '/graphql' }, 'client went away before the answer was sent');
      // Draining began while it ran: this socket's next request goes elsewhere.
      if (drain.phase !== 'serving') reply.header('connection', 'close');
      // Answered already (the deadline): returning the reply tells Fastify not to send again.
      return reply.sent ? reply : body;
    },
  });
};

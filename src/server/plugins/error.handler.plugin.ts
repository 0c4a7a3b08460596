import type { FastifyError } from 'fastify';
import fp from 'fastify-plugin';
import { lingerOnBody } from './linger.js';
import { httpError } from './http.error.js';

/**
 * Refusals before GraphQL (400, 413, 415 …) in the GraphQL error shape with code BAD_REQUEST; anything else
 * is a masked 500, logged in full. A 413 reads the rest of the body (bounded) so the client sees it.
 */
export const errorHandler = fp<{ bodyBytes: number }>(
  async (fastify, opts) => {
    fastify.setErrorHandler((error: FastifyError, request, reply) => {
      const status = error.statusCode ?? 500;
      if (status < 500) {
        request.log.debug({ code: error.code, msg: error.message }, 'request refused');
        if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' && fastify.drain.phase === 'serving') {
          // Fastify would close the connection under a client still sending, which then sees EPIPE or a reset,
          // never this 413: read and discard the rest instead (bounded), and keep the connection.
          reply.removeHeader('connection');
          lingerOnBody(request.raw);
        }
        const message =
          error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
            ? `request body too large (at most ${opts.bodyBytes} bytes)`
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
  },
  { name: 'csat-error-handler', dependencies: ['csat-drain'] },
);

import fp from 'fastify-plugin';

/** Every answer, of every listener: the request id; no content sniffing. */
export const baseHeaders = fp(
  async (fastify) => {
    fastify.addHook('onRequest', (request, reply, done) => {
      reply.header('x-request-id', request.id).header('x-content-type-options', 'nosniff');
      done();
    });
  },
  { name: 'csat-base-headers' },
);

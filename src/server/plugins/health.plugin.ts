import type { FastifyPluginAsync } from 'fastify';

/**
 * Liveness (/healthz: 200 while the process is up, however busy) and readiness (/readyz: 200 when the database
 * answers; 503 while draining, under pressure or when the database does not answer).
 */
export const health: FastifyPluginAsync<{ ready: () => Promise<boolean> }> = async (fastify, opts) => {
  fastify.get('/healthz', async () => ({ status: 'ok' }));
  fastify.get('/readyz', async (_request, reply) => {
    const status =
      fastify.drain.phase !== 'serving' ? 'draining' : fastify.load.isUnderPressure() ? 'under pressure' : (await opts.ready()) ? 'ready' : 'database unreachable';
    return reply.code(status === 'ready' ? 200 : 503).send({ status });
  });
};

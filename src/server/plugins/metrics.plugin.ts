import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../metrics.js';

/** GET /metrics: Prometheus text (metrics.ts). Registered on METRICS_PORT's own listener, or on the public one outside production. */
export const metricsRoute: FastifyPluginAsync<{ metrics: Metrics }> = async (fastify, { metrics }) => {
  fastify.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
};

import underPressure from '@fastify/under-pressure';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { PressureConfig } from '../../config/config.js';
import { httpError } from './http.error.js';

/** How often the load (heap, RSS, event-loop delay) is sampled. */
const PRESSURE_SAMPLE_MS = 500;

export interface LoadShedding {
  /** Over a PRESSURE_* threshold at the last sample. */
  isUnderPressure(): boolean;
  /** Answers 503 SERVICE_UNAVAILABLE (retryable); one warn line a second at most, with how many were shed. */
  shed(request: FastifyRequest, reply: FastifyReply): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    load: LoadShedding;
  }
}

/**
 * @fastify/under-pressure samples heap, RSS and event-loop delay in a scope of its own without routes, and the
 * routes that shed (/graphql) ask `fastify.load` in their own onRequest (its hook would run, and allocate, on
 * every request). The probes never shed: liveness (/healthz) must not fail because the process is busy
 * (Kubernetes would kill it and move its load to the others); readiness (/readyz) reports the pressure, which
 * takes the pod out of rotation until a sample finds it below the thresholds again.
 */
export const loadShedding = fp<PressureConfig>(
  async (fastify, thresholds) => {
    let sampler!: Pick<typeof fastify, 'isUnderPressure' | 'memoryUsage'>;
    await fastify.register(async (scope) => {
      await scope.register(underPressure, {
        sampleInterval: PRESSURE_SAMPLE_MS,
        maxEventLoopDelay: thresholds.maxEventLoopDelayMs,
        maxHeapUsedBytes: thresholds.maxHeapUsedBytes,
        maxRssBytes: thresholds.maxRssBytes,
      });
      sampler = scope;
    });
    let shed = 0;
    let shedLoggedAt = 0;
    fastify.decorate('load', {
      isUnderPressure: () => sampler.isUnderPressure(),
      shed(request, reply) {
        shed++;
        if (Date.now() - shedLoggedAt >= 1000) {
          const { eventLoopDelay, heapUsed, rssBytes } = sampler.memoryUsage();
          const { maxEventLoopDelayMs, maxHeapUsedBytes } = thresholds;
          const type = maxEventLoopDelayMs && eventLoopDelay > maxEventLoopDelayMs ? 'eventLoopDelay' : maxHeapUsedBytes && heapUsed > maxHeapUsedBytes ? 'heapUsedBytes' : 'rssBytes';
          request.log.warn({ type, eventLoopDelay: Math.round(eventLoopDelay), heapUsed, rssBytes, shed }, 'under pressure: shedding requests');
          shedLoggedAt = Date.now();
          shed = 0;
        }
        void reply.code(503).header('retry-after', '1').send(httpError('the service is overloaded; retry', 'SERVICE_UNAVAILABLE'));
      },
    } satisfies LoadShedding);
  },
  { name: 'csat-load-shedding' },
);

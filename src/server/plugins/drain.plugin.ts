import fp from 'fastify-plugin';
import { httpError } from './http.error.js';

/** Serving; draining (after SIGTERM: readiness 503, every answer `connection: close`, the listener still open); closed (the listener shut, in-flight requests finishing). */
export type Phase = 'serving' | 'draining' | 'closed';

export interface Drain {
  readonly phase: Phase;
  /**
   * Readiness turns 503 and every answer carries `connection: close` for `delayMs` (the time a load balancer
   * needs to stop sending; the listener stays open), then the listener and idle sockets close, requests on
   * kept-alive sockets get 503, in-flight ones finish (up to the grace), and the server closes. Once.
   */
  stop(delayMs?: number): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    drain: Drain;
  }
}

export interface DrainOptions {
  /** How long in-flight requests may finish once the listener closed (SHUTDOWN_GRACE_MS). */
  graceMs: number;
  /** The grace is over: cancel what the database still runs for requests that are about to be cut. */
  onGraceExpired: () => Promise<void>;
}

/** The shutdown's phases, and what each answers: decorates `fastify.drain`. */
export const drainPlugin = fp<DrainOptions>(
  async (fastify, opts) => {
    let phase: Phase = 'serving';
    let stopping: Promise<void> | undefined;
    // Requests on kept-alive sockets once the listener has closed are answered here, in the GraphQL shape
    // (Fastify's own return503OnClosing is off).
    fastify.addHook('onRequest', (_request, reply, done) => {
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
    fastify.decorate('drain', {
      get phase() {
        return phase;
      },
      stop: (delayMs = 0) =>
        (stopping ??= (async () => {
          phase = 'draining';
          if (delayMs > 0) {
            fastify.log.info({ delayMs }, 'draining: readiness 503, answers close their connections; the listener closes after the delay');
            await new Promise((resolve) => setTimeout(resolve, delayMs));
          }
          phase = 'closed';
          // server.close() reaps the sockets idle at that moment; a kept-alive socket whose request finishes
          // later would hold the close until its keep-alive timeout, so reap those as they become idle.
          const reap = setInterval(() => fastify.server.closeIdleConnections(), 100);
          // Past the grace, statements still running are cancelled (so none commits after its client was cut
          // off), then the connections close.
          const force = setTimeout(() => {
            void opts.onGraceExpired().finally(() => fastify.server.closeAllConnections());
          }, opts.graceMs);
          try {
            await fastify.close();
          } finally {
            clearInterval(reap);
            clearTimeout(force);
          }
        })()),
    });
  },
  { name: 'csat-drain' },
);

import type { Socket } from 'node:net';
import fp from 'fastify-plugin';

/** Serving; draining (after SIGTERM: readiness 503, every answer `connection: close`, the listener still open); closed (the listener shut, in-flight requests finishing). */
export type Phase = 'serving' | 'draining' | 'closed';

export interface Drain {
  readonly phase: Phase;
  /**
   * Readiness turns 503 and every answer carries `connection: close` for `delayMs` (the time a load balancer
   * needs to stop sending; the listener stays open), then the listener closes; requests still arriving on
   * kept-alive sockets are answered (with `connection: close`), sockets idle for IDLE_CLOSE_MS close, in-flight
   * requests finish (up to the grace), and the server closes. Once.
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

/**
 * Once the listener has closed, a kept-alive socket closes after it has been idle this long, not at once. Closing an
 * idle socket races a request its client (a balancer, a gateway) may be writing into it at that moment: the client
 * sees the connection reset, and a client that cannot know a POST is safe to repeat fails it (issue 19: rateTicket
 * answered INTERNAL_SERVER_ERROR by the gateway). A socket its client still uses carries a request soon, whose answer
 * says `connection: close`, and the client closes it cleanly; one left idle this long is one the client stopped using.
 */
export const IDLE_CLOSE_MS = 1000;

/** The shutdown's phases, and what each answers: decorates `fastify.drain`. */
export const drainPlugin = fp<DrainOptions>(
  async (fastify, opts) => {
    let phase: Phase = 'serving';
    let stopping: Promise<void> | undefined;
    // When each open socket last finished a request (or opened), how many bytes it had read then, and which carry
    // one now.
    const idleSince = new Map<Socket, { at: number; bytesRead: number }>();
    const busy = new Set<Socket>();
    fastify.server.on('connection', (socket: Socket) => {
      idleSince.set(socket, { at: Date.now(), bytesRead: socket.bytesRead });
      socket.once('close', () => {
        idleSince.delete(socket);
        busy.delete(socket);
      });
    });
    fastify.server.on('request', (req, res) => {
      busy.add(req.socket);
      res.once('close', () => {
        busy.delete(req.socket);
        idleSince.set(req.socket, { at: Date.now(), bytesRead: req.socket.bytesRead });
      });
    });
    /**
     * Ends the sockets idle for at least IDLE_CLOSE_MS (all idle ones with 0). A socket that has read bytes since it
     * went idle carries a request whose headers are still arriving (no 'request' event yet): not idle. The check runs
     * after the event loop's next poll (setImmediate), so bytes that reached the kernel while the loop was stalled are
     * read first: a reap timer firing late must not cut a request that arrived on time.
     */
    const closeIdle = (minIdleMs: number) =>
      setImmediate(() => {
        const now = Date.now();
        for (const [socket, idle] of idleSince) {
          if (busy.has(socket)) continue;
          if (socket.bytesRead !== idle.bytesRead) idleSince.set(socket, { at: now, bytesRead: socket.bytesRead });
          else if (now - idle.at >= minIdleMs) socket.destroy();
        }
      });
    // Requests on kept-alive sockets once the listener has closed are still answered: the process is alive and its
    // pool open until they end (Fastify's own return503OnClosing is off). Refusing them failed the requests of a
    // balancer that had not yet seen readiness turn 503.
    fastify.addHook('onRequest', (_request, reply, done) => {
      // Draining: the client opens its next connection elsewhere (or here, while the listener is still open).
      if (phase !== 'serving') reply.header('connection', 'close');
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
          // Node's server.close() ends every socket idle at that moment (closeIdleConnections): only those idle
          // for IDLE_CLOSE_MS here. The others close after their next answer (`connection: close`) or once idle
          // that long: reaped every 100 ms, else one would hold the close until its keep-alive timeout.
          fastify.server.closeIdleConnections = () => void closeIdle(IDLE_CLOSE_MS);
          const reap = setInterval(() => closeIdle(IDLE_CLOSE_MS), 100);
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

/**
 * How long the service keeps an idle kept-alive connection open (Fastify's default, stated; Node announces it as
 * `Keep-Alive: timeout=72`). Whoever keeps connections to this service idle (a router, a gateway, a balancer) must
 * close them sooner, or it may send a request on a socket this end is closing: a reset (docs/deploy.md, Shutdown).
 */
export const KEEP_ALIVE_TIMEOUT_MS = 72_000;

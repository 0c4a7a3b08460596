// Issue 18, item 6: the HTTP layer's Fastify plugins one at a time, through `inject` (no socket, no database):
// what each answers, in the GraphQL error shape with a request id. The real-socket behaviour (a client still
// sending past a 413, headers over Node's limit, the drain under load) stays in http.edge.test.ts,
// service.test.ts and the process tests.
import { ApolloServer } from '@apollo/server';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { StatementCounter } from '../src/db/statement.counter.js';
import type { GraphQLContext } from '../src/server/graphql.context.js';
import { createMetrics } from '../src/server/metrics.js';
import { baseHeaders } from '../src/server/plugins/base.headers.plugin.js';
import { drainPlugin } from '../src/server/plugins/drain.plugin.js';
import { errorHandler } from '../src/server/plugins/error.handler.plugin.js';
import { graphqlRoute } from '../src/server/plugins/graphql.route.plugin.js';
import { health } from '../src/server/plugins/health.plugin.js';
import { jsonBody } from '../src/server/plugins/json.body.plugin.js';
import { loadShedding } from '../src/server/plugins/load.shedding.plugin.js';
import { metricsRoute } from '../src/server/plugins/metrics.plugin.js';

const NO_PRESSURE = { maxEventLoopDelayMs: 0, maxHeapUsedBytes: 0, maxRssBytes: 0 };
const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

/** The plugins every listener of the service has before its routes, on a Fastify of its own. */
async function base(opts: { bodyLimit?: number; pressure?: typeof NO_PRESSURE; onGraceExpired?: () => Promise<void> } = {}): Promise<FastifyInstance> {
  const fastify = Fastify({ bodyLimit: opts.bodyLimit ?? 1024, return503OnClosing: false });
  apps.push(fastify);
  await fastify.register(baseHeaders);
  await fastify.register(drainPlugin, { graceMs: 1000, onGraceExpired: opts.onGraceExpired ?? (async () => {}) });
  await fastify.register(jsonBody);
  await fastify.register(errorHandler, { bodyBytes: opts.bodyLimit ?? 1024 });
  await fastify.register(loadShedding, opts.pressure ?? NO_PRESSURE);
  return fastify;
}

/** A GraphQL route over a one-field schema: `slow` waits `ms` milliseconds. */
async function withGraphQL(fastify: FastifyInstance, requestMs = 5000): Promise<{ requests: () => number }> {
  const apollo = new ApolloServer<GraphQLContext>({
    typeDefs: 'type Query { hello: String, slow(ms: Int!): String }',
    resolvers: { Query: { hello: () => 'world', slow: (_: unknown, { ms }: { ms: number }) => new Promise((r) => setTimeout(() => r('late'), ms)) } },
  });
  await apollo.start();
  let requests = 0;
  await fastify.register(graphqlRoute, { apollo, createContext: async () => ({}) as GraphQLContext, requestMs, onRequest: () => requests++ });
  return { requests: () => requests };
}

describe('json body and error handler', () => {
  it('refuses bodies that are not UTF-8 JSON, in the GraphQL error shape with a request id', async () => {
    const fastify = await base();
    fastify.post('/echo', async (request) => request.body);
    const post = (payload: string | Buffer) => fastify.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload });
    const cases: [string | Buffer, string][] = [
      [Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]), 'request body is not valid UTF-8'],
      ['{"__proto__": {"x": 1}}', 'request body has a "__proto__" key (or "constructor" with "prototype"): valid JSON, refused for safety'],
      ['{', 'request body is not valid JSON'],
    ];
    for (const [payload, message] of cases) {
      const res = await post(payload);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
      expect(res.headers['x-request-id']).toBeTruthy();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    expect((await post('{"a": [1, "é"]}')).json()).toEqual({ a: [1, 'é'] });
  });

  it('answers 413 naming the limit, 404 for unknown paths, and masks what a route throws', async () => {
    const fastify = await base({ bodyLimit: 100 });
    fastify.post('/echo', async (request) => request.body);
    fastify.get('/boom', async () => {
      throw new Error('secret detail');
    });
    const large = await fastify.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ x: 'y'.repeat(200) }) });
    expect(large.statusCode).toBe(413);
    expect(large.json()).toEqual({ errors: [{ message: 'request body too large (at most 100 bytes)', extensions: { code: 'BAD_REQUEST' } }] });
    expect((await fastify.inject('/nowhere')).json()).toEqual({ error: 'not found' });
    const boom = await fastify.inject('/boom');
    expect(boom.statusCode).toBe(500);
    expect(boom.json()).toEqual({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
  });
});

describe('graphql route', () => {
  it('answers with cache-control no-store and counts every request', async () => {
    const fastify = await base();
    const route = await withGraphQL(fastify);
    const res = await fastify.inject({ method: 'POST', url: '/graphql', payload: { query: '{ hello }' } });
    expect(res.json()).toEqual({ data: { hello: 'world' } });
    expect(res.headers['cache-control']).toBe('no-store');
    expect((await fastify.inject({ method: 'GET', url: '/graphql?query=%7Bhello%7D', headers: { 'apollo-require-preflight': 'true' } })).json()).toEqual({ data: { hello: 'world' } });
    expect(route.requests()).toBe(2);
  });

  it('past the request deadline: 503 SERVICE_UNAVAILABLE, retryable, retry-after 1', async () => {
    const fastify = await base();
    await withGraphQL(fastify, 50);
    const res = await fastify.inject({ method: 'POST', url: '/graphql', payload: { query: '{ slow(ms: 1000) }' } });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toEqual({ errors: [{ message: 'the request took too long; retry', extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true } }] });
  });

  it('under pressure: /graphql sheds (503, runs nothing), /readyz says so, /healthz stays 200', async () => {
    // Any heap in use is over a 1-byte threshold: the first sample (500 ms) finds the process under pressure.
    const fastify = await base({ pressure: { ...NO_PRESSURE, maxHeapUsedBytes: 1 } });
    const route = await withGraphQL(fastify);
    await fastify.register(health, { ready: async () => true });
    await expect.poll(async () => (await fastify.inject('/readyz')).json(), { timeout: 10_000 }).toEqual({ status: 'under pressure' });
    const res = await fastify.inject({ method: 'POST', url: '/graphql', payload: { query: '{ hello }' } });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toEqual({ errors: [{ message: 'the service is overloaded; retry', extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true } }] });
    expect((await fastify.inject('/healthz')).statusCode).toBe(200);
    expect(route.requests()).toBeGreaterThan(0);
  });
});

describe('health and drain', () => {
  it('/readyz: ready while the database answers, 503 when it does not; /healthz: ok', async () => {
    let up = true;
    const fastify = await base();
    await fastify.register(health, { ready: async () => up });
    expect((await fastify.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await fastify.inject('/readyz')).json()).toEqual({ status: 'ready' });
    up = false;
    const down = await fastify.inject('/readyz');
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ status: 'database unreachable' });
  });

  it('draining: readiness 503 and `connection: close` on every answer while the listener stays open; then closed', async () => {
    const fastify = await base();
    await fastify.register(health, { ready: async () => true });
    expect(fastify.drain.phase).toBe('serving');
    const stopped = fastify.drain.stop(300);
    expect(fastify.drain.phase).toBe('draining');
    const ready = await fastify.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'draining' });
    expect(ready.headers.connection).toBe('close');
    expect((await fastify.inject('/healthz')).headers.connection).toBe('close');
    expect(fastify.drain.stop(0)).toBe(stopped);
    await stopped;
    expect(fastify.drain.phase).toBe('closed');
  });
});

describe('metrics', () => {
  it('/metrics: Prometheus text with the service counters', async () => {
    const fastify = Fastify();
    apps.push(fastify);
    const statements = new StatementCounter();
    statements.total = 7;
    await fastify.register(metricsRoute, { metrics: createMetrics(statements) });
    const res = await fastify.inject('/metrics');
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/^csat_sql_statements_total 7$/m);
    expect(res.body).toMatch(/^csat_graphql_requests_total 0$/m);
  });
});

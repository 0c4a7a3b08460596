// The supergraph of `npm run supergraph` (real gateway, Tickets and CSAT subgraphs) for tests, on free ports.
import type pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, inject } from 'vitest';
import { startSupergraph, type Supergraph } from '../../dev/supergraph.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { testPool } from './fixtures.js';
import { TEST_SECRET } from './test.app.js';

export interface GatewayResponse {
  data?: any;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[];
}

/**
 * The CSAT subgraph's configuration for a supergraph in the test's own process, with load shedding by event-loop
 * delay off (as the rolling-restart test runs its processes). That one process holds the gateway, both subgraphs,
 * the demo pages and the test; on a loaded machine its loop can miss every sample of a second, which
 * @fastify/under-pressure counts as an infinite delay, and a page was answered 503 (a component in Chromium then
 * showed its error state, once in CI). Shedding has its own test (test/overload.process.test.ts).
 */
export function supergraphConfig(databaseUrl: string, extra: Record<string, string> = {}): Config {
  return loadConfig({ DATABASE_URL: databaseUrl, PORT: '0', AUTH_JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'warn', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0', ...extra });
}

/** Against the run's test database, with no demo data. */
export function startTestSupergraph(): Promise<Supergraph> {
  const config = supergraphConfig(inject('databaseUrl'));
  return startSupergraph({ config, logger: pino({ level: 'warn' }), ports: { gateway: 0, csat: 0, tickets: 0 }, seed: false });
}

/** One supergraph and one test pool for the file (or describe) it is called in: started before its tests, stopped after them. */
export function useSupergraph(): { readonly sg: Supergraph; readonly pool: pg.Pool; gateway(query: string, variables: Record<string, unknown>, token: string | null): Promise<GatewayResponse> } {
  let sg: Supergraph | undefined;
  let pool: pg.Pool | undefined;
  beforeAll(async () => {
    sg = await startTestSupergraph();
    pool = testPool();
  });
  afterAll(async () => {
    await sg?.stop();
    await pool?.end();
  });
  // Getters: the hooks assign after the file has been collected.
  return {
    get sg() {
      return sg!;
    },
    get pool() {
      return pool!;
    },
    /** A POST to the gateway, as a client sends it. */
    async gateway(query, variables, token) {
      const res = await fetch(sg!.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GatewayResponse;
    },
  };
}

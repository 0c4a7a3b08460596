import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, inject } from 'vitest';
import { createApp, type App, type AppHooks } from '../../src/app.js';
import { signDevToken } from '../../src/auth/token.signer.js';
import type { Role, Viewer } from '../../src/auth/viewer.js';
import { loadConfig } from '../../src/config/config.js';
import { sessionSettings } from '../../src/db/session.settings.js';
import { testPool } from './fixtures.js';
import pg from 'pg';

export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [k: string]: unknown } }[];
  headers: Headers;
}

export interface TestApp {
  app: App;
  url: string;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, any>[];
  /** SQL statements the app has sent so far. */
  sqlCount(): number;
  gql<T = any>(query: string, variables?: Record<string, unknown>, opts?: { token?: string | null; headers?: Record<string, string>; extensions?: Record<string, unknown> }): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

/** The real service (database, migrations, HTTP) on a free port, against the run's test database. */
export async function startTestApp(env: Record<string, string> = {}, hooks: AppHooks = {}): Promise<TestApp> {
  let config = loadConfig({
    DATABASE_URL: inject('databaseUrl'),
    PORT: '0',
    AUTH_JWT_SECRET: TEST_SECRET,
    LOG_LEVEL: 'debug',
    // Webhook delivery is off unless a test wants it (test/webhooks.test.ts): fewer connections per app.
    CSAT_WORKER: 'off',
    ...env,
  });
  const poolerPort = inject('poolerPort');
  if (poolerPort) config = await throughPooler(config, poolerPort, env);
  const logs: Record<string, any>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line));
      cb();
    },
  });
  const logger = pino({ level: config.logLevel }, sink);
  const app = await createApp({ ...config, databaseUrl: config.databaseUrl! }, logger, hooks);
  const url = await app.listen();
  return {
    app,
    url,
    logs,
    sqlCount: () => app.db.statements.total,
    async gql(query, variables, opts = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables, extensions: opts.extensions }) });
      const body = (await res.json()) as { data?: any; errors?: any };
      return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
    },
    stop: () => app.stop(),
  };
}

/**
 * CSAT_TEST_POOLER=pgbouncer (test/setup/global.setup.ts): the service's DATABASE_URL goes through PgBouncer in
 * transaction mode, as docs/deploy.md deploys it: the migrations and the worker directly, the timeouts as the
 * role's settings in that database (set here, before the pooler opens a server connection to it).
 */
async function throughPooler(config: ReturnType<typeof loadConfig>, port: number, env: Record<string, string>) {
  const direct = config.databaseUrl!;
  const pooled = new URL(direct);
  pooled.hostname = '127.0.0.1';
  pooled.port = String(port);
  pooled.searchParams.delete('host');
  const client = new pg.Client({ connectionString: direct });
  await client.connect();
  try {
    const db = (await client.query<{ db: string }>('select current_database() as db')).rows[0]!.db;
    for (const [name, value] of Object.entries(sessionSettings(config.timeouts)))
      await client.query(`alter role current_user in database "${db}" set ${name} = ${value}`);
  } finally {
    await client.end();
  }
  return loadConfig({
    PORT: '0',
    AUTH_JWT_SECRET: TEST_SECRET,
    LOG_LEVEL: 'debug',
    CSAT_WORKER: 'off',
    ...env,
    DATABASE_URL: pooled.toString(),
    MIGRATION_DATABASE_URL: direct,
    WORKER_DATABASE_URL: direct,
    DB_POOL_MODE: 'transaction',
  });
}

/** One app and one test pool for the file (or describe) it is called in: started before its tests, stopped after them. */
export function useTestApp(env: Record<string, string> = {}, hooks: AppHooks = {}): { readonly app: TestApp; readonly pool: pg.Pool } {
  let app: TestApp | undefined;
  let pool: pg.Pool | undefined;
  beforeAll(async () => {
    app = await startTestApp(env, hooks);
    pool = testPool();
  });
  afterAll(async () => {
    await app?.stop();
    await pool?.end();
  });
  // Getters: the hooks assign after the file has been collected.
  return {
    get app() {
      return app!;
    },
    get pool() {
      return pool!;
    },
  };
}

export function viewer(role: Role, workspace: string, sub: string = randomUUID()): Viewer {
  return { role, workspace, sub };
}

export function tokenFor(v: Viewer, opts: Parameters<typeof signDevToken>[2] = {}): Promise<string> {
  return signDevToken(v, TEST_SECRET, opts);
}

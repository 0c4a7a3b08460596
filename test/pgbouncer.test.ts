// The service behind a real PgBouncer (Debian's 1.18) in transaction pooling (docs/deploy.md, The database and a
// pooler): what cannot work is refused at start with one line, and what is deployed as documented works. The
// whole core suite through PgBouncer is `CSAT_TEST_POOLER=pgbouncer` (.ci/run; test/helpers/test.app.ts).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../dev/throwaway.database.js';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { keepsSession } from '../src/db/session.probe.js';
import { createTicket } from './helpers/fixtures.js';
import { startPgBouncer, type PgBouncer } from '../dev/pgbouncer.js';
import { startTestApp, TEST_SECRET, tokenFor, viewer, type TestApp } from './helpers/test.app.js';

const RATE = `mutation Rate($ticketId: ID!, $rating: Int!) { rateTicket(ticketId: $ticketId, rating: $rating) { id csatRating } }`;
const PAGE = `query Page($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id csatRating csatCanRate } } }`;

let bouncer: PgBouncer;
let db: ThrowawayDatabase;
let direct: pg.Pool;
let pooled: string;

/** A command on PgBouncer's admin console (which speaks the simple protocol only). */
async function console_<Row>(command: string): Promise<Row[]> {
  const url = new URL(pooled);
  url.pathname = '/pgbouncer';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    // No parameters: pg sends it with the simple protocol.
    return (await admin.query(command)).rows as Row[];
  } finally {
    await admin.end();
  }
}

/** PgBouncer's own count of the transactions it passed to `database` (SHOW STATS). */
async function transactionsThrough(database: string): Promise<number> {
  const rows = await console_<{ database: string; total_xact_count: string }>('SHOW STATS');
  return Number(rows.find((r) => r.database === database)?.total_xact_count ?? 0);
}

beforeAll(async () => {
  // A database of its own: its role settings (below) must not reach the other test files' connections.
  db = await createThrowawayDatabase(`csat_test_pgbouncer_${process.pid}`, { serverUrl: inject('databaseUrl') });
  direct = new pg.Pool({ connectionString: db.url, max: 2 });
  direct.on('error', () => {});
  bouncer = await startPgBouncer(db.url, { admin_users: decodeURIComponent(new URL(db.url).username || 'postgres') });
  pooled = bouncer.url(db.url);
});

afterAll(async () => {
  await direct?.end();
  await bouncer?.stop();
  await db?.drop();
});

describe('behind PgBouncer in transaction mode', () => {
  it('tells a transaction pooler from a direct connection by LISTEN', async () => {
    expect(await keepsSession(db.url)).toBe(true);
    expect(await keepsSession(pooled)).toBe(false);
  });

  it('refuses DATABASE_URL on the pooler without DB_POOL_MODE=transaction, with one line (it used to fail on its startup parameters)', async () => {
    const err = await startTestApp({ DATABASE_URL: pooled }).then(
      (t) => t.stop().then(() => undefined),
      (e: Error) => e,
    );
    expect(err?.message).toBe(
      'DATABASE_URL goes through a transaction pooler (a LISTEN there did not hear a NOTIFY): set DB_POOL_MODE=transaction, and MIGRATION_DATABASE_URL and WORKER_DATABASE_URL to PostgreSQL directly (docs/deploy.md)',
    );
  });

  it('refuses the migrations or the worker on the pooler, each with one line', async () => {
    const migrations = await startTestApp({ DATABASE_URL: db.url, MIGRATION_DATABASE_URL: pooled }).catch((e: Error) => e);
    expect((migrations as Error).message).toMatch(/^MIGRATION_DATABASE_URL goes through a transaction pooler .* session advisory lock; point it at PostgreSQL directly$/);
    const worker = await startTestApp({ DATABASE_URL: db.url, CSAT_WORKER: 'on', WORKER_DATABASE_URL: pooled }).catch((e: Error) => e);
    expect((worker as Error).message).toMatch(/^WORKER_DATABASE_URL goes through a transaction pooler .* LISTENs and holds session advisory locks; point it at PostgreSQL directly$/);
  });

  it('npm run migrate (dist/scripts/migrate.js, the build the global setup made) refuses the pooler with one line and exit 1, as the start does', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: pooled, AUTH_JWT_SECRET: TEST_SECRET };
    delete env.MIGRATION_DATABASE_URL;
    const child = spawn(process.execPath, [fileURLToPath(new URL('../dist/scripts/migrate.js', import.meta.url))], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    // It used to print the StartupError's stack (an uncaught rejection at the top level).
    expect(stderr).toBe('MIGRATION_DATABASE_URL goes through a transaction pooler (a LISTEN there did not hear a NOTIFY): migrations hold a session advisory lock; point it at PostgreSQL directly\n');
    expect(stdout).toBe('');
    expect(code).toBe(1);
  });

  it('refuses DB_POOL_MODE=transaction without a direct URL for the migrations and the worker (configuration)', () => {
    const base = { DATABASE_URL: pooled, AUTH_JWT_SECRET: TEST_SECRET, DB_POOL_MODE: 'transaction' };
    expect(() => loadConfig(base)).toThrow(ConfigError);
    expect(() => loadConfig(base)).toThrow(/DB_POOL_MODE=transaction needs MIGRATION_DATABASE_URL/);
    expect(() => loadConfig({ ...base, MIGRATION_DATABASE_URL: db.url })).toThrow(/DB_POOL_MODE=transaction with CSAT_WORKER=on needs WORKER_DATABASE_URL/);
    const config = loadConfig({ ...base, MIGRATION_DATABASE_URL: db.url, CSAT_WORKER: 'off' });
    expect(config.pooling).toEqual({ mode: 'transaction', preparedStatements: false, migrationUrl: db.url, workerUrl: undefined });
    expect(loadConfig({ ...base, MIGRATION_DATABASE_URL: db.url, CSAT_WORKER: 'off', DB_PREPARED_STATEMENTS: 'on' }).pooling.preparedStatements).toBe(true);
  });

  it("refuses DB_POOL_MODE=transaction until the role's settings are the service's timeouts, naming the statements that set them", async () => {
    const err = await startTestApp({ DATABASE_URL: pooled, MIGRATION_DATABASE_URL: db.url, DB_POOL_MODE: 'transaction' }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/^DB_POOL_MODE=transaction: a session SET does not hold behind a transaction pooler/);
    for (const set of ['SET statement_timeout = 5000;', 'SET lock_timeout = 2000;', 'SET idle_in_transaction_session_timeout = 8000;', 'SET jit = off;'])
      expect((err as Error).message).toContain(set);
  });

  describe('deployed as docs/deploy.md says', () => {
    let t: TestApp;
    beforeAll(async () => {
      const dbName = new URL(db.url).pathname.slice(1);
      for (const set of ['statement_timeout = 5000', 'lock_timeout = 2000', 'idle_in_transaction_session_timeout = 8000', 'jit = off'])
        await direct.query(`alter role current_user in database "${dbName}" set ${set}`);
      // The server connections opened before have the old settings: PgBouncer closes them as they come back.
      await console_(`RECONNECT ${dbName}`);
      t = await startTestApp({ DATABASE_URL: pooled, MIGRATION_DATABASE_URL: db.url, WORKER_DATABASE_URL: db.url, DB_POOL_MODE: 'transaction', CSAT_WORKER: 'on' });
    });
    afterAll(async () => {
      await t?.stop();
    });

    it('rates and reads pages through PgBouncer with unnamed statements, every statement bounded by the role settings', async () => {
      const dbName = new URL(db.url).pathname.slice(1);
      const before = await transactionsThrough(dbName);
      const workspace = randomUUID();
      const me = viewer('customer', workspace);
      const token = await tokenFor(me);
      const tickets = await Promise.all(Array.from({ length: 20 }, () => createTicket(direct, { workspace, requester: me.sub })));
      // Many requests at once: with named statements, PgBouncer 1.18 hands them server connections that lack the
      // name ("prepared statement … does not exist") or have it ("already exists").
      for (let round = 0; round < 3; round++) {
        const rated = await Promise.all(tickets.map((k, i) => t.gql(RATE, { ticketId: k.id, rating: 1 + (i % 5) }, { token })));
        for (const r of rated) expect(r.errors).toBeUndefined();
        const pages = await Promise.all(Array.from({ length: 10 }, () => t.gql(PAGE, { r: tickets.map((k) => ({ __typename: 'Ticket', id: k.id })) }, { token })));
        for (const p of pages) {
          expect(p.errors).toBeUndefined();
          expect(p.data._entities.map((e: { csatRating: number }) => e.csatRating)).toEqual(tickets.map((_, i) => 1 + (i % 5)));
        }
      }
      const { rows } = await direct.query('select count(*)::int as n from csat_rating where workspace_id = $1', [workspace]);
      expect(rows[0].n).toBe(20);
      // The traffic went through PgBouncer, and the server connections it opened carry the service's settings.
      expect((await transactionsThrough(dbName)) - before).toBeGreaterThanOrEqual(90);
      const seen = new pg.Client({ connectionString: pooled });
      await seen.connect();
      const settings = (await seen.query(`select name, setting from pg_settings where name in ('statement_timeout', 'lock_timeout', 'jit') order by name`)).rows;
      await seen.end();
      expect(settings).toEqual([
        { name: 'jit', setting: 'off' },
        { name: 'lock_timeout', setting: '2000' },
        { name: 'statement_timeout', setting: '5000' },
      ]);
    });
  });
});

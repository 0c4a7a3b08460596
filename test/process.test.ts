// The service as an operator runs it: a real process (`node dist/src/main.js`, what `npm start` runs after its
// build), started and stopped by its own pid, with signals and exit codes; and `npm start` itself, as a
// newcomer runs it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { prepareDatabase } from '../dev/dev.database.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../dev/throwaway.database.js';
import { migrations } from '../migrations/index.js';
import { testPool } from './helpers/fixtures.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PROCESS_SECRET = 'process-test-secret-process-test-secret-0123';

interface Service {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first match of `re` on stdout; rejects on timeout or when the process exits first. */
  waitForStdout(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
}

const children = new Set<ChildProcess>();

/** The child's environment: this one without what the test should decide (database, auth, NODE_ENV=test). */
function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(out)) if (/^(DATABASE_URL|AUTH_|EMBEDDED_PG_DIR|NODE_ENV|PORT|HOST|LOG_LEVEL)/.test(k)) delete out[k];
  // NODE_ENV is left unset unless a test sets it: under NODE_ENV=test some libraries (Apollo Server's own
  // signal handlers, for one) behave differently than in a real deployment.
  // With DATABASE_URL set the service needs a secret of its own (the built-in one is for the embedded database only).
  // No drain delay after SIGTERM (test/rolling-restart.process.test.ts has one): these tests bound the exit.
  const auth = env.DATABASE_URL ? { AUTH_JWT_SECRET: PROCESS_SECRET } : {};
  for (const [k, v] of Object.entries({ PORT: '0', LOG_LEVEL: 'info', SHUTDOWN_DELAY_MS: '0', ...auth, ...env })) if (v !== undefined) out[k] = v;
  return out;
}

/** `node dist/src/main.js` (what `npm start` runs after its build), or another command such as `npm start` itself. */
function startService(env: Record<string, string | undefined>, command: [string, ...string[]] = [process.execPath, 'dist/src/main.js'], opts: { ownGroup?: boolean } = {}): Service {
  // ownGroup: the command leads a process group of its own, as a terminal's foreground job does (Ctrl-C signals the group).
  const child = spawn(command[0], command.slice(1), { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: opts.ownGroup ?? false });
  children.add(child);
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    out += c;
    for (const w of waiters) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const w of waiters) w();
      // Let the pipes flush what the process wrote last.
      setImmediate(() => resolve({ code, signal }));
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForStdout(re, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(re);
          if (m) return done(() => resolve(m));
          if (child.exitCode !== null || child.signalCode !== null) {
            done(() => reject(new Error(`process exited (${child.exitCode ?? child.signalCode}) before ${re}\nstdout:\n${out}\nstderr:\n${err}`)));
          }
        };
        const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${re}\nstdout:\n${out}\nstderr:\n${err}`))), timeoutMs);
        const done = (f: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          f();
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** The URL from main.ts's JSON log line `csat-subgraph listening`. */
async function listeningUrl(svc: Service, timeoutMs: number): Promise<string> {
  const [line] = await svc.waitForStdout(/^\{.*"msg":"csat-subgraph listening".*\}$/m, timeoutMs);
  const url = (JSON.parse(line) as { url?: string }).url;
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
  return url!;
}

function logLines(svc: Service): Record<string, any>[] {
  return svc
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);
}

/** The process exits 0 within `ms` of a signal; a failure shows what it logged last (its shutdown error). */
async function expectCleanExit(svc: Service, ms: number, what: string): Promise<void> {
  const exit = await within(svc.exited, ms, what);
  expect(exit, `${what}\nstdout (end):\n${svc.stdout().slice(-3000)}\nstderr:\n${svc.stderr().slice(-3000)}`).toEqual({ code: 0, signal: null });
}

async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** pids of postgres server processes whose command line names this data directory. */
function postgresPidsFor(dataDir: string): number[] {
  const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return ps
    .split('\n')
    .slice(1)
    .map((l) => l.trim().match(/^(\d+)\s+(.*)$/))
    .filter((m): m is RegExpMatchArray => !!m && /postgres/.test(m[2]!) && m[2]!.includes(dataDir))
    .map((m) => Number(m[1]));
}

let pool: pg.Pool;
const tempDirs: string[] = [];
const databases: ThrowawayDatabase[] = [];
// dist/ is built by the global setup, as `npm start` builds it first (prestart).
beforeAll(() => {
  pool = testPool();
});

/** A data folder for an embedded PostgreSQL; as root the server runs as `postgres`, which must be able to enter it (mkdtemp makes 0700). */
async function embeddedDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'csat-process-test-'));
  await chmod(dir, 0o755);
  tempDirs.push(dir);
  return path.join(dir, 'pgdata');
}

/** An empty database beside the run's test database (on the same server), dropped after the file. */
async function emptyDatabase(name: string): Promise<string> {
  const db = await createThrowawayDatabase(`csat_test_${name}_${process.pid}`, { serverUrl: inject('databaseUrl'), prepare: false });
  databases.push(db);
  return db.url;
}

const BANNER_END = /Every start offers a ticket still to rate[^\n]*\n/;

/** The banner's ticket and tokens, and its rate command run as printed. */
async function rateAsPrinted(banner: string, url: string) {
  const [, ticketId, customerToken] = banner.match(/Customer token \(requester of ticket ([0-9a-f-]{36})\):\n\s+(\S+)/)!;
  const [, agentToken] = banner.match(/Agent token:\n\s+(\S+)/)!;
  expect(customerToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  expect(agentToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  const rateBody = banner.match(/-H "authorization: Bearer \S+" \\\n\s+-d '(\{"query":"mutation[^\n]*\})'\n/)![1]!;
  expect(JSON.parse(rateBody).variables).toEqual({ t: ticketId });
  const rated = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${customerToken}` },
    body: rateBody,
  }).then((r) => r.json() as Promise<{ data?: any; errors?: unknown }>);
  expect(rated.errors).toBeUndefined();
  expect(rated.data.rateTicket).toMatchObject({ id: ticketId, csatRating: 5, csatComment: 'Thanks!', csatCanRate: false });
  return { ticketId: ticketId!, agentToken: agentToken!, ratedAt: rated.data.rateTicket.csatRatedAt as string };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
afterAll(async () => {
  // Nothing may outlive the tests: children first (by their own pid), then any PostgreSQL they left behind.
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
  }
  for (const dir of tempDirs) {
    for (const pid of postgresPidsFor(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await rm(dir, { recursive: true, force: true });
  }
  for (const db of databases) await db.drop();
  await pool?.end();
});

describe('the service process', () => {
  it('serves on the port it logs, and exits 0 on SIGTERM after logging "stopped"', async () => {
    const svc = startService({ DATABASE_URL: inject('databaseUrl') });
    const url = await listeningUrl(svc, 20_000);
    const health = await fetch(url.replace(/\/graphql$/, '/healthz'));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    svc.child.kill('SIGTERM');
    const { code, signal } = await within(svc.exited, 5_000, 'exit after SIGTERM');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const msgs = logLines(svc).map((l) => l.msg);
    expect(msgs).toContain('shutting down: draining requests');
    expect(msgs).toContain('stopped');
    expect(svc.stderr()).toBe('');
  });

  it('without DATABASE_URL runs its own PostgreSQL with demo data, stops it on SIGTERM, keeps the data, and offers a ticket to rate on every start', async () => {
    const dataDir = await embeddedDataDir();
    const env = { EMBEDDED_PG_DIR: dataDir };

    // First start: initialises, seeds, prints the banner; its rate command works as printed.
    const first = startService(env);
    const banner = await first.waitForStdout(BANNER_END, 25_000).then(() => first.stdout());
    const url = await listeningUrl(first, 1_000);
    expect(banner).toContain(`csat-subgraph is running at ${url}`);
    expect(banner).toMatch(/, just seeded\)/);
    expect(banner).toContain(`rm -rf ${dataDir}`);
    expect(postgresPidsFor(dataDir).length).toBeGreaterThan(0);
    const firstRating = await rateAsPrinted(banner, url);
    // The explorer it points to is GraphiQL from npm (no CDN: test/explorer.browser.test.ts runs it offline),
    // forwarding to the service as the agent its page fills in.
    const explorer = banner.match(/GraphQL explorer: open (http:\/\/127\.0\.0\.1:\d+\/explorer) in a browser \(GraphiQL, works offline/)![1]!;
    const explorerPage = await fetch(explorer).then((r) => r.text());
    expect(explorerPage).toContain('/explorer/graphiql.js');
    const agentHeader = JSON.parse(JSON.parse(explorerPage.match(/const settings = (\{.*\});/)![1]!).headers).authorization as string;
    const viaExplorer = await fetch(`${explorer}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: agentHeader },
      body: JSON.stringify({ query: '{ csatSummary { count } }' }),
    }).then((r) => r.json() as Promise<{ data?: any; errors?: unknown }>);
    expect(viaExplorer.errors).toBeUndefined();
    expect(viaExplorer.data.csatSummary.count).toBeGreaterThan(0);

    first.child.kill('SIGTERM');
    await expectCleanExit(first, 10_000, 'first run: exit after SIGTERM');
    expect(logLines(first).map((l) => l.msg)).toContain('stopped');
    expect(postgresPidsFor(dataDir)).toEqual([]);

    // Later starts on the same directory: no new seed, the rating is still there, and each banner offers a
    // ticket still to rate whose command works (the demo never runs out).
    for (const run of ['second', 'third']) {
      const again = startService(env);
      const bannerN = await again.waitForStdout(BANNER_END, 20_000).then(() => again.stdout());
      const urlN = await listeningUrl(again, 1_000);
      expect(bannerN).not.toContain(', just seeded');
      const next = await rateAsPrinted(bannerN, urlN);
      expect(next.ticketId).not.toBe(firstRating.ticketId);
      const seen = await fetch(urlN, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${next.agentToken}` },
        body: JSON.stringify({
          query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id csatRating csatComment csatRatedAt } } }',
          variables: { r: [{ __typename: 'Ticket', id: firstRating.ticketId }] },
        }),
      }).then((r) => r.json() as Promise<{ data?: any; errors?: unknown }>);
      expect(seen.errors).toBeUndefined();
      expect(seen.data._entities[0]).toMatchObject({ id: firstRating.ticketId, csatRating: 5, csatComment: 'Thanks!', csatRatedAt: firstRating.ratedAt });
      again.child.kill('SIGTERM');
      await expectCleanExit(again, 10_000, `${run} run: exit after SIGTERM`);
      expect(postgresPidsFor(dataDir)).toEqual([]);
    }
  });

  it('after a kill -9, the next start stops the orphaned PostgreSQL (or clears its stale lock) and starts', async () => {
    const dataDir = await embeddedDataDir();
    const first = startService({ EMBEDDED_PG_DIR: dataDir });
    await first.waitForStdout(BANNER_END, 25_000);
    first.child.kill('SIGKILL');
    await first.exited;
    // A SIGKILL runs no handler: PostgreSQL lives on, and its postmaster.pid would block the next start.
    expect(postgresPidsFor(dataDir).length).toBeGreaterThan(0);

    const second = startService({ EMBEDDED_PG_DIR: dataDir });
    const banner = await second.waitForStdout(BANNER_END, 25_000).then(() => second.stdout());
    await rateAsPrinted(banner, await listeningUrl(second, 1_000));
    second.child.kill('SIGTERM');
    await expectCleanExit(second, 10_000, 'exit after SIGTERM');
    expect(postgresPidsFor(dataDir)).toEqual([]);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`npm start: ${signal} to the npm process leaves nothing of ours running within 10 s`, async () => {
      const dataDir = await embeddedDataDir();
      const npm = startService({ EMBEDDED_PG_DIR: dataDir }, ['npm', 'start']);
      await npm.waitForStdout(BANNER_END, 60_000);
      const server = Number(execFileSync('ps', ['-o', 'pid=', '--ppid', String(npm.child.pid)], { encoding: 'utf8' }).trim().split(/\s+/)[0]);
      expect(execFileSync('ps', ['-o', 'args=', '-p', String(server)], { encoding: 'utf8' })).toContain('dist/src/main.js');
      expect(postgresPidsFor(dataDir).length).toBeGreaterThan(0);

      npm.child.kill(signal);
      await expect.poll(() => alive(server) || postgresPidsFor(dataDir).length > 0, { timeout: 10_000, interval: 100 }).toBe(false);
    });
  }

  it('npm start, Ctrl-C at a terminal (SIGINT to its whole process group): the service drains, then stops its PostgreSQL; no warning or error line, nothing left running', async () => {
    const dataDir = await embeddedDataDir();
    const npm = startService({ EMBEDDED_PG_DIR: dataDir }, ['npm', 'start'], { ownGroup: true });
    await npm.waitForStdout(BANNER_END, 60_000);
    const server = Number(execFileSync('ps', ['-o', 'pid=', '--ppid', String(npm.child.pid)], { encoding: 'utf8' }).trim().split(/\s+/)[0]);
    const postgres = postgresPidsFor(dataDir);
    expect(postgres.length).toBeGreaterThan(0);

    process.kill(-npm.child.pid!, 'SIGINT');
    await within(npm.exited, 20_000, 'npm start: exit after Ctrl-C');
    await expect.poll(() => [server, ...postgres].filter(alive), { timeout: 10_000, interval: 100 }).toEqual([]);
    const msgs = logLines(npm).map((l) => l.msg);
    expect(msgs).toContain('shutting down: draining requests');
    expect(msgs).toContain('stopped');
    // PostgreSQL stopped after the drain, by the service: no lost connection (57P01) or failed statement on the way.
    expect(logLines(npm).filter((l) => l.level >= 40)).toEqual([]);
    expect(npm.stdout() + npm.stderr()).not.toContain('57P01');
    expect(npm.stderr()).not.toMatch(/error/i);
  });

  it('as root with EMBEDDED_PG_DIR where the postgres user cannot enter: the banner\'s "rm -rf" names the folder that really holds the data', async (t) => {
    if (process.getuid?.() !== 0) t.skip(); // only root moves the data (dev/embedded.postgres.ts)
    const privateParent = await mkdtemp(path.join(tmpdir(), 'csat-process-private-')); // 0700: postgres cannot enter
    tempDirs.push(privateParent);
    const svc = startService({ EMBEDDED_PG_DIR: path.join(privateParent, 'pgdata') });
    const banner = await svc.waitForStdout(BANNER_END, 40_000).then(() => svc.stdout());
    const printed = banner.match(/then rm -rf (\S+)/)![1]!;
    tempDirs.push(path.dirname(printed));
    expect(printed.startsWith(privateParent)).toBe(false);
    expect(await readFile(path.join(printed, 'PG_VERSION'), 'utf8')).toMatch(/^\d+/);
    expect(postgresPidsFor(printed).length).toBeGreaterThan(0);
    svc.child.kill('SIGTERM');
    await expectCleanExit(svc, 10_000, 'exit after SIGTERM');
  });

  it('two replicas started at once against an empty database both start: the migrations run once', async () => {
    const url = await emptyDatabase('replicas');
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(await readFile(path.join(ROOT, 'dev/ticket.schema.sql'), 'utf8'));
      const replicas = [startService({ DATABASE_URL: url }), startService({ DATABASE_URL: url })];
      await Promise.all(replicas.map((r) => listeningUrl(r, 20_000)));
      for (const r of replicas) expect(r.stderr()).toBe('');
      const { rows } = await admin.query('select name from csat_migrations');
      expect(rows.map((r) => r.name)).toEqual(migrations.map((m) => m.name));
      for (const r of replicas) r.child.kill('SIGTERM');
      for (const r of replicas) await expectCleanExit(r, 10_000, 'exit after SIGTERM');
    } finally {
      await admin.end();
    }
  });

  it('refuses to start without the helpdesk `ticket` relation, with one line naming it', async () => {
    const svc = startService({ DATABASE_URL: await emptyDatabase('no_ticket') });
    const { code } = await within(svc.exited, 15_000, 'exit without the ticket relation');
    expect(code).toBe(1);
    expect(svc.stderr()).toContain('reads the helpdesk relation `ticket` (id, workspace_id, requester_id, assignee_id, status)');
    expect(svc.stderr()).toContain('relation "ticket" does not exist');
    expect(svc.stderr()).not.toMatch(/^\s+at /m);
    expect(svc.stdout()).not.toContain('csat-subgraph listening');
  });

  it('in production, against a database without `ticket` (the wrong database), exits non-zero with one line and creates nothing there', async () => {
    const url = await emptyDatabase('wrong_db');
    const svc = startService({ NODE_ENV: 'production', DATABASE_URL: url, AUTH_ISSUER: 'https://auth.example.test/', AUTH_AUDIENCE: 'csat', RATING_LINK_SECRET: 'rating-link-secret-for-production-tests-0123', PUBLIC_URL: 'https://support.example' });
    const { code } = await within(svc.exited, 15_000, 'exit against the wrong database');
    expect(code).toBe(1);
    const lines = svc.stderr().split('\n').filter((l) => l.trim());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('reads the helpdesk relation `ticket`');
    expect(lines[0]).toContain('relation "ticket" does not exist');
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const { rows } = await admin.query(
        `select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
         union all select 'schema ' || nspname from pg_namespace where nspname like 'graphile%'
         union all select 'function ' || proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public'`,
      );
      expect(rows.map((r) => r.name)).toEqual([]);
    } finally {
      await admin.end();
    }
  });

  it('SIGTERM while statements wait on a lock: every client gets its answer (SERVICE_UNAVAILABLE), the process exits within the grace, and nothing commits afterwards', async () => {
    const url = await emptyDatabase('stalled');
    await prepareDatabase(url, { seed: false });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    try {
      const workspace = randomUUID();
      const requester = randomUUID();
      const { rows: tickets } = await admin.query<{ id: string }>(
        `insert into ticket (workspace_id, ref, subject, status, requester_id) select $1, 'S-' || g, 'stalled', 'resolved', $2 from generate_series(1, 5) g returning id`,
        [workspace, requester],
      );
      const svc = startService({ DATABASE_URL: url, DB_LOCK_TIMEOUT_MS: '1500', DB_STATEMENT_TIMEOUT_MS: '2000', REQUEST_TIMEOUT_MS: '3000', SHUTDOWN_GRACE_MS: '4000' });
      const gql = await listeningUrl(svc, 20_000);
      const token = await new SignJWT({ role: 'customer', workspace })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(requester)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(PROCESS_SECRET));
      await locker.query('begin');
      await locker.query('lock table csat_rating in exclusive mode');
      const answers = tickets.map(({ id }) =>
        fetch(gql, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: `mutation { rateTicket(ticketId: "${id}", rating: 1) { id csatRating } }` }),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { errors?: { extensions?: { code?: string } }[] } })),
      );
      await expect
        .poll(async () => (await admin.query(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`)).rows[0].n)
        .toBe(tickets.length);
      const signalled = performance.now();
      svc.child.kill('SIGTERM');
      for (const answer of await Promise.all(answers)) {
        expect(answer.status).toBe(200);
        expect(answer.body.errors?.[0]?.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryable: true });
      }
      await expectCleanExit(svc, 6_000, 'exit after SIGTERM');
      expect(performance.now() - signalled).toBeLessThan(4000);
      await locker.query('commit');
      const { rows } = await admin.query('select count(*)::int as n from csat_rating where workspace_id = $1', [workspace]);
      expect(rows[0].n).toBe(0);
    } finally {
      await locker.end();
      await admin.end();
    }
  });

  it('with DATABASE_URL and no secret (NODE_ENV unset), the start refuses the public development secret in one line', async () => {
    const svc = startService({ DATABASE_URL: inject('databaseUrl'), AUTH_JWT_SECRET: undefined });
    const { code } = await within(svc.exited, 15_000, 'exit without a secret');
    expect(code).toBe(2);
    expect(svc.stderr()).toContain('DATABASE_URL is set, so AUTH_JWT_SECRET (at least 32 bytes) or AUTH_JWKS_URL is required');
    expect(svc.stdout()).not.toContain('csat-subgraph listening');
  });

  it('a port in use is one line saying to set PORT', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (taken.address() as AddressInfo).port;
      const svc = startService({ DATABASE_URL: inject('databaseUrl'), PORT: String(port) });
      const { code } = await within(svc.exited, 15_000, 'exit on a port in use');
      expect(code).toBe(1);
      expect(svc.stderr().trim()).toBe(`127.0.0.1:${port} is already in use: set PORT to a free port (PORT=0 picks one)`);
    } finally {
      taken.close();
    }
  });

  it('fails fast and clearly when DATABASE_URL points where nothing listens, without printing the password', async () => {
    const svc = startService({ DATABASE_URL: 'postgres://postgres:hunter2-not-for-logs@127.0.0.1:1/csat' });
    const { code } = await within(svc.exited, 15_000, 'exit with an unreachable database');
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    const stderr = svc.stderr();
    expect(stderr).toMatch(/PostgreSQL/);
    expect(stderr).toContain('127.0.0.1:1');
    expect(stderr).toMatch(/ECONNREFUSED|refused/);
    expect(stderr).toContain('DATABASE_URL');
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(svc.stdout() + stderr).not.toContain('hunter2-not-for-logs');
  });

  it('fails clearly on a database name that does not exist, and does not create it', async () => {
    const missing = `csat_missing_${randomUUID().slice(0, 8)}`;
    const u = new URL(inject('databaseUrl'));
    u.pathname = `/${missing}`;
    const svc = startService({ DATABASE_URL: u.toString() });
    const { code } = await within(svc.exited, 15_000, 'exit with a missing database');
    expect(code).not.toBe(0);
    expect(svc.stderr()).toContain(`database "${missing}" does not exist`);
    expect(svc.stderr()).toContain('DATABASE_URL');
    const { rowCount } = await pool.query('select 1 from pg_database where datname = $1', [missing]);
    if (rowCount) await pool.query(`drop database if exists "${missing}" with (force)`); // leave the server clean
    expect(rowCount).toBe(0);
  });

  it('refuses NODE_ENV=production without AUTH_* settings: exit code 2, naming AUTH_JWKS_URL', async () => {
    const svc = startService({ NODE_ENV: 'production', DATABASE_URL: inject('databaseUrl'), AUTH_JWT_SECRET: undefined });
    const { code } = await within(svc.exited, 15_000, 'exit on invalid production config');
    expect(code).toBe(2);
    expect(svc.stderr()).toContain('AUTH_JWKS_URL');
    expect(svc.stderr()).not.toMatch(/^\s+at /m);
    expect(svc.stdout()).not.toContain('csat-subgraph listening');
  });
});

// The service as an operator runs it: a real process (`node dist/src/main.js`, what `npm start` runs after its
// build), started and stopped by its own pid (never through npm/npx, whose pid is not the server's), with
// signals and exit codes.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testPool } from './helpers/fixtures.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NODE = path.join(ROOT, 'node_modules/.bin/node');

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
  for (const [k, v] of Object.entries({ PORT: '0', LOG_LEVEL: 'info', ...env })) if (v !== undefined) out[k] = v;
  return out;
}

function startService(env: Record<string, string | undefined>): Service {
  const child = spawn(NODE, ['dist/src/main.js'], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
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
let tempDir: string | undefined;
beforeAll(() => {
  // The build `npm start` runs first (prestart): tsc to dist/ plus the files the code reads beside it.
  execFileSync(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/build.ts'], { cwd: ROOT, stdio: 'inherit' });
  pool = testPool();
}, 120_000);
afterAll(async () => {
  // Nothing may outlive the tests: children first (by their own pid), then any PostgreSQL they left behind.
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
  }
  if (tempDir) {
    for (const pid of postgresPidsFor(tempDir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await rm(tempDir, { recursive: true, force: true });
  }
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

  it('without DATABASE_URL runs its own PostgreSQL with demo data, stops it on SIGTERM, and keeps the data for the next start', async () => {
    // As root the embedded server runs as `postgres`, which must be able to enter the directory (mkdtemp makes 0700).
    tempDir = await mkdtemp(path.join(tmpdir(), 'csat-process-test-'));
    await chmod(tempDir, 0o755);
    const dataDir = path.join(tempDir, 'pgdata');
    const env = { EMBEDDED_PG_DIR: dataDir };

    // First start: initialises, seeds, prints the banner.
    const first = startService(env);
    const banner = await first.waitForStdout(/See it as the agent would[^\n]*\n[^\n]*\n[^\n]*\n/, 25_000).then(() => first.stdout());
    const url = await listeningUrl(first, 1_000);
    expect(banner).toContain(`csat-subgraph is running at ${url}`);
    expect(banner).toMatch(/, just seeded\)/);
    const [, ticketId, customerToken] = banner.match(/Customer token \(requester of ticket ([0-9a-f-]{36})\):\n\s+(\S+)/)!;
    const [, agentToken] = banner.match(/Agent token:\n\s+(\S+)/)!;
    expect(customerToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(agentToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(postgresPidsFor(dataDir).length).toBeGreaterThan(0);

    // The banner's operation, as printed, works.
    const rateBody = banner.match(/-H "authorization: Bearer \S+" \\\n\s+-d '(\{"query":"mutation[^\n]*\})'\n/)![1]!;
    expect(JSON.parse(rateBody).variables).toEqual({ t: ticketId });
    const rated = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${customerToken}` },
      body: rateBody,
    }).then((r) => r.json() as Promise<{ data?: any; errors?: unknown }>);
    expect(rated.errors).toBeUndefined();
    expect(rated.data.rateTicket).toMatchObject({ id: ticketId, csatRating: 5, csatComment: 'Thanks!', csatCanRate: false });

    first.child.kill('SIGTERM');
    expect(await within(first.exited, 10_000, 'first run: exit after SIGTERM')).toEqual({ code: 0, signal: null });
    expect(logLines(first).map((l) => l.msg)).toContain('stopped');
    expect(postgresPidsFor(dataDir)).toEqual([]);

    // Second start on the same directory: no new seed, and the first run's rating is still there.
    const second = startService(env);
    const banner2 = await second.waitForStdout(/See it as the agent would[^\n]*\n[^\n]*\n[^\n]*\n/, 20_000).then(() => second.stdout());
    const url2 = await listeningUrl(second, 1_000);
    expect(banner2).toContain(`csat-subgraph is running at ${url2}`);
    expect(banner2).not.toContain(', just seeded');
    const [, agentToken2] = banner2.match(/Agent token:\n\s+(\S+)/)!;
    const seen = await fetch(url2, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${agentToken2}` },
      body: JSON.stringify({
        query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id csatRating csatComment csatRatedAt } } }',
        variables: { r: [{ __typename: 'Ticket', id: ticketId }] },
      }),
    }).then((r) => r.json() as Promise<{ data?: any; errors?: unknown }>);
    expect(seen.errors).toBeUndefined();
    expect(seen.data._entities[0]).toMatchObject({ id: ticketId, csatRating: 5, csatComment: 'Thanks!' });
    expect(seen.data._entities[0].csatRatedAt).toBe(rated.data.rateTicket.csatRatedAt);

    second.child.kill('SIGTERM');
    expect(await within(second.exited, 10_000, 'second run: exit after SIGTERM')).toEqual({ code: 0, signal: null });
    expect(postgresPidsFor(dataDir)).toEqual([]);
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
    const svc = startService({ NODE_ENV: 'production', DATABASE_URL: inject('databaseUrl') });
    const { code } = await within(svc.exited, 15_000, 'exit on invalid production config');
    expect(code).toBe(2);
    expect(svc.stderr()).toContain('AUTH_JWKS_URL');
    expect(svc.stderr()).not.toMatch(/^\s+at /m);
    expect(svc.stdout()).not.toContain('csat-subgraph listening');
  });
});

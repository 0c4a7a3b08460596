// `npm run bench:pooler` — the service behind PgBouncer in transaction mode against the service connecting
// directly, same run, same database: an agent's `_entities` page of 50 tickets and a customer's first rating.
// Three built services (`node dist/src/main.js`, NODE_ENV=production) side by side:
//   direct           DATABASE_URL → PostgreSQL, hot statements prepared under a name (the default);
//   direct, unnamed  the same with DB_PREPARED_STATEMENTS=off (what the unnamed statements alone cost);
//   PgBouncer        DATABASE_URL → PgBouncer (dev/pgbouncer.ts, pool_mode=transaction), DB_POOL_MODE=transaction
//                    (so unnamed), the timeouts as the role's settings, migrations directly.
// autocannon on loopback, 10 connections, a fixed number of requests per run after a warm-up, the three
// alternated in turn each round (in swapped order every other round: this machine's speed drifts). CPU from /proc:
// the service, PostgreSQL's processes, PgBouncer's. Options: --rounds R (default 3), --entities N, --ratings N.
import autocannon from 'autocannon';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { freePort } from '../dev/embedded.postgres.js';
import { startPgBouncer, type PgBouncer } from '../dev/pgbouncer.js';
import { createThrowawayDatabase } from '../dev/throwaway.database.js';
import { signDevToken } from '../src/auth/token.signer.js';
import { cpuSeconds, postgresCpuBetween, postgresCpuSnapshot, waitUntilServing, PRODUCTION_LINK_ENV } from './bench.process.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    entities: { type: 'string', default: '4000' },
    ratings: { type: 'string', default: '2000' },
  },
});
const ROUNDS = Number(values.rounds);
const ENTITIES = Number(values.entities);
const RATINGS = Number(values.ratings);
const CONNECTIONS = 10;
const SECRET = 'pooler-bench-secret-pooler-bench-secret-0123';
const AUTH = { AUTH_JWT_SECRET: SECRET, AUTH_ISSUER: 'csat-bench', AUTH_AUDIENCE: 'csat' };
const NODE = path.resolve('node_modules/.bin/node');

execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { stdio: 'inherit' });
const db = await createThrowawayDatabase(`csat_bench_pooler_${process.pid}`, { serverUrl: process.env.DATABASE_URL });
const children: ChildProcess[] = [];
let bouncer: PgBouncer | undefined;
try {
  const ws = randomUUID();
  const agent = randomUUID();
  const customer = randomUUID();
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  // As bench/resources.bench.ts: 10,000 tickets of every status, about half rated; fresh resolved ones to rate.
  await pool.query(
    `insert into ticket (workspace_id, ref, subject, status, requester_id, assignee_id, created_at)
     select $1, 'B-' || g, 'Ticket ' || g, (array['new','open','pending','resolved','closed'])[1 + g % 5], $2, $3, now() - make_interval(secs => 10000 - g)
       from generate_series(1, 10000) g`,
    [ws, customer, agent],
  );
  await pool.query(
    `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_by, assignee_id)
     select workspace_id, id, 1 + (hashtext(id::text) & 3), case when hashtext(ref) % 2 = 0 then 'Comment for ' || ref end, requester_id, assignee_id
       from ticket where workspace_id = $1 and (hashtext(ref) & 1) = 0`,
    [ws],
  );
  const fresh = (RATINGS + 300) * ROUNDS * 3;
  await pool.query(
    `insert into ticket (workspace_id, ref, subject, status, requester_id, assignee_id)
     select $1, 'F-' || g, 'Fresh ' || g, 'resolved', $2, $3 from generate_series(1, $4::int) g`,
    [ws, customer, agent, fresh],
  );
  await pool.query('analyze');
  const page = (await pool.query<{ id: string }>(`select id from ticket where workspace_id = $1 and ref like 'B-%' order by random() limit 50`, [ws])).rows;
  const freshIds = (await pool.query<{ id: string }>(`select id from ticket where workspace_id = $1 and ref like 'F-%' order by ref`, [ws])).rows.map((r) => r.id);
  // Behind a transaction pooler the service's timeouts are the role's settings (docs/deploy.md); the direct
  // services SET theirs on each connection, which overrides these.
  const dbName = new URL(db.url).pathname.slice(1);
  for (const set of ['statement_timeout = 5000', 'lock_timeout = 2000', 'idle_in_transaction_session_timeout = 8000', 'jit = off'])
    await pool.query(`alter role current_user in database "${dbName}" set ${set}`);
  await pool.end();

  // PgBouncer's pool as large as the service's (10): the comparison is of the path, not of the pool sizes.
  bouncer = await startPgBouncer(db.url, { default_pool_size: '10' });
  const pooledUrl = bouncer.url(db.url);
  const bouncerPid = bouncer.pid;

  const claims = { issuer: AUTH.AUTH_ISSUER, audience: AUTH.AUTH_AUDIENCE, ttlSeconds: 3600 };
  const agentToken = await signDevToken({ role: 'agent', sub: agent, workspace: ws }, SECRET, claims);
  const customerToken = await signDevToken({ role: 'customer', sub: customer, workspace: ws }, SECRET, claims);

  async function start(env: Record<string, string>) {
    const port = await freePort();
    const child = spawn(NODE, ['dist/src/main.js'], {
      env: { PATH: process.env.PATH!, NODE_ENV: 'production', ...PRODUCTION_LINK_ENV, ...AUTH, PORT: String(port), CSAT_WORKER: 'off', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return { pid: child.pid!, url: await waitUntilServing(child, 'csat', `http://127.0.0.1:${port}/graphql`) };
  }
  const services = {
    direct: await start({ DATABASE_URL: db.url }),
    'direct, unnamed': await start({ DATABASE_URL: db.url, DB_PREPARED_STATEMENTS: 'off' }),
    PgBouncer: await start({ DATABASE_URL: pooledUrl, MIGRATION_DATABASE_URL: db.url, DB_POOL_MODE: 'transaction' }),
  };

  const headers = (token: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` });
  const entitiesBody = JSON.stringify({
    query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id csatRating csatComment csatRatedAt csatCanRate } } }',
    variables: { r: page.map((t) => ({ __typename: 'Ticket', id: t.id })) },
  });
  let next = 0;
  const rateBody = () =>
    JSON.stringify({ query: 'mutation($id: ID!, $n: Int!) { rateTicket(ticketId: $id, rating: $n) { id csatRating } }', variables: { id: freshIds[next++]!, n: 1 + (next % 5) } });
  const workloads = {
    '_entities, 50 tickets': (url: string, amount: number): autocannon.Options => ({ url, method: 'POST', headers: headers(agentToken), body: entitiesBody, amount, connections: CONNECTIONS }),
    'rateTicket, first rating': (url: string, amount: number): autocannon.Options => ({
      url,
      method: 'POST',
      headers: headers(customerToken),
      requests: [{ setupRequest: (req) => ({ ...req, body: rateBody() }) }],
      amount,
      connections: CONNECTIONS,
    }),
  };

  interface Sample { rps: number; p50: number; p99: number; service: number; postgres: number; pgbouncer: number; errors: number }
  const samples = new Map<string, Sample[]>();
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [work, options] of Object.entries(workloads)) {
      const amount = work.startsWith('_entities') ? ENTITIES : RATINGS;
      const order = Object.entries(services);
      for (const [name, s] of round % 2 ? order : order.reverse()) {
        const w = await autocannon(options(s.url, 300));
        const cpu0 = cpuSeconds(s.pid);
        const b0 = cpuSeconds(bouncerPid);
        const pg0 = postgresCpuSnapshot();
        const started = performance.now();
        const r = await autocannon(options(s.url, amount));
        const seconds = (performance.now() - started) / 1000;
        const per1000 = (seconds: number) => (seconds * 1000) / r.requests.total;
        const sample: Sample = {
          // Requests over wall-clock time (autocannon's per-second average is coarse over a fixed amount).
          rps: r.requests.total / seconds,
          p50: r.latency.p50,
          p99: r.latency.p99,
          service: per1000(cpuSeconds(s.pid) - cpu0),
          postgres: per1000(postgresCpuBetween(pg0, postgresCpuSnapshot())),
          pgbouncer: per1000(cpuSeconds(bouncerPid) - b0),
          errors: w.errors + w.non2xx + r.errors + r.non2xx,
        };
        const key = `${work} | ${name}`;
        samples.set(key, [...(samples.get(key) ?? []), sample]);
        console.log(`round ${round}: ${key}: ${Math.round(sample.rps)} req/s, p50 ${sample.p50} ms, p99 ${sample.p99} ms, errors ${sample.errors}`);
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  console.log(`\n${cpus().length} cores; ${CONNECTIONS} connections; ${ENTITIES} pages / ${RATINGS} ratings per run after 300 warm-up; ${ROUNDS} rounds, medians; Node ${process.versions.node}`);
  console.log('| run | via | req/s | p50 ms | p99 ms | service CPU-s / 1000 | PostgreSQL CPU-s / 1000 | PgBouncer CPU-s / 1000 | errors |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [key, xs] of samples) {
    const [work, name] = key.split(' | ');
    const m = (f: (s: Sample) => number, digits = 2) => median(xs.map(f)).toFixed(digits);
    console.log(
      `| ${work} | ${name} | ${m((s) => s.rps, 0)} | ${m((s) => s.p50, 0)} | ${m((s) => s.p99, 0)} | ${m((s) => s.service)} | ${m((s) => s.postgres)} | ${name === 'PgBouncer' ? m((s) => s.pgbouncer) : '-'} | ${xs.reduce((n, s) => n + s.errors, 0)} |`,
    );
  }
} finally {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
  await bouncer?.stop();
  await db.drop();
}

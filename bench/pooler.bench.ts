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
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startPgBouncer, type PgBouncer } from '../dev/pgbouncer.js';
import { createThrowawayDatabase } from '../dev/throwaway.database.js';
import { BenchProcesses, buildService, cpuSince, PRODUCTION_LINK_ENV } from './bench.process.js';
import { benchAuth, CONNECTIONS, seedWorkload } from './service.workload.js';

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
const SECRET = 'pooler-bench-secret-pooler-bench-secret-0123';

buildService();
const db = await createThrowawayDatabase(`csat_bench_pooler_${process.pid}`, { serverUrl: process.env.DATABASE_URL });
const processes = new BenchProcesses();
let bouncer: PgBouncer | undefined;
try {
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  // The same data as bench/resources.bench.ts (bench/service.workload.ts); fresh tickets for every service's ratings.
  const workload = await seedWorkload(pool, SECRET, (RATINGS + 300) * ROUNDS * 3);
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

  const start = (env: Record<string, string>) =>
    processes.startService({ NODE_ENV: 'production', ...PRODUCTION_LINK_ENV, ...benchAuth(SECRET), CSAT_WORKER: 'off', LOG_LEVEL: 'warn', ...env });
  const services = {
    direct: await start({ DATABASE_URL: db.url }),
    'direct, unnamed': await start({ DATABASE_URL: db.url, DB_PREPARED_STATEMENTS: 'off' }),
    PgBouncer: await start({ DATABASE_URL: pooledUrl, MIGRATION_DATABASE_URL: db.url, DB_POOL_MODE: 'transaction' }),
  };
  const workloads = { '_entities, 50 tickets': workload.entities, 'rateTicket, first rating': workload.ratings };

  interface Sample { rps: number; p50: number; p99: number; service: number; postgres: number; pgbouncer: number; errors: number }
  const samples = new Map<string, Sample[]>();
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [work, options] of Object.entries(workloads)) {
      const amount = work.startsWith('_entities') ? ENTITIES : RATINGS;
      const order = Object.entries(services);
      for (const [name, s] of round % 2 ? order : order.reverse()) {
        const w = await autocannon(options(s.url, 300));
        const cpu = cpuSince({ service: s.pid, pgbouncer: bouncerPid });
        const started = performance.now();
        const r = await autocannon(options(s.url, amount));
        const seconds = (performance.now() - started) / 1000;
        const spent = cpu();
        const per1000 = (seconds: number) => (seconds * 1000) / r.requests.total;
        const sample: Sample = {
          // Requests over wall-clock time (autocannon's per-second average is coarse over a fixed amount).
          rps: r.requests.total / seconds,
          p50: r.latency.p50,
          p99: r.latency.p99,
          service: per1000(spent.service),
          postgres: per1000(spent.postgres),
          pgbouncer: per1000(spent.pgbouncer),
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
  await processes.stopAll('SIGTERM');
  await bouncer?.stop();
  await db.drop();
}

// `npm run bench:resources` — what one replica needs, for docs/deploy.md: resident memory idle and under load,
// and CPU seconds per 1,000 requests (an agent's `_entities` page of 50 tickets; a customer's first rating).
// The built service (`node dist/src/main.js`, NODE_ENV=production, LOG_LEVEL info as deployed, logs to
// /dev/null) on DATABASE_URL's server (a throwaway database) or an embedded one; autocannon on loopback with
// 10 connections and a fixed number of requests; CPU = utime + stime from /proc/<pid>/stat before and after
// each run, RSS = VmRSS (VmHWM: the peak) from /proc/<pid>/status. Also PostgreSQL's CPU (a local server only)
// and the webhook worker's idle RSS. Options: --rounds R (default 3), --entities N, --ratings N per round,
// --max-old-space MB (the service's V8 old-space limit, as NODE_OPTIONS=--max-old-space-size would set it).
import autocannon from 'autocannon';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createThrowawayDatabase } from '../dev/throwaway.database.js';
import { BenchProcesses, buildService, cpuSince, memoryBytes, PRODUCTION_LINK_ENV } from './bench.process.js';
import { benchAuth, CONNECTIONS, seedWorkload } from './service.workload.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    entities: { type: 'string', default: '5000' },
    ratings: { type: 'string', default: '3000' },
    'max-old-space': { type: 'string' },
  },
});
const ROUNDS = Number(values.rounds);
const ENTITIES = Number(values.entities);
const RATINGS = Number(values.ratings);
const SECRET = 'resources-bench-secret-resources-bench-0123';

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

buildService();
const db = await createThrowawayDatabase(`csat_bench_resources_${process.pid}`, { serverUrl: process.env.DATABASE_URL });
const processes = new BenchProcesses();
try {
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const workload = await seedWorkload(pool, SECRET, (RATINGS + 500) * ROUNDS);
  await pool.end();

  const env = { NODE_ENV: 'production', ...PRODUCTION_LINK_ENV, DATABASE_URL: db.url, ...benchAuth(SECRET), CSAT_WORKER: 'off' };
  const heap = values['max-old-space'] ? [`--max-old-space-size=${values['max-old-space']}`] : [];
  const csat = await processes.startService(env, heap);
  await sleep(10_000);
  const idleRss = memoryBytes(csat.pid, 'VmRSS');
  const entities = (amount: number) => workload.entities(csat.url, amount);
  const ratings = (amount: number) => workload.ratings(csat.url, amount);

  const rows: string[] = [];
  async function measure(name: string, warm: autocannon.Options, run: autocannon.Options) {
    const w = await autocannon(warm);
    const cpu = cpuSince({ service: csat.pid });
    const r = await autocannon(run);
    const spent = cpu();
    const errors = w.errors + w.non2xx + r.errors + r.non2xx;
    const per1000 = (s: number) => ((s * 1000) / r.requests.total).toFixed(2);
    rows.push(
      `${name.padEnd(34)} ${String(r.requests.total).padStart(6)} req  ${String(Math.round(r.requests.average)).padStart(5)} req/s  ` +
        `service ${per1000(spent.service)} CPU-s/1000  PostgreSQL ${per1000(spent.postgres)} CPU-s/1000  RSS ${mib(memoryBytes(csat.pid, 'VmRSS'))}  errors ${errors}`,
    );
    console.log(rows.at(-1));
  }
  for (let round = 1; round <= ROUNDS; round++) {
    await measure(`_entities, 50 tickets (round ${round})`, entities(1000), entities(ENTITIES));
    await measure(`rateTicket, first rating (round ${round})`, ratings(500), ratings(RATINGS));
  }
  const peakRss = memoryBytes(csat.pid, 'VmHWM');
  await sleep(10_000);
  const afterRss = memoryBytes(csat.pid, 'VmRSS');
  await processes.stop(csat.child, 'SIGTERM');

  // The webhook worker alone, idle.
  const worker = await processes.startWorker({ ...env, CSAT_WORKER: 'on' });
  await sleep(10_000);
  const workerRss = memoryBytes(worker.pid!, 'VmRSS');
  await processes.stop(worker, 'SIGTERM');

  console.log(`\nservice RSS: idle after start ${mib(idleRss)}, peak under load ${mib(peakRss)}, idle after the load ${mib(afterRss)}; worker idle ${mib(workerRss)}`);
  console.log(`(${CONNECTIONS} connections, Node ${process.versions.node}, ${rows.length / 2} rounds${heap.length ? `, ${heap[0]}` : ''})`);
} finally {
  await processes.stopAll('SIGKILL');
  await db.drop();
}

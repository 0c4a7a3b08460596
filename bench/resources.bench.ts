// `npm run bench:resources` — what one replica needs, for docs/deploy.md: resident memory idle and under load,
// and CPU seconds per 1,000 requests (an agent's `_entities` page of 50 tickets; a customer's first rating).
// The built service (`node dist/src/main.js`, NODE_ENV=production, LOG_LEVEL info as deployed, logs to
// /dev/null) on DATABASE_URL's server (a throwaway database) or an embedded one; autocannon on loopback with
// 10 connections and a fixed number of requests; CPU = utime + stime from /proc/<pid>/stat before and after
// each run, RSS = VmRSS (VmHWM: the peak) from /proc/<pid>/status. Also PostgreSQL's CPU (a local server only)
// and the webhook worker's idle RSS. Options: --rounds R (default 3), --entities N, --ratings N per round,
// --max-old-space MB (the service's V8 old-space limit, as NODE_OPTIONS=--max-old-space-size would set it).
import autocannon from 'autocannon';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { freePort } from '../dev/embedded.postgres.js';
import { createThrowawayDatabase } from '../dev/throwaway.database.js';
import { signDevToken } from '../src/auth/token.signer.js';
import { cpuSeconds, postgresCpuBetween, postgresCpuSnapshot, waitUntilServing, PRODUCTION_LINK_ENV } from './bench.process.js';

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
const CONNECTIONS = 10;
const SECRET = 'resources-bench-secret-resources-bench-0123';
const AUTH = { AUTH_JWT_SECRET: SECRET, AUTH_ISSUER: 'csat-bench', AUTH_AUDIENCE: 'csat' };
const NODE = path.resolve('node_modules/.bin/node');

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
function status(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { stdio: 'inherit' });
const db = await createThrowawayDatabase(`csat_bench_resources_${process.pid}`, { serverUrl: process.env.DATABASE_URL });
const children: ChildProcess[] = [];
try {
  const ws = randomUUID();
  const agent = randomUUID();
  const customer = randomUUID();
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  // 10,000 tickets of every status, about half of them rated; fresh resolved tickets for first ratings.
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
  const fresh = (RATINGS + 500) * ROUNDS;
  await pool.query(
    `insert into ticket (workspace_id, ref, subject, status, requester_id, assignee_id)
     select $1, 'F-' || g, 'Fresh ' || g, 'resolved', $2, $3 from generate_series(1, $4::int) g`,
    [ws, customer, agent, fresh],
  );
  await pool.query('analyze');
  const page = (await pool.query<{ id: string }>(`select id from ticket where workspace_id = $1 and ref like 'B-%' order by random() limit 50`, [ws])).rows;
  const freshIds = (await pool.query<{ id: string }>(`select id from ticket where workspace_id = $1 and ref like 'F-%' order by ref`, [ws])).rows.map((r) => r.id);
  await pool.end();

  const claims = { issuer: AUTH.AUTH_ISSUER, audience: AUTH.AUTH_AUDIENCE, ttlSeconds: 3600 };
  const agentToken = await signDevToken({ role: 'agent', sub: agent, workspace: ws }, SECRET, claims);
  const customerToken = await signDevToken({ role: 'customer', sub: customer, workspace: ws }, SECRET, claims);

  const port = await freePort();
  const env = { PATH: process.env.PATH!, NODE_ENV: 'production', ...PRODUCTION_LINK_ENV, DATABASE_URL: db.url, ...AUTH, PORT: String(port), CSAT_WORKER: 'off' };
  const heap = values['max-old-space'] ? [`--max-old-space-size=${values['max-old-space']}`] : [];
  const csat = spawn(NODE, [...heap, 'dist/src/main.js'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(csat);
  const url = await waitUntilServing(csat, 'csat', `http://127.0.0.1:${port}/graphql`);
  await sleep(10_000);
  const idleRss = status(csat.pid!, 'VmRSS');

  const headers = (token: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` });
  const entitiesBody = JSON.stringify({
    query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id csatRating csatComment csatRatedAt csatCanRate } } }',
    variables: { r: page.map((t) => ({ __typename: 'Ticket', id: t.id })) },
  });
  let next = 0;
  const rateBody = () =>
    JSON.stringify({ query: 'mutation($id: ID!, $n: Int!) { rateTicket(ticketId: $id, rating: $n) { id csatRating } }', variables: { id: freshIds[next++]!, n: 1 + (next % 5) } });
  const entities = (amount: number): autocannon.Options => ({ url, method: 'POST', headers: headers(agentToken), body: entitiesBody, amount, connections: CONNECTIONS });
  const ratings = (amount: number): autocannon.Options => ({
    url,
    method: 'POST',
    headers: headers(customerToken),
    requests: [{ setupRequest: (req) => ({ ...req, body: rateBody() }) }],
    amount,
    connections: CONNECTIONS,
  });

  const rows: string[] = [];
  async function measure(name: string, warm: autocannon.Options, run: autocannon.Options) {
    const w = await autocannon(warm);
    const cpu0 = cpuSeconds(csat.pid!);
    const pg0 = postgresCpuSnapshot();
    const r = await autocannon(run);
    const cpu = cpuSeconds(csat.pid!) - cpu0;
    const pgCpu = postgresCpuBetween(pg0, postgresCpuSnapshot());
    const errors = w.errors + w.non2xx + r.errors + r.non2xx;
    const per1000 = (s: number) => ((s * 1000) / r.requests.total).toFixed(2);
    rows.push(
      `${name.padEnd(34)} ${String(r.requests.total).padStart(6)} req  ${String(Math.round(r.requests.average)).padStart(5)} req/s  ` +
        `service ${per1000(cpu)} CPU-s/1000  PostgreSQL ${per1000(pgCpu)} CPU-s/1000  RSS ${mib(status(csat.pid!, 'VmRSS'))}  errors ${errors}`,
    );
    console.log(rows.at(-1));
  }
  for (let round = 1; round <= ROUNDS; round++) {
    await measure(`_entities, 50 tickets (round ${round})`, entities(1000), entities(ENTITIES));
    await measure(`rateTicket, first rating (round ${round})`, ratings(500), ratings(RATINGS));
  }
  const peakRss = status(csat.pid!, 'VmHWM');
  await sleep(10_000);
  const afterRss = status(csat.pid!, 'VmRSS');
  csat.kill('SIGTERM');
  await new Promise((r) => csat.once('exit', r));

  // The webhook worker alone, idle.
  const worker = spawn(NODE, ['dist/src/worker.main.js'], { env: { ...env, CSAT_WORKER: 'on' }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(worker);
  let out = '';
  worker.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  for (const t = Date.now(); !out.includes('webhook worker started') && Date.now() - t < 60_000; ) await sleep(100);
  await sleep(10_000);
  const workerRss = status(worker.pid!, 'VmRSS');
  worker.kill('SIGTERM');
  await new Promise((r) => worker.once('exit', r));

  console.log(`\nservice RSS: idle after start ${mib(idleRss)}, peak under load ${mib(peakRss)}, idle after the load ${mib(afterRss)}; worker idle ${mib(workerRss)}`);
  console.log(`(${CONNECTIONS} connections, Node ${process.versions.node}, ${rows.length / 2} rounds${heap.length ? `, ${heap[0]}` : ''})`);
} finally {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await db.drop();
}

// `npm run bench:webhooks`: what webhooks cost rateTicket, and how fast an event reaches its receiver.
// Prints figures and asserts nothing. The service runs in this process (createApp, as the tests run it), its
// worker too, against a throwaway database on DATABASE_URL's server (or an embedded PostgreSQL).
//  1. rateTicket requests/s for a workspace with no endpoint and one with one endpoint, interleaved rounds in
//     the same run, CONCURRENCY requests in flight;
//  2. delivery latency, from the rateTicket response (the commit) to the receiver's 200, at RATE ratings/s.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { pino } from 'pino';
import { createThrowawayDatabase } from '../dev/throwaway.database.js';
import { bundleRatePageInMemory } from '../dev/web.bundle.js';
import { createApp } from '../src/app.js';
import { signDevToken } from '../src/auth/token.signer.js';
import { loadConfig } from '../src/config/config.js';
import { startDeliveryWorker } from '../src/webhooks/delivery/delivery.worker.js';
import { systemLookup } from '../src/webhooks/url.guard.js';
import { deliveryJobKey, deliveryJobPayload, DELIVER_TASK } from '../src/webhooks/rating.event.sql.js';
import { postgresCpuBetween, postgresCpuSnapshot } from './bench.process.js';

const SECRET = 'webhook-bench-secret-webhook-bench-secret-0123';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PER_ROUND = Number(process.env.BENCH_RATINGS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 500);
const HISTORY = Number(process.env.BENCH_HISTORY ?? 100_000);
// BENCH_BACKLOG=N: after the warm-up, N deliveries of a down endpoint wait for their retry in an hour (a backlog).
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 0);
const LATENCY_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RATE_TICKET = 'mutation($t: ID!, $r: Int!) { rateTicket(ticketId: $t, rating: $r) { id csatRating } }';

const db = await createThrowawayDatabase(`csat_bench_webhooks_${process.pid}`, { serverUrl: process.env.DATABASE_URL });
const pool = new pg.Pool({ connectionString: db.url, max: 4 });
const received = new Map<string, number>();
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = performance.now();
    const ticketId = JSON.parse(Buffer.concat(chunks).toString('utf8')).data.ticketId as string;
    if (!received.has(ticketId)) received.set(ticketId, at);
    res.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

// BENCH_WORKER=later: no worker during the throughput part (what the enqueue alone costs), one started after it.
const workerLater = process.env.BENCH_WORKER === 'later';
const config = loadConfig({ DATABASE_URL: db.url, PORT: '0', AUTH_JWT_SECRET: SECRET, LOG_LEVEL: 'warn', WEBHOOKS_ALLOW_LOOPBACK: 'true', CSAT_WORKER: workerLater ? 'off' : 'on' });
// From the sources: no `npm run build` needed first (the rating page's script, else read from dist/web).
bundleRatePageInMemory();
const app = await createApp({ ...config, databaseUrl: db.url }, pino({ level: 'warn' }));
const url = await app.listen();

async function workspace(withEndpoint: boolean, tickets: number) {
  const ws = randomUUID();
  const customer = randomUUID();
  const { rows } = await pool.query<{ id: string }>(
    `insert into ticket (id, workspace_id, ref, subject, status, requester_id, assignee_id)
     select gen_random_uuid(), $1, 'B-' || n, 'bench', 'resolved', $2, gen_random_uuid() from generate_series(1, $3) n returning id`,
    [ws, customer, tickets],
  );
  if (withEndpoint) {
    await pool.query(`insert into csat_webhook (workspace_id, url, events, secret) values ($1, $2, array['csat.rating.created'], $3)`, [ws, receiverUrl, 'whsec_' + Buffer.alloc(24, 7).toString('base64')]);
  }
  return { ids: rows.map((r) => r.id), token: await signDevToken({ sub: customer, role: 'customer', workspace: ws }, SECRET) };
}

async function rate(token: string, ticketId: string): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: RATE_TICKET, variables: { t: ticketId, r: 1 + (ticketId.charCodeAt(0) % 5) } }),
  });
  const body = (await res.json()) as { errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
}

interface Round {
  rps: number;
  /** CPU ms per rating of this process (service, its worker, the receiver and the load generator) and of PostgreSQL. */
  nodeMs: number;
  pgMs: number;
}

/** Requests/s rating every id with CONCURRENCY in flight, and the CPU it took. */
async function throughput(token: string, ids: string[]): Promise<Round> {
  let next = 0;
  const cpu = process.cpuUsage();
  const pg0 = postgresCpuSnapshot();
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < ids.length) await rate(token, ids[next++]!);
  }));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { rps: ids.length / seconds, nodeMs: (used.user + used.system) / 1000 / ids.length, pgMs: (postgresCpuBetween(pg0, postgresCpuSnapshot()) * 1000) / ids.length };
}

/**
 * A database that has been in use: HISTORY past ratings (over 100 workspaces), each with its event and a
 * delivered delivery, then `analyze`. A service started on empty tables caches generic plans made for empty
 * tables (foreign-key checks included) until autovacuum's analyze invalidates them: that measures a first
 * minute, not a service (docs/performance.md, "Plans cached on empty tables").
 */
async function seedHistory(n: number) {
  if (n <= 0) return;
  // One endpoint per history workspace: a delivery's endpoint and event are its own workspace's (composite foreign keys).
  await pool.query(
    `with w as (
       insert into csat_webhook (workspace_id, url, events, secret)
       select ('00000000-0000-4000-8c00-' || lpad(to_hex(n), 12, '0'))::uuid, $2, array['csat.rating.created'], 'whsec_aGlzdG9yeQ==' from generate_series(0, 99) n
       returning id, workspace_id
     ), t as (
       insert into ticket (id, workspace_id, ref, subject, status, requester_id, assignee_id)
       select gen_random_uuid(), ('00000000-0000-4000-8c00-' || lpad(to_hex(n % 100), 12, '0'))::uuid, 'H-' || n, 'history', 'closed', gen_random_uuid(), gen_random_uuid()
         from generate_series(1, $1) n returning id, workspace_id, requester_id, assignee_id
     ), r as (
       insert into csat_rating (workspace_id, ticket_id, rating, rated_by, assignee_id, rated_at)
       select workspace_id, id, 1 + floor(random() * 5)::int, requester_id, assignee_id, now() - random() * interval '365 days' from t
       returning workspace_id, ticket_id, rating, rated_at
     ), e as (
       insert into csat_event (workspace_id, type, payload)
       select workspace_id, 'csat.rating.created', jsonb_build_object('ticketId', ticket_id, 'rating', rating) from r returning id, workspace_id
     )
     insert into csat_delivery (workspace_id, event_id, webhook_id, status, next_attempt_at) select e.workspace_id, e.id, w.id, 'SUCCEEDED', null from e join w using (workspace_id)`,
    [n, receiverUrl],
  );
}

await seedHistory(HISTORY);
const none = await workspace(false, ROUNDS * PER_ROUND + WARMUP);
const one = await workspace(true, ROUNDS * PER_ROUND + WARMUP);
await pool.query('vacuum analyze');
// Warm-up: connections, prepared statements, JIT.
await throughput(none.token, none.ids.splice(0, WARMUP));
await throughput(one.token, one.ids.splice(0, WARMUP));
if (BACKLOG > 0) {
  // The plans the warm-up cached saw a short queue: the queue now backs up, as when an endpoint is down for hours.
  await pool.query(
    `with w as (insert into csat_webhook (workspace_id, url, events, secret) values (gen_random_uuid(), 'http://127.0.0.1:9/down', array['csat.rating.created'], 'whsec_ZG93bg==') returning id, workspace_id),
          e as (insert into csat_event (workspace_id, type, payload) select w.workspace_id, 'csat.rating.created', '{}' from w, generate_series(1, $1) returning id, workspace_id),
          d as (insert into csat_delivery (workspace_id, event_id, webhook_id, next_attempt_at) select e.workspace_id, e.id, w.id, now() + interval '1 hour' from e join w using (workspace_id) returning id, workspace_id)
     select count(*) from graphile_worker.add_jobs(array(select row('${DELIVER_TASK}', ${deliveryJobPayload('d')}, null, now() + interval '1 hour', null,
              ${deliveryJobKey('d.id::text')}, null, null)::graphile_worker.job_spec from d))`,
    [BACKLOG],
  );
  console.log(`\na backlog of ${BACKLOG} queued retries (due in an hour) after the warm-up`);
}
const figures: { none: Round; one: Round }[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const a = await throughput(none.token, none.ids.splice(0, PER_ROUND));
  const b = await throughput(one.token, one.ids.splice(0, PER_ROUND));
  figures.push({ none: a, one: b });
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const col = (k: 'none' | 'one', f: keyof Round) => median(figures.map((r) => r[k][f]));
const rpsNone = col('none', 'rps');
const rpsOne = col('one', 'rps');
console.log(`\nrateTicket, ${CONCURRENCY} in flight, ${ROUNDS} interleaved rounds of ${PER_ROUND} (median round; worker ${workerLater ? 'started after this part' : 'in this process'}):`);
for (const k of ['none', 'one'] as const) {
  console.log(`  ${k === 'none' ? 'no endpoint: ' : 'one endpoint:'}  ${col(k, 'rps').toFixed(0)} requests/s   rounds: ${figures.map((f) => f[k].rps.toFixed(0)).join(', ')}` +
    `   CPU ms per rating: this process ${col(k, 'nodeMs').toFixed(2)}, PostgreSQL ${col(k, 'pgMs').toFixed(2)}`);
}
console.log(`  ratio:         ${(rpsOne / rpsNone).toFixed(2)}x (goal: at least 0.8x)`);

const lateWorker = workerLater ? await startDeliveryWorker({ databaseUrl: db.url, config: config.webhooks, lookup: systemLookup, logger: pino({ level: 'warn' }) }) : undefined;

// The first part's deliveries (ROUNDS × PER_ROUND) drain before the latency part, so it starts with an empty queue.
const drainStarted = performance.now();
const pending = async () => Number((await pool.query(`select count(*) from csat_delivery where status = 'PENDING'`)).rows[0].count);
let left = await pending();
const backlog = left;
while (left > 0 && performance.now() - drainStarted < 120_000) {
  await new Promise((r) => setTimeout(r, 200));
  left = await pending();
}
console.log(`\nWorker: drained a backlog of ${backlog} deliveries in ${((performance.now() - drainStarted) / 1000).toFixed(1)} s after the load (${left} left)`);

// Latency at RATE ratings/s: one rating every 1000/RATE ms, each timed from its response to its delivery.
const paced = await workspace(true, RATE * LATENCY_SECONDS);
received.clear();
const responded = new Map<string, number>();
const inFlight = new Set<Promise<void>>();
const startedAt = performance.now();
for (let i = 0; i < paced.ids.length; i++) {
  const due = startedAt + (i * 1000) / RATE;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  // At most 2 × CONCURRENCY in flight: a machine that cannot keep RATE up reports the rate it achieved instead.
  while (inFlight.size >= 2 * CONCURRENCY) await Promise.race(inFlight);
  const id = paced.ids[i]!;
  const p: Promise<void> = rate(paced.token, id).then(() => {
    responded.set(id, performance.now());
    inFlight.delete(p);
  });
  inFlight.add(p);
}
await Promise.all(inFlight);
const deadline = performance.now() + 30_000;
while (received.size < paced.ids.length && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
const latencies = paced.ids.filter((id) => received.has(id)).map((id) => Math.max(0, received.get(id)! - responded.get(id)!)).sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
const achieved = paced.ids.length / ((Math.max(...responded.values()) - startedAt) / 1000);

console.log(`\nDelivery latency, commit (rateTicket's response) to the receiver, at ${RATE} ratings/s for ${LATENCY_SECONDS} s (achieved ${achieved.toFixed(0)}/s):`);
console.log(`  delivered ${latencies.length} of ${paced.ids.length}; p50 ${pct(50).toFixed(0)} ms, p99 ${pct(99).toFixed(0)} ms, max ${latencies.at(-1)!.toFixed(0)} ms (goal: p99 under 1 s)\n`);

await lateWorker?.stop();
await app.stop();
await new Promise<void>((resolve) => receiver.close(() => resolve()));
await pool.end();
await db.drop();

// `npm run bench:followups`: what opening a follow-up costs rateTicket (issue 22: "rateTicket with the follow-up
// trigger within 0.9x of without, same run"). Prints figures and asserts nothing. The service runs in this process
// (createApp, as the tests run it) against a throwaway database on DATABASE_URL's server (or an embedded PostgreSQL).
// Interleaved rounds in one run, CONCURRENCY requests in flight, ratings 1..5 in turn:
//   without: the trigger csat_rating_follow_up disabled (what rateTicket cost before follow-ups);
//   default: the trigger on, followUpBelow 2 (two ratings in five open a follow-up and its history row);
//   every:   the trigger on, followUpBelow 5 (every rating opens one: the most it can cost).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { createThrowawayDatabase } from '../dev/throwaway.database.js';
import { bundleRatePageInMemory } from '../dev/web.bundle.js';
import { createApp } from '../src/app.js';
import { signDevToken } from '../src/auth/token.signer.js';
import { loadConfig } from '../src/config/config.js';
import { postgresCpuBetween, postgresCpuSnapshot } from './bench.process.js';

const SECRET = 'followup-bench-secret-followup-bench-secret-01';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PER_ROUND = Number(process.env.BENCH_RATINGS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 500);
const HISTORY = Number(process.env.BENCH_HISTORY ?? 50_000);
const RATE_TICKET = 'mutation($t: ID!, $r: Int!) { rateTicket(ticketId: $t, rating: $r) { id csatRating } }';

const db = await createThrowawayDatabase(`csat_bench_followups_${process.pid}`, { serverUrl: process.env.DATABASE_URL });
const pool = new pg.Pool({ connectionString: db.url, max: 4 });
const config = loadConfig({ DATABASE_URL: db.url, PORT: '0', AUTH_JWT_SECRET: SECRET, LOG_LEVEL: 'warn', CSAT_WORKER: 'off' });
// From the sources: no `npm run build` needed first (the rating page's script, else read from dist/web).
bundleRatePageInMemory();
const app = await createApp({ ...config, databaseUrl: db.url }, pino({ level: 'warn' }));
const url = await app.listen();

type Kind = 'without' | 'default' | 'every';
const KINDS: Kind[] = ['without', 'default', 'every'];

async function workspace(followUpBelow: number, tickets: number) {
  const ws = randomUUID();
  const customer = randomUUID();
  const { rows } = await pool.query<{ id: string }>(
    `insert into ticket (id, workspace_id, ref, subject, status, requester_id, assignee_id)
     select gen_random_uuid(), $1, 'B-' || n, 'bench', 'resolved', $2, gen_random_uuid() from generate_series(1, $3) n returning id`,
    [ws, customer, tickets],
  );
  await pool.query(`insert into csat_settings (workspace_id, updated_by, follow_up_below) values ($1, $1, $2)`, [ws, followUpBelow]);
  return { ws, ids: rows.map((r) => r.id), token: await signDevToken({ sub: customer, role: 'customer', workspace: ws }, SECRET), n: 0 };
}

async function rate(token: string, ticketId: string, stars: number): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: RATE_TICKET, variables: { t: ticketId, r: stars } }),
  });
  const body = (await res.json()) as { errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
}

interface Round {
  rps: number;
  pgMs: number;
}

async function throughput(w: { token: string; ids: string[]; n: number }, count: number): Promise<Round> {
  const ids = w.ids.splice(0, count);
  let next = 0;
  const pg0 = postgresCpuSnapshot();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < ids.length) await rate(w.token, ids[next++]!, 1 + (w.n++ % 5));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { rps: ids.length / seconds, pgMs: (postgresCpuBetween(pg0, postgresCpuSnapshot()) * 1000) / ids.length };
}

const trigger = (on: boolean) => pool.query(`alter table csat_rating ${on ? 'enable' : 'disable'} trigger csat_rating_follow_up`);

// A database in use: HISTORY past ratings over 100 workspaces (their follow-ups opened by the trigger), analysed.
await pool.query(
  `with t as (
     insert into ticket (id, workspace_id, ref, subject, status, requester_id, assignee_id)
     select gen_random_uuid(), ('00000000-0000-4000-8c00-' || lpad(to_hex(n % 100), 12, '0'))::uuid, 'H-' || n, 'history', 'closed', gen_random_uuid(), gen_random_uuid()
       from generate_series(1, $1) n returning id, workspace_id, requester_id, assignee_id
   )
   insert into csat_rating (workspace_id, ticket_id, rating, rated_by, assignee_id, rated_at)
   select workspace_id, id, 1 + floor(random() * 5)::int, requester_id, assignee_id, now() - random() * interval '365 days' from t`,
  [HISTORY],
);
const per = ROUNDS * PER_ROUND + WARMUP;
const workspaces: Record<Kind, Awaited<ReturnType<typeof workspace>>> = { without: await workspace(2, per), default: await workspace(2, per), every: await workspace(5, per) };
await pool.query('vacuum analyze');

const figures: Record<Kind, Round[]> = { without: [], default: [], every: [] };
for (let round = -1; round < ROUNDS; round++) {
  for (const kind of KINDS) {
    await trigger(kind !== 'without');
    const r = await throughput(workspaces[kind], round < 0 ? WARMUP : PER_ROUND);
    if (round >= 0) figures[kind].push(r);
  }
}
await trigger(true);
const { rows: opened } = await pool.query<{ ws: string; n: number }>(
  `select workspace_id::text as ws, count(*)::int as n from csat_follow_up where workspace_id = any($1::uuid[]) group by 1`,
  [KINDS.map((k) => workspaces[k].ws)],
);

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
console.log(`\nrateTicket, ${CONCURRENCY} in flight, ${ROUNDS} interleaved rounds of ${PER_ROUND} after a warm-up of ${WARMUP} each, ${HISTORY} past ratings (median round):`);
for (const kind of KINDS) {
  const rps = figures[kind].map((r) => r.rps);
  console.log(`  ${kind.padEnd(8)} ${median(rps).toFixed(0)} requests/s   rounds: ${rps.map((x) => x.toFixed(0)).join(', ')}   PostgreSQL CPU ms per rating: ${median(figures[kind].map((r) => r.pgMs)).toFixed(2)}`);
}
const base = median(figures.without.map((r) => r.rps));
console.log(`  default/without: ${(median(figures.default.map((r) => r.rps)) / base).toFixed(2)}x   every/without: ${(median(figures.every.map((r) => r.rps)) / base).toFixed(2)}x   (goal: at least 0.9x)`);
const openedBy = new Map(opened.map((r) => [r.ws, r.n]));
console.log(`  follow-ups opened: ${KINDS.map((k) => `${k} ${openedBy.get(workspaces[k].ws) ?? 0}`).join(', ')}`);

await app.stop();
await pool.end();
await db.drop();

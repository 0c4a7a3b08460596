// `npm run bench:links`: the rating link's page against rateTicket, in the same run (issue 20). Prints figures and
// asserts nothing. The service runs in this process (createApp, as the tests run it) against a throwaway database
// on DATABASE_URL's server (or an embedded PostgreSQL). Open loop: each kind is sent at RATE requests/s on a fixed
// schedule, and a request's latency counts from its scheduled start (a slow answer delays no later request);
// interleaved rounds of SECONDS each: GET /rate/<token>?rating=4 (a different unrated ticket each time),
// POST /rate/<token> (a new rating each time), rateTicket through /graphql (a new rating each time).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { createThrowawayDatabase } from '../dev/throwaway.database.js';
import { bundleRatePageInMemory } from '../dev/web.bundle.js';
import { createApp } from '../src/app.js';
import { signDevToken } from '../src/auth/token.signer.js';
import { loadConfig } from '../src/config/config.js';
import { createLinkSigner } from '../src/rating-links/link.token.js';

const SECRET = 'links-bench-auth-secret-links-bench-auth-0123';
const LINK_SECRET = 'links-bench-link-secret-links-bench-link-0123';
const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 300);
const RATE_TICKET = 'mutation($t: ID!, $r: Int!) { rateTicket(ticketId: $t, rating: $r) { id csatRating } }';

const db = await createThrowawayDatabase(`csat_bench_links_${process.pid}`, { serverUrl: process.env.DATABASE_URL });
const pool = new pg.Pool({ connectionString: db.url, max: 4 });
const config = loadConfig({
  DATABASE_URL: db.url,
  PORT: '0',
  AUTH_JWT_SECRET: SECRET,
  RATING_LINK_SECRET: LINK_SECRET,
  LOG_LEVEL: 'warn',
  CSAT_WORKER: 'off',
  // One client address sends everything here; the limits are the route's work either way (they run on every request).
  RATING_LINK_RATE_LIMIT_IP: '1000000',
  RATING_LINK_RATE_LIMIT_TOKEN: '1000',
});
// From the sources: no `npm run build` needed first (the rating page's script, else read from dist/web).
bundleRatePageInMemory();
const app = await createApp({ ...config, databaseUrl: db.url }, pino({ level: 'warn' }));
const graphqlUrl = await app.listen();
const origin = new URL(graphqlUrl).origin;
const signer = createLinkSigner(config.ratingLinks);

const perRound = RATE * SECONDS;
const needed = WARMUP + ROUNDS * perRound;
const ws = randomUUID();
const customer = randomUUID();

/** `n` resolved tickets of the bench's customer, each with a rating link. */
async function tickets(n: number): Promise<{ id: string; token: string }[]> {
  const { rows } = await pool.query<{ id: string }>(
    `insert into ticket (id, workspace_id, ref, subject, status, requester_id, assignee_id)
     select gen_random_uuid(), $1, 'L-' || n, 'bench', 'resolved', $2, gen_random_uuid() from generate_series(1, $3) n returning id`,
    [ws, customer, n],
  );
  return Promise.all(rows.map(async ({ id }) => ({ id, token: (await signer.sign({ ticketId: id, workspaceId: ws, requesterId: customer })).token })));
}
// Some history, so the statements meet an index that is not empty.
await pool.query(
  `insert into csat_rating (workspace_id, ticket_id, rating, rated_by, rated_at) select $1, gen_random_uuid(), 1 + n % 5, $2, now() - n * interval '1 minute' from generate_series(1, 20000) n`,
  [ws, customer],
);
const forGet = await tickets(needed);
const forPost = await tickets(needed);
const forMutation = await tickets(needed);
await pool.query('vacuum analyze');
const customerToken = await signDevToken({ sub: customer, role: 'customer', workspace: ws }, SECRET);

type Kind = 'GET /rate' | 'POST /rate' | 'rateTicket';
const next: Record<Kind, number> = { 'GET /rate': 0, 'POST /rate': 0, rateTicket: 0 };

async function once(kind: Kind): Promise<void> {
  const i = next[kind]++;
  let res: Response;
  if (kind === 'GET /rate') {
    res = await fetch(`${origin}/rate/${forGet[i]!.token}?rating=4`);
    const text = await res.text();
    if (res.status !== 200 || !text.includes('data-page="prompt"')) throw new Error(`GET: ${res.status}`);
  } else if (kind === 'POST /rate') {
    res = await fetch(`${origin}/rate/${forPost[i]!.token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'rating=4&comment=Thanks' });
    const text = await res.text();
    if (res.status !== 200 || !text.includes('data-page="done"')) throw new Error(`POST: ${res.status}`);
  } else {
    res = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${customerToken}` },
      body: JSON.stringify({ query: RATE_TICKET, variables: { t: forMutation[i]!.id, r: 4 } }),
    });
    const body = (await res.json()) as { errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
  }
}

/** `count` requests of one kind at RATE/s; latencies in ms from each request's scheduled start. */
async function openLoop(kind: Kind, count: number): Promise<number[]> {
  const latencies: number[] = [];
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(once(kind).then(() => void latencies.push(performance.now() - due)));
  }
  await Promise.all(inFlight);
  return latencies;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const fmt = (x: number) => x.toFixed(2).padStart(7);

const kinds: Kind[] = ['GET /rate', 'POST /rate', 'rateTicket'];
for (const kind of kinds) await openLoop(kind, WARMUP / 3);
const all: Record<Kind, number[]> = { 'GET /rate': [], 'POST /rate': [], rateTicket: [] };
console.log(`rating links vs rateTicket: ${RATE} requests/s per kind, ${SECONDS} s per kind per round, ${ROUNDS} interleaved rounds, latency from the scheduled start (ms)`);
console.log(`round  kind         n       p50      p90      p99      max`);
for (let round = 1; round <= ROUNDS; round++) {
  for (const kind of round % 2 ? kinds : [...kinds].reverse()) {
    const l = await openLoop(kind, perRound);
    all[kind].push(...l);
    console.log(`${String(round).padStart(5)}  ${kind.padEnd(11)} ${String(l.length).padStart(5)} ${fmt(pct(l, 50))}  ${fmt(pct(l, 90))}  ${fmt(pct(l, 99))}  ${fmt(Math.max(...l))}`);
  }
}
console.log('all rounds:');
for (const kind of kinds) {
  const l = all[kind];
  console.log(`       ${kind.padEnd(11)} ${String(l.length).padStart(5)} ${fmt(pct(l, 50))}  ${fmt(pct(l, 90))}  ${fmt(pct(l, 99))}  ${fmt(Math.max(...l))}`);
}
const ratio = pct(all['POST /rate'], 99) / pct(all.rateTicket, 99);
console.log(`GET /rate p99 ${pct(all['GET /rate'], 99).toFixed(2)} ms (goal <= 10 ms); POST /rate p99 / rateTicket p99 = ${ratio.toFixed(2)}x (goal <= 1.2x)`);
const { rows } = await pool.query(`select channel, count(*)::int as n from csat_rating where workspace_id = $1 group by 1 order by 1`, [ws]);
console.log(`stored: ${rows.map((r) => `${r.channel} ${r.n}`).join(', ')}`);

await app.stop();
await pool.end();
await db.drop();

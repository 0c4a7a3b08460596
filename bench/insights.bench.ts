// `npm run bench:insights` — the insights queries at 2,000,000 ratings: p50/p99 latency over loopback HTTP
// against the built service (dist/, production mode), one request at a time, plus the naive
// `select avg(rating)` anchor and EXPLAIN (analyze, buffers) of every list order's first page and page 1000;
// csatTrend by week over two years and by day over 90 days, and its statement on the grains it reads
// (trendTables) against the per-assignee rollups alone (what it read before Migration20261207010000).
// Prints figures; asserts nothing. Options: --ratings N (the big workspace; default 1000000, as many again over
// 100 others), --samples S (requests measured per item, default 300), --explain FILE (write the EXPLAINs there),
// --keep (leave the seeded database `csat_bench_insights` on DATABASE_URL's server), --reuse (measure that kept
// database again, without seeding), --only trends (the csatTrend items alone), --only statements (their statements). Uses DATABASE_URL's server (a throwaway database, dropped at the end unless
// --keep) or an embedded one.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../dev/throwaway.database.js';
import { signDevToken } from '../src/auth/token.signer.js';
import { normaliseFilter } from '../src/insights/insights.filter.js';
import { CsatRatingOrder } from '../src/insights/insights.types.js';
import { ratingPageQuery, readRatingsCursor } from '../src/insights/ratings.query.js';
import { summaryQuery } from '../src/insights/summary.query.js';
import { zoneClock } from '../src/insights/time-zone.js';
import { trendBounds, trendPlan, type TrendInterval } from '../src/insights/trend.plan.js';
import { PER_ASSIGNEE_TABLES, trendQuery } from '../src/insights/trend.query.js';
import { filterHash } from '../src/insights/insights.filter.js';
import { BenchProcesses, buildService, PRODUCTION_LINK_ENV } from './bench.process.js';
import { sampleOneAtATime } from './bench.sampling.js';

const { values } = parseArgs({ options: { ratings: { type: 'string', default: '1000000' }, samples: { type: 'string', default: '300' }, explain: { type: 'string' }, keep: { type: 'boolean', default: false }, reuse: { type: 'boolean', default: false }, only: { type: 'string' } } });
/** --only trends: the csatTrend items alone (with --reuse, a re-measure without the list walk); --only statements: their statements alone. */
const ALL = values.only !== 'trends' && values.only !== 'statements';
if ((values.keep || values.reuse) && !process.env.DATABASE_URL) throw new Error('--keep and --reuse need DATABASE_URL (an embedded server does not outlive the run)');
const N = Number(values.ratings);
const SAMPLES = Number(values.samples);
const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';
const CLAIMS = { issuer: 'csat-bench', audience: 'csat' };
const WS = '00000000-0000-4000-8a00-000000000001';
const AGENT = (n: number) => `00000000-0000-4000-8b00-${n.toString(16).padStart(12, '0')}`;

let database: ThrowawayDatabase | undefined;
const processes = new BenchProcesses();

async function timed<T>(label: string, f: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const out = await f();
  console.log(`  ${label}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
  return out;
}

/**
 * 50 agents (and some unassigned) over 2 years: N ratings in WS, N over 100 other workspaces, each with its
 * ticket (a tenth reopened), 40 % with a comment; offers for every rating and 40 % more unrated ones. Bulk
 * loaded with the triggers off and the list indexes dropped, then the indexes and the rollups built in SQL.
 */
async function seed(db: pg.Client) {
  const { rows: indexes } = await db.query<{ indexdef: string; indexname: string }>(
    `select indexname, indexdef from pg_indexes where tablename = 'csat_rating' and indexname <> 'csat_rating_pkey'`,
  );
  for (const i of indexes) await db.query(`drop index ${i.indexname}`);
  await db.query(`set session_replication_role = replica`); // no triggers: the rollups are built below in one pass
  await db.query(`select setseed(0.42)`);
  const load = (label: string, ws: string, count: number) =>
    timed(label, async () => {
      await db.query(
        `create temporary table seed on commit drop as
         select gen_random_uuid() as id, ${ws} as ws, g,
                case when random() < 0.04 then null else ('00000000-0000-4000-8b00-' || lpad(to_hex(1 + (g % 50)), 12, '0'))::uuid end as assignee,
                now() - random() * interval '730 days' as at,
                (array[1,2,3,3,4,4,4,5,5,5,5,5])[1 + floor(random() * 12)::int] as rating,
                case when random() < 0.4 then repeat('x', 1 + floor(random() * random() * 1500)::int) end as comment
           from generate_series(1, $1) g`,
        [count],
      );
      await db.query(`insert into ticket (id, workspace_id, ref, subject, status, priority, requester_id, assignee_id, created_at)
                      select id, ws, 'B-' || g, 'bench ticket ' || g, case when g % 10 = 0 then 'open' else 'closed' end, 'normal', gen_random_uuid(), assignee, at - interval '1 day' from seed`);
      await db.query(`insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_at, rated_by, assignee_id)
                      select ws, id, rating, comment, at, gen_random_uuid(), assignee from seed`);
      await db.query(`insert into csat_offer (workspace_id, ticket_id, offered_at, assignee_id, rated)
                      select ws, id, at - random() * interval '2 days', assignee, true from seed
                      union all select ws, gen_random_uuid(), at, assignee, false from seed where random() < 0.4`);
    });
  await db.query('begin');
  await load(`${N} ratings in one workspace`, `'${WS}'::uuid`, N);
  await db.query('commit');
  await db.query('begin');
  await load(`${N} ratings over 100 other workspaces`, `('00000000-0000-4000-8a01-' || lpad(to_hex(g % 100), 12, '0'))::uuid`, N);
  await db.query('commit');
  await db.query(`set session_replication_role = origin`);
  await timed('list indexes', async () => {
    for (const i of indexes) await db.query(i.indexdef);
  });
  await timed('rollups', async () => {
    for (const [grain, bucket] of [['daily', `(rated_at at time zone 'UTC')::date`], ['monthly', `date_trunc('month', rated_at at time zone 'UTC')::date`]] as const) {
      await db.query(`insert into csat_rating_${grain} (workspace_id, day, assignee_id, rating, ratings, commented)
                      select workspace_id, ${bucket}, assignee_id, rating, count(*), count(comment) from csat_rating group by 1, 2, 3, 4`);
      await db.query(`insert into csat_offer_${grain} (workspace_id, day, assignee_id, offered, rated)
                      select workspace_id, ${bucket.replace('rated_at', 'offered_at')}, assignee_id, count(*), count(*) filter (where rated) from csat_offer group by 1, 2, 3`);
    }
    // The per-workspace grains (Migration20261207010000): the day from the daily rollup, the hour from the rows.
    await db.query(`insert into csat_rating_daily_ws (workspace_id, day, rating, ratings, commented) select workspace_id, day, rating, sum(ratings), sum(commented) from csat_rating_daily group by 1, 2, 3`);
    await db.query(`insert into csat_offer_daily_ws (workspace_id, day, offered, rated) select workspace_id, day, sum(offered), sum(rated) from csat_offer_daily group by 1, 2`);
    const hour = (c: string) => `date_trunc('hour', ${c} at time zone 'UTC') at time zone 'UTC'`;
    await db.query(`insert into csat_rating_hourly_ws (workspace_id, hour, rating, ratings, commented) select workspace_id, ${hour('rated_at')}, rating, count(*), count(comment) from csat_rating group by 1, 2, 3`);
    await db.query(`insert into csat_offer_hourly_ws (workspace_id, hour, offered, rated) select workspace_id, ${hour('offered_at')}, count(*), count(*) filter (where rated) from csat_offer group by 1, 2`);
  });
  await timed('vacuum analyze', () => db.query('vacuum analyze'));
}

async function startService(databaseUrl: string): Promise<string> {
  buildService();
  const env = { DATABASE_URL: databaseUrl, NODE_ENV: 'production', ...PRODUCTION_LINK_ENV, LOG_LEVEL: 'warn', AUTH_JWT_SECRET: SECRET, AUTH_ISSUER: CLAIMS.issuer, AUTH_AUDIENCE: CLAIMS.audience };
  return (await processes.startService(env)).url;
}

const results: { item: string; p50: number; p99: number; note: string }[] = [];

async function measure(item: string, once: () => Promise<string>, samples = SAMPLES) {
  const row = { item, ...(await sampleOneAtATime(once, samples, Math.max(10, samples / 10))) };
  results.push(row);
  console.log(`  ${item.padEnd(58)} p50 ${row.p50.toFixed(2).padStart(7)} ms   p99 ${row.p99.toFixed(2).padStart(7)} ms   ${row.note}`);
}

async function main() {
  if (values.reuse) {
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = '/csat_bench_insights';
    database = { url: url.toString(), where: 'DATABASE_URL', drop: async () => {} };
  } else {
    console.log(`seeding ${2 * N} ratings`);
    database = await createThrowawayDatabase('csat_bench_insights', { serverUrl: process.env.DATABASE_URL });
  }
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  if (!values.reuse) await seed(db);
  const url = await startService(database.url);
  const token = await signDevToken({ sub: AGENT(1), role: 'agent', workspace: WS }, SECRET, CLAIMS);
  const gql = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const LIST = `query($filter: CsatRatingFilter, $orderBy: CsatRatingOrder, $after: String) {
    csatRatings(filter: $filter, orderBy: $orderBy, first: 50, after: $after) { edges { node { ticket { id } rating comment commentLength ratedAt assigneeId reopenedSinceRating } } pageInfo { hasNextPage endCursor } }
  }`;
  const COUNTED = `query($filter: CsatRatingFilter) { csatRatings(filter: $filter, first: 50) { totalCount edges { node { rating } } } }`;
  const SUMMARY = `query($filter: CsatRatingFilter) { csatSummary(filter: $filter) { count average averageInterval { low high } distribution { rating count share } satisfiedShare satisfiedInterval { low high } commentShare offered responseRate responseInterval { low high } } }`;
  const AGENTS = `{ csatAgentSummaries(first: 50) { totalCount edges { node { assigneeId count average satisfiedInterval { low high } offered responseRate } } } }`;
  const oneAgent = { assigneeIds: [AGENT(7)] };
  const explains: string[] = [];
  const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 1 }) }) });
  const explain = async (title: string, order: CsatRatingOrder, after: string | null) => {
    const filter = normaliseFilter(null);
    const compiled = ratingPageQuery(WS, filter, order, 50, readRatingsCursor(after, order, filterHash(filter))).compile(kysely);
    const { rows } = await db.query(`explain (analyze, buffers) ${compiled.sql}`, compiled.parameters as unknown[]);
    explains.push(`### ${title}\n\n\`\`\`\n${rows.map((r) => r['QUERY PLAN']).join('\n')}\n\`\`\`\n`);
  };

  if (ALL) console.log('\nlist pages (first: 50, no totalCount)');
  for (const order of ALL ? Object.values(CsatRatingOrder) : []) {
    await measure(`csatRatings ${order}, first page`, async () => `${(await gql(LIST, { orderBy: order })).csatRatings.edges.length} rows`);
    await measure(`csatRatings ${order}, one agent, first page`, async () => `${(await gql(LIST, { orderBy: order, filter: oneAgent })).csatRatings.edges.length} rows`);
    let after: string | null = null;
    const walk = performance.now();
    for (let page = 1; page < 1000; page++) after = (await gql(LIST, { orderBy: order, after })).csatRatings.pageInfo.endCursor;
    const walked = ((performance.now() - walk) / 999).toFixed(2);
    await measure(`csatRatings ${order}, page 1000 by cursor`, async () => `${(await gql(LIST, { orderBy: order, after })).csatRatings.edges.length} rows; the walk there: ${walked} ms a page`);
    await explain(`${order}: first page`, order, null);
    await explain(`${order}: page 1000`, order, after);
  }
  if (ALL) {
    console.log('\nwith totalCount');
    await measure('csatRatings + totalCount, whole workspace', async () => `${(await gql(COUNTED)).csatRatings.totalCount} rows`, SAMPLES / 3);
    await measure('csatRatings + totalCount, one agent', async () => `${(await gql(COUNTED, { filter: oneAgent })).csatRatings.totalCount} rows`, SAMPLES / 3);
    console.log('\nsummaries');
    const thirty = { ratedFrom: new Date(Date.now() - 30 * 86_400_000).toISOString() };
    await measure('csatSummary, whole workspace', async () => `count ${(await gql(SUMMARY)).csatSummary.count}`);
    await measure('csatSummary, one agent', async () => `count ${(await gql(SUMMARY, { filter: oneAgent })).csatSummary.count}`);
    await measure('csatSummary, last 30 days', async () => `count ${(await gql(SUMMARY, { filter: thirty })).csatSummary.count}`);
    await measure('csatSummary, with a comment (no rollup: row scan)', async () => `count ${(await gql(SUMMARY, { filter: { hasComment: true, ...oneAgent } })).csatSummary.count}`, SAMPLES / 3);
    await measure('csatAgentSummaries', async () => `${(await gql(AGENTS)).csatAgentSummaries.totalCount} rows`);
    for (const [title, f] of [['whole workspace', {}], ['one agent', oneAgent], ['last 30 days', { ratedFrom: new Date(thirty.ratedFrom) }]] as const) {
      const compiled = summaryQuery(WS, normaliseFilter(f))!.compile(kysely);
      const { rows } = await db.query(`explain (analyze, buffers) ${compiled.sql}`, compiled.parameters as unknown[]);
      explains.push(`### csatSummary, ${title}\n\n\`\`\`\n${rows.map((r) => r['QUERY PLAN']).join('\n')}\n\`\`\`\n`);
    }
  }
  console.log('\ntrends');
  const TREND = `query($filter: CsatRatingFilter, $interval: CsatInterval!, $timeZone: String) {
    csatTrend(filter: $filter, interval: $interval, timeZone: $timeZone) { start end count average averageInterval { low high } satisfiedShare satisfiedInterval { low high } offered responseRate responseInterval { low high } }
  }`;
  const now = Date.now();
  const twoYears = { ratedFrom: new Date(now - 730 * 86_400_000).toISOString(), ratedTo: new Date(now).toISOString() };
  const ninety = { ratedFrom: new Date(now - 90 * 86_400_000).toISOString(), ratedTo: new Date(now).toISOString() };
  const trendItems: [string, Record<string, unknown>, TrendInterval, string][] = [
    ['WEEK over two years', twoYears, 'WEEK', 'UTC'],
    ['WEEK over two years, Europe/Berlin', twoYears, 'WEEK', 'Europe/Berlin'],
    ['WEEK over two years, one agent', { ...twoYears, ...oneAgent }, 'WEEK', 'UTC'],
    ['DAY over 90 days', ninety, 'DAY', 'UTC'],
    ['DAY over 90 days, Europe/Berlin', ninety, 'DAY', 'Europe/Berlin'],
    ['DAY over 90 days, America/New_York', ninety, 'DAY', 'America/New_York'],
    ['MONTH over two years', twoYears, 'MONTH', 'UTC'],
    ['MONTH over two years, Europe/Berlin', twoYears, 'MONTH', 'Europe/Berlin'],
  ];
  for (const [title, filter, interval, timeZone] of values.only === 'statements' ? [] : trendItems) {
    await measure(`csatTrend ${title}`, async () => {
      const points = (await gql(TREND, { filter, interval, timeZone })).csatTrend as { count: number }[];
      return `${points.length} points, ${points.reduce((s, p) => s + p.count, 0)} ratings`;
    });
  }
  // The statement alone (pg, no HTTP): on the grains it reads now (trendTables: per workspace and UTC day, and UTC
  // hour for the moved parts; for an agent, the per-assignee daily rollup through the index led by the assignee)
  // and, for comparison, on the per-assignee rollups alone (what every trend read before Migration20261207010000).
  // As the service's own connections (src/db/database.ts): no JIT. And no parallel workers: the statement's own
  // work, not a worker's start, which on a machine shared with other jobs can take 100 ms (bench/README.md).
  await db.query('set jit = off');
  await db.query('set max_parallel_workers_per_gather = 0');
  for (const [title, filter, interval, timeZone] of trendItems) {
    const f = normaliseFilter({ ...filter, ratedFrom: new Date(String(filter.ratedFrom)), ratedTo: new Date(String(filter.ratedTo)) });
    const plan = trendPlan(trendBounds(f.ratedFrom!.getTime(), f.ratedTo!.getTime(), interval, zoneClock(timeZone)));
    const now = trendQuery(WS, f, plan).compile(kysely);
    const before = trendQuery(WS, f, plan, PER_ASSIGNEE_TABLES).compile(kysely);
    const run = (c: typeof now) => async () => `${(await db.query(c.sql, c.parameters as unknown[])).rowCount} rows`;
    if (f.assigneeIds) {
      // The same tables either way: before is without the indexes led by the assignee (dropped in a transaction, rolled back).
      await db.query('begin');
      await db.query('drop index csat_rating_daily_assignee_idx, csat_offer_daily_assignee_idx');
      await measure(`trend statement (pg), ${title}, per-assignee rollups by their key (before)`, run(before), Math.min(SAMPLES, 100));
      await db.query('rollback');
    } else {
      await measure(`trend statement (pg), ${title}, per-assignee rollups (before)`, run(before), Math.min(SAMPLES, 100));
    }
    await measure(`trend statement (pg), ${title}, trendTables (now)`, run(now), Math.min(SAMPLES, 100));
    const { rows } = await db.query(`explain (analyze, buffers) ${now.sql}`, now.parameters as unknown[]);
    explains.push(`### csatTrend ${title}\n\n\`\`\`\n${rows.map((r) => r['QUERY PLAN']).join('\n')}\n\`\`\`\n`);
  }
  if (ALL) console.log('\nanchor');
  if (ALL) await measure('naive select avg(rating) where workspace_id = $1 (pg, no HTTP)', async () => {
    const { rows } = await db.query('select avg(rating)::float8 as a, count(*)::int as n from csat_rating where workspace_id = $1', [WS]);
    return `avg ${rows[0].a.toFixed(3)} over ${rows[0].n}`;
  }, Math.min(SAMPLES, 60));

  console.log('\n| item | p50 ms | p99 ms | |\n| --- | ---: | ---: | --- |');
  for (const r of results) console.log(`| ${r.item} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.note} |`);
  if (values.explain) writeFileSync(values.explain, explains.join('\n'));
  else console.log(`\n${explains.join('\n')}`);
  await kysely.destroy();
  await db.end();
}

try {
  await main();
} finally {
  await processes.stopAll();
  if (values.keep || values.reuse) console.log(`kept the database for --reuse: ${database?.url}`);
  else await database?.drop().catch((err: unknown) => console.warn(`could not drop the benchmark database: ${String(err)}`));
}

// `npm run bench:themes` — csatCommentThemes at 1,000,000 ratings (bench/README.md, Themes): p50/p99 over loopback
// HTTP against the built service (dist/, production mode), one request at a time, over 90 days and two years,
// for the workspace and for one agent (the agent filter reads the rows), plus what the term rollup trigger cost
// the bulk load, the background recount after a commentLanguage change, and the rollups' size. Prints figures; asserts nothing.
// Options: --ratings N (default 1000000, in one workspace, about a third with a comment), --samples S (default
// 100), --keep / --reuse (keep or measure again the database `csat_bench_themes`), --explain (EXPLAIN ANALYZE of
// the two-year statement), --refill (a commentLanguage change and back through the API: how long the mutation
// takes, and how long the service's job worker takes to recount in the background until the themes switch, with
// its progress and the themes' latency meanwhile). Uses DATABASE_URL's server (a throwaway database, dropped at the
// end unless --keep) or an embedded one.
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../dev/throwaway.database.js';
import { signDevToken } from '../src/auth/token.signer.js';
import { normaliseFilter } from '../src/insights/insights.filter.js';
import { themesQuery } from '../src/insights/themes.query.js';
import { BenchProcesses, buildService, PRODUCTION_LINK_ENV } from './bench.process.js';
import { quantile, sampleOneAtATime } from './bench.sampling.js';

const { values } = parseArgs({ options: { ratings: { type: 'string', default: '1000000' }, samples: { type: 'string', default: '100' }, keep: { type: 'boolean', default: false }, reuse: { type: 'boolean', default: false }, explain: { type: 'boolean', default: false }, refill: { type: 'boolean', default: false } } });
if ((values.keep || values.reuse) && !process.env.DATABASE_URL) throw new Error('--keep and --reuse need DATABASE_URL');
const N = Number(values.ratings);
const SAMPLES = Number(values.samples);
const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';
const CLAIMS = { issuer: 'csat-bench', audience: 'csat' };
const WS = '00000000-0000-4000-8a00-000000000001';
const AGENT = (n: number) => `00000000-0000-4000-8b00-${n.toString(16).padStart(12, '0')}`;
const DAY = 86_400_000;

let database: ThrowawayDatabase | undefined;
const processes = new BenchProcesses();

async function timed<T>(label: string, f: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const out = await f();
  console.log(`  ${label}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
  return out;
}

// Comments from a vocabulary of ~3,000 words: 150 common English ones (stop words among them) drawn often, and
// synthetic ones ("wq3k") in a long tail; unhappy comments draw a few complaint words more often, happy ones praise.
const COMMON = `the a and to of i it was is my for not with but this that on have you they be at so no very just been had
are me all an one what out when about there would up get can will our service support agent ticket order issue
problem help time day days week account email phone call reply answer response team customer product app update
please again still now back after before since month payment card bank price plan fixed solved works working thanks
thank great good quick fast easy kind nice friendly helpful clear happy love excellent perfect best resolved quickly
bad slow late never waiting wait hours broken wrong error crash rude refund charged twice cancel cancelled useless
angry disappointed terrible worst nobody ignored closed reopened again escalate manager password login reset
delivery shipping package lost damaged invoice billing subscription renewal trial upgrade downgrade feature bug`.split(/\s+/);
const COMPLAINTS = ['refund', 'charged', 'twice', 'waiting', 'ignored', 'rude', 'cancel', 'reopened', 'useless', 'nobody'];
const PRAISE = ['thanks', 'quick', 'friendly', 'helpful', 'resolved', 'easy', 'great', 'perfect'];

async function seed(db: pg.Client) {
  await db.query(`select setseed(0.42)`);
  await db.query(`create table bench_words (i int primary key, w text not null)`);
  await db.query(`insert into bench_words select i, w from unnest($1::text[]) with ordinality as x(w, i)`, [COMMON]);
  await db.query(`insert into bench_words select ${COMMON.length} + g, 'w' || to_hex(g * 7919 % 65521) from generate_series(1, 3000) g`);
  await db.query(`analyze bench_words`);
  const vocabulary = COMMON.length + 3000;
  // Batches of 100,000 ratings, each one statement as an import: the triggers (rollups and term rollups) run set-based.
  const batch = 100_000;
  for (let done = 0; done < N; done += batch) {
    const n = Math.min(batch, N - done);
    await timed(`${done + n} ratings`, async () => {
      await db.query('begin');
      await db.query(
        `create temporary table seed on commit drop as
         select gen_random_uuid() as id, g,
                case when random() < 0.04 then null else ('00000000-0000-4000-8b00-' || lpad(to_hex(1 + (g % 50)), 12, '0'))::uuid end as assignee,
                now() - random() * interval '730 days' as at,
                (array[1,2,3,3,4,4,4,5,5,5,5,5])[1 + floor(random() * 12)::int] as rating,
                random() < 0.34 as commented, 4 + floor(random() * random() * 40)::int as words
           from generate_series(1, $1) g`,
        [n],
      );
      await db.query(
        `create temporary table seed_comment on commit drop as
         select x.id, string_agg(coalesce(x.fixed, w.w), ' ' order by x.k) as comment from (
           select s.id, k,
                  case when s.rating <= 2 and random() < 0.12 then ($1::text[])[1 + floor(random() * ${COMPLAINTS.length})::int]
                       when s.rating >= 4 and random() < 0.08 then ($2::text[])[1 + floor(random() * ${PRAISE.length})::int] end as fixed,
                  case when random() < 0.7 then 1 + floor(random() * ${COMMON.length})::int else 1 + floor(power(random(), 2) * ${vocabulary})::int end as i
             from seed s cross join lateral generate_series(1, s.words) k where s.commented) x
           join bench_words w on w.i = x.i group by x.id`,
        [COMPLAINTS, PRAISE],
      );
      await db.query(`insert into ticket (id, workspace_id, ref, subject, status, priority, requester_id, assignee_id, created_at)
                      select id, '${WS}', 'B-' || (g + ${done}), 'bench ticket', 'closed', 'normal', gen_random_uuid(), assignee, at - interval '1 day' from seed`);
      await db.query(`insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_at, rated_by, assignee_id)
                      select '${WS}', s.id, s.rating, left(c.comment, 2000), s.at, gen_random_uuid(), s.assignee from seed s left join seed_comment c on c.id = s.id`);
      await db.query('commit');
    });
  }
  await timed('vacuum analyze', () => db.query('vacuum analyze'));
}

async function startService(databaseUrl: string): Promise<string> {
  buildService();
  const env = { DATABASE_URL: databaseUrl, NODE_ENV: 'production', ...PRODUCTION_LINK_ENV, LOG_LEVEL: 'warn', AUTH_JWT_SECRET: SECRET, AUTH_ISSUER: CLAIMS.issuer, AUTH_AUDIENCE: CLAIMS.audience };
  return (await processes.startService(env)).url;
}

async function measure(item: string, once: () => Promise<string>, samples = SAMPLES) {
  const { p50, p99, note } = await sampleOneAtATime(once, samples, Math.max(5, samples / 10));
  console.log(`  ${item.padEnd(52)} p50 ${p50.toFixed(1).padStart(7)} ms   p99 ${p99.toFixed(1).padStart(7)} ms   ${note}`);
}

async function main() {
  if (values.reuse) {
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = '/csat_bench_themes';
    database = { url: url.toString(), where: 'DATABASE_URL', drop: async () => {} };
  } else {
    console.log(`seeding ${N} ratings in one workspace (about a third with a comment), 50 agents, two years`);
    database = await createThrowawayDatabase('csat_bench_themes', { serverUrl: process.env.DATABASE_URL });
  }
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  if (!values.reuse) await seed(db);
  const { rows: size } = await db.query(`select (select count(*) from csat_rating where comment is not null)::int as comments,
      (select count(*) from csat_term_daily)::int as daily, (select count(*) from csat_term_monthly)::int as monthly,
      pg_size_pretty(pg_total_relation_size('csat_term_daily') + pg_total_relation_size('csat_term_monthly')) as size`);
  console.log(`  ${size[0].comments} comments; term rollups: ${size[0].daily} daily rows, ${size[0].monthly} monthly rows, ${size[0].size}`);
  const url = await startService(database.url);
  const token = await signDevToken({ sub: AGENT(1), role: 'agent', workspace: WS }, SECRET, CLAIMS);
  const gql = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const THEMES = `query($filter: CsatRatingFilter) { csatCommentThemes(filter: $filter, first: 20) { term zScore unhappyCount happyCount exampleTicketIds } }`;
  // Periods that end now and start mid-day: whole months and days from the rollups, the ends from the rows.
  const since = (days: number) => new Date(Date.now() - days * DAY).toISOString();
  const top = (d: any) => d.csatCommentThemes.slice(0, 3).map((t: any) => `${t.term} ${t.zScore.toFixed(1)}`).join(', ');
  console.log('\ncsatCommentThemes (first: 20), one request at a time');
  for (const [label, filter] of [
    ['90 days', { ratedFrom: since(90) }],
    ['two years', { ratedFrom: since(730) }],
    ['90 days, one agent (rows)', { ratedFrom: since(90), assigneeIds: [AGENT(7)] }],
    ['two years, one agent (rows)', { ratedFrom: since(730), assigneeIds: [AGENT(7)] }],
    ['90 days, minCommentLength 100 (rows)', { ratedFrom: since(90), minCommentLength: 100 }],
  ] as const) {
    await measure(`${label}`, async () => top(await gql(THEMES, { filter })), label.includes('(rows)') && label.includes('minComment') ? Math.ceil(SAMPLES / 5) : SAMPLES);
  }
  if (values.explain) {
    const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 1 }) }) });
    const compiled = themesQuery(WS, normaliseFilter({ ratedFrom: new Date(since(730)) }), 20)!.compile(kysely);
    const { rows } = await db.query(`explain (analyze, buffers) ${compiled.sql}`, compiled.parameters as unknown[]);
    console.log(rows.map((r) => r['QUERY PLAN']).join('\n'));
    await kysely.destroy();
  }
  // A commentLanguage change returns at once; the service's job worker recounts in the background (--refill).
  if (values.refill) {
    const admin = await signDevToken({ sub: AGENT(0), role: 'admin', workspace: WS }, SECRET, CLAIMS);
    const asAdmin = async (query: string, variables: Record<string, unknown> = {}) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { data?: any; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };
    const SET = `mutation($l: String!) { updateCsatSettings(input: { commentLanguage: $l }) { commentLanguageStatus { requested effective recounting progress } } }`;
    const STATUS = `{ csatSettings { commentLanguageStatus { requested effective recounting progress } } }`;
    console.log(`\ncommentLanguage changes of ${size[0].comments} comments, recounted by the service's job worker`);
    for (const language of ['simple', 'english']) {
      const started = performance.now();
      const status = (await asAdmin(SET, { l: language })).updateCsatSettings.commentLanguageStatus;
      const answered = performance.now() - started;
      console.log(`  updateCsatSettings(commentLanguage: ${language}): answered in ${answered.toFixed(0)} ms (effective ${status.effective}, recounting ${status.recounting})`);
      // The themes meanwhile (the old language's complete rollups), and the progress every few seconds.
      const during: number[] = [];
      let last = performance.now();
      for (;;) {
        const s = (await asAdmin(STATUS)).csatSettings.commentLanguageStatus;
        if (!s.recounting) break;
        const t = performance.now();
        await gql(THEMES, { filter: { ratedFrom: since(90) } });
        during.push(performance.now() - t);
        if (performance.now() - last > 10_000) {
          console.log(`    ${((performance.now() - started) / 1000).toFixed(0)} s: progress ${(s.progress * 100).toFixed(0)} %, themes answered in ${language === 'simple' ? 'english' : 'simple'}`);
          last = performance.now();
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      during.sort((a, b) => a - b);
      const note = during.length ? `; csatCommentThemes (90 days) meanwhile p50 ${quantile(during, 0.5).toFixed(0)} ms, max ${during.at(-1)!.toFixed(0)} ms over ${during.length} requests` : '';
      console.log(`  recounted in ${language} after ${((performance.now() - started) / 1000).toFixed(1)} s${note}`);
      // Then the job removes the other language's rows, a batch at a time.
      for (;;) {
        const { rows: left } = await db.query(`select exists (select 1 from csat_term_daily where workspace_id = $1 and language <> $2) or exists (select 1 from csat_term_monthly where workspace_id = $1 and language <> $2) as left`, [WS, language]);
        if (!left[0].left) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      console.log(`  and the other language's rows removed after ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    const { rows: after } = await db.query(`select (select count(*) from csat_term_daily)::int as daily, (select count(*) from csat_term_monthly)::int as monthly`);
    console.log(`  term rollups afterwards: ${after[0].daily} daily rows, ${after[0].monthly} monthly rows`);
  }
  await db.end();
}

try {
  await main();
} finally {
  await processes.stopAll();
  if (values.keep) console.log(`kept ${database?.url}`);
  else await database?.drop().catch((err: unknown) => console.warn(`could not drop the benchmark database: ${String(err)}`));
}

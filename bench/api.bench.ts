// `npm run bench` — API throughput and latency on loopback, every server in its own process.
// Prints figures; asserts nothing. Options: --tickets N (default 10000), --duration S (default 8),
// --connections C (default 10), --rounds R (default 3), --only a,b,…, --baseline <git ref> (adds (a0): run
// (a) against that commit's build, in the same run, so before and after share the machine's drift; and (d0):
// (d) against that build on a database of its own, migrated by it, so that its triggers are the ones measured).
// Uses DATABASE_URL's server (in a throwaway database) or an embedded one. Builds first: every server runs
// from dist/ as plain JavaScript, the way `npm start` runs the subgraph.
import autocannon from 'autocannon';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { signDevToken } from '../src/auth/token.signer.js';
import { freePort } from '../dev/embedded.postgres.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../dev/throwaway.database.js';
import { cpuSeconds, postgresCpuSnapshot, waitUntilServing, PRODUCTION_LINK_ENV } from './bench.process.js';

const { values } = parseArgs({
  options: {
    tickets: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '10' },
    only: { type: 'string' },
    // Seconds of mixed traffic at 50 connections after the runs (entities, rateTicket, the no-op): errors, p99, RSS. 0: none.
    soak: { type: 'string', default: '0' },
    rounds: { type: 'string', default: '3' },
    // A git ref (a commit, `HEAD~3`, `main`) built in a temporary worktree and run beside this one as (a0).
    baseline: { type: 'string' },
    // The comment of (d)'s ratings (a real sentence measures the comment-themes trigger's tokenising too).
    comment: { type: 'string', default: 'bench' },
  },
});
const N = Number(values.tickets);
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';
// Production with an HS256 secret checks issuer and audience (config.ts): the servers expect these, the tokens carry them.
const TOKEN_CLAIMS = { issuer: 'csat-bench', audience: 'csat' };
const TOKEN_CLAIMS_ENV = { AUTH_ISSUER: TOKEN_CLAIMS.issuer, AUTH_AUDIENCE: TOKEN_CLAIMS.audience };
const NODE = path.resolve('node_modules/.bin/node');

const children: ChildProcess[] = [];
const named = new Map<string, number>();
let database: ThrowawayDatabase | undefined;
/** (d0)'s: the baseline's own migrations (and so its triggers) on the same seed. */
let baselineDatabase: ThrowawayDatabase | undefined;


/** Spawns a server (its compiled entry, `dist/<entry>.js`) on a free port and waits until it answers HTTP at `url(port)`. */
async function startProcess(name: string, entry: string, args: string[], env: Record<string, string>, url: (port: number) => string, cwd = process.cwd()): Promise<string> {
  const port = await freePort();
  // BENCH_PROFILE=<dir>: V8 CPU profiles of the CSAT subgraph, to see where its time goes.
  const profile = (process.env.BENCH_PROFILE_PROCS ?? 'csat').split(',').includes(name) && process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = spawn(NODE, [...profile, path.join('dist', entry.replace(/\.ts$/, '.js')), ...args.map((a) => a.replace('{port}', String(port)))], {
    cwd,
    env: { ...process.env, ...env, PORT: String(port), NODE_ENV: 'production', ...PRODUCTION_LINK_ENV, LOG_LEVEL: 'warn', AUTH_JWT_SECRET: SECRET, ...TOKEN_CLAIMS_ENV },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  named.set(name, child.pid!);
  return waitUntilServing(child, name, url(port));
}

let baselineDir: string | undefined;

/** `ref` checked out in a temporary worktree with its own dependencies (`npm ci`), and built to its dist/. */
function buildBaseline(ref: string): string {
  const dir = path.join(tmpdir(), `csat-bench-baseline-${process.pid}`);
  execFileSync('git', ['worktree', 'add', '--detach', '--force', dir, ref], { stdio: 'ignore' });
  baselineDir = dir;
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--silent'], { cwd: dir, stdio: 'inherit' });
  execFileSync(path.resolve('node_modules/.bin/tsx'), ['scripts/build.ts'], { cwd: dir, stdio: 'inherit' });
  return dir;
}

async function stopAll() {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
  if (baselineDir) execFileSync('git', ['worktree', 'remove', '--force', baselineDir], { stdio: 'ignore' });
  for (const db of [database, baselineDatabase]) await db?.drop().catch((err: unknown) => console.warn(`could not drop the benchmark database: ${String(err)}`));
}

/** CPU seconds of every process that matters: each server, PostgreSQL (per backend pid) and the load generator. */
function cpuSnapshot(): Record<string, number> {
  const snap: Record<string, number> = { ...postgresCpuSnapshot() };
  for (const [name, pid] of named) snap[name] = cpuSeconds(pid);
  const self = process.cpuUsage();
  snap['load generator'] = (self.user + self.system) / 1e6;
  return snap;
}

/** CPU ms per request between two snapshots; PostgreSQL summed over the backends alive in both (the pools keep theirs). */
function cpuPerRequest(before: Record<string, number>, after: Record<string, number>, requests: number): Record<string, number> {
  const out: Record<string, number> = { postgres: 0 };
  for (const [k, v] of Object.entries(after)) {
    const was = before[k];
    if (was === undefined || !Number.isFinite(v - was)) continue;
    const ms = ((v - was) * 1000) / requests;
    if (k.startsWith('pg:')) out.postgres! += ms;
    else out[k] = ms;
  }
  return out;
}

interface Figures { name: string; rps: number; p50: number; p99: number; errors: number; /** Including the warm-up's. */ requests: number; /** CPU ms per request of each process during the measured run. */ cpu: Record<string, number> }

async function load(name: string, opts: autocannon.Options): Promise<Figures> {
  // A short warm-up first: JIT, pools and caches, so the measured run is steady state.
  const w = await autocannon({ ...opts, duration: 2, connections: CONNECTIONS });
  const cpuBefore = cpuSnapshot();
  const r = await autocannon({ ...opts, duration: DURATION, connections: CONNECTIONS });
  const cpuAfter = cpuSnapshot();
  const cpu = cpuPerRequest(cpuBefore, cpuAfter, r.requests.total);
  return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx + w.errors + w.non2xx, requests: w.requests.total + r.requests.total, cpu };
}

async function post(url: string, token: string, body: unknown): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  return res.json();
}

/** The CSAT subgraph's own counters: SQL statements sent and GraphQL requests served. */
/** The subgraph's counters from its /metrics: on METRICS_PORT for this build (production serves none on the public port), beside /graphql for older builds. */
const metricsUrls = new Map<string, string>();
async function counters(csatUrl: string): Promise<{ sql: number; requests: number; connections: number }> {
  const text = await (await fetch(metricsUrls.get(csatUrl) ?? csatUrl.replace(/\/graphql$/, '/metrics'))).text();
  const n = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1]);
  return { sql: n('csat_sql_statements_total'), requests: n('csat_graphql_requests_total'), connections: n('csat_http_connections_total') };
}

function perRequest(before: { sql: number; requests: number }, after: { sql: number; requests: number }): number {
  return (after.sql - before.sql) / (after.requests - before.requests);
}

/**
 * N tickets in one workspace (half rated), and a reserve of fresh resolved tickets for rateTicket: the page of
 * (a), the tickets (d) rates in turn, and a rated one for (e).
 */
async function seed(databaseUrl: string, ws: string, agent: string, customer: string) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const t0 = Date.now();
  await pool.query(
    `insert into ticket (workspace_id, ref, subject, status, priority, requester_id, assignee_id, created_at)
     select $1, 'B-' || g, 'Benchmark ticket ' || g, (array['new','open','pending','resolved','closed'])[1 + g % 5], 'normal', $2, $3,
            now() - make_interval(secs => $4 - g)
       from generate_series(1, $4::int) g`,
    [ws, customer, agent, N],
  );
  await pool.query(
    `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_by, assignee_id)
     select workspace_id, id, 1 + (hashtext(id::text) & 3), case when hashtext(ref) % 2 = 0 then 'Comment for ' || ref end, requester_id, assignee_id
       from ticket where workspace_id = $1 and (hashtext(ref) & 1) = 0`,
    [ws],
  );
  const FRESH = 200_000;
  await pool.query(
    `insert into ticket (workspace_id, ref, subject, status, requester_id, assignee_id, created_at)
     select $1, 'F-' || g, 'Fresh ' || g, 'resolved', $2, $3, '2000-01-01'::timestamptz + make_interval(secs => g) from generate_series(1, $4::int) g`,
    [ws, customer, agent, FRESH],
  );
  await pool.query('analyze');
  const { rows: page } = await pool.query<{ id: string }>(`select id from ticket where workspace_id = $1 and ref like 'B-%' order by random() limit 50`, [ws]);
  const { rows: fresh } = await pool.query<{ id: string }>(`select id from ticket where workspace_id = $1 and ref like 'F-%' order by ref`, [ws]);
  const { rows: rated } = await pool.query<{ id: string }>(`select ticket_id as id from csat_rating where workspace_id = $1 limit 1`, [ws]);
  await pool.end();
  console.log(`seeded ${N} tickets (+${FRESH} fresh resolved for rateTicket) in ${new URL(databaseUrl).pathname.slice(1)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { page, fresh, rated };
}

async function main() {
  database = await createThrowawayDatabase('csat_bench_api', { serverUrl: process.env.DATABASE_URL });
  const databaseUrl = database.url;

  const ws = randomUUID();
  const agent = randomUUID();
  const customer = randomUUID();
  const { page, fresh, rated } = await seed(databaseUrl, ws, agent, customer);

  execFileSync(path.resolve('node_modules/.bin/tsx'), ['scripts/build.ts'], { stdio: 'inherit' });
  const metricsPort = await freePort();
  const csatUrl = await startProcess('csat', 'src/main.ts', [], { DATABASE_URL: databaseUrl, METRICS_PORT: String(metricsPort) }, (p) => `http://127.0.0.1:${p}/graphql`);
  metricsUrls.set(csatUrl, `http://127.0.0.1:${metricsPort}/metrics`);
  const baselineBuild = values.baseline ? buildBaseline(values.baseline) : undefined;
  const baselineUrl = baselineBuild ? await startProcess('csat (before)', 'src/main.ts', [], { DATABASE_URL: databaseUrl }, (p) => `http://127.0.0.1:${p}/graphql`, baselineBuild) : undefined;
  // (d0): rateTicket's cost is mostly its triggers', which live in the database: the baseline gets one of its own,
  // migrated by its own code at its start, then seeded as this one was.
  let baselineD: { url: string; fresh: { id: string }[] } | undefined;
  if (baselineBuild && (!values.only || values.only.split(',').includes('d'))) {
    baselineDatabase = await createThrowawayDatabase('csat_bench_api_before', { serverUrl: process.env.DATABASE_URL, prepare: false });
    const admin = new pg.Client({ connectionString: baselineDatabase.url });
    await admin.connect();
    await admin.query(readFileSync('dev/ticket.schema.sql', 'utf8'));
    await admin.end();
    const port = await freePort();
    const url = await startProcess('csat (before, d)', 'src/main.ts', [], { DATABASE_URL: baselineDatabase.url, METRICS_PORT: String(port) }, (p) => `http://127.0.0.1:${p}/graphql`, baselineBuild);
    metricsUrls.set(url, `http://127.0.0.1:${port}/metrics`);
    baselineD = { url, fresh: (await seed(baselineDatabase.url, ws, agent, customer)).fresh };
  }
  const ticketsUrl = await startProcess('tickets', 'dev/tickets/main.ts', [], { DATABASE_URL: databaseUrl }, (p) => `http://127.0.0.1:${p}/`);
  const gatewayUrl = await startProcess('gateway', 'dev/gateway/main.ts', ['--tickets', ticketsUrl, '--csat', csatUrl, '--port', '{port}'], {}, (p) => `http://127.0.0.1:${p}/`);
  const floorUrl = await startProcess('floor', 'bench/api.floor.ts', [], { DATABASE_URL: databaseUrl }, (p) => `http://127.0.0.1:${p}/graphql`);
  // A second gateway whose CSAT subgraph is the floor: (g), the most any Node subgraph could give (c) here.
  const floorGatewayUrl = await startProcess('gateway (g)', 'dev/gateway/main.ts', ['--tickets', ticketsUrl, '--csat', floorUrl, '--port', '{port}'], {}, (p) => `http://127.0.0.1:${p}/`);

  const agentToken = await signDevToken({ sub: agent, role: 'agent', workspace: ws }, SECRET, TOKEN_CLAIMS);
  const customerToken = await signDevToken({ sub: customer, role: 'customer', workspace: ws }, SECRET, TOKEN_CLAIMS);
  const headers = (token: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` });
  const entitiesBody = JSON.stringify({
    query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { csatRating csatComment csatRatedAt csatCanRate } } }',
    variables: { r: page.map((p) => ({ __typename: 'Ticket', id: p.id })) },
  });
  const inbox = (csat: boolean) =>
    JSON.stringify({ query: `{ tickets(first: 50) { edges { node { id ref subject status priority${csat ? ' csatRating csatComment csatRatedAt' : ''} } } } }` });
  const rate = (id: string, rating: number) =>
    JSON.stringify({ query: 'mutation($id: ID!, $r: Int!, $c: String) { rateTicket(ticketId: $id, rating: $r, comment: $c) { id csatRating csatRatedAt } }', variables: { id, r: rating, c: values.comment } });

  // Same answers from the product and the floor before measuring anything.
  const a = await post(csatUrl, agentToken, JSON.parse(entitiesBody));
  const f = await post(floorUrl, agentToken, JSON.parse(entitiesBody));
  if (JSON.stringify(a) !== JSON.stringify(f)) throw new Error(`floor and subgraph disagree:\n${JSON.stringify(a).slice(0, 300)}\n${JSON.stringify(f).slice(0, 300)}`);
  if (baselineUrl && JSON.stringify(await post(baselineUrl, agentToken, JSON.parse(entitiesBody))) !== JSON.stringify(a)) throw new Error('the baseline and this build disagree on (a)');
  const c = await post(gatewayUrl, agentToken, JSON.parse(inbox(true)));
  if (c.errors || c.data.tickets.edges.length !== 50) throw new Error(`inbox failed: ${JSON.stringify(c).slice(0, 300)}`);
  const g = await post(floorGatewayUrl, agentToken, JSON.parse(inbox(true)));
  if (JSON.stringify(g) !== JSON.stringify(c)) throw new Error(`the inbox through the floor differs:\n${JSON.stringify(g).slice(0, 300)}`);

  const want = (k: string) => !values.only || values.only.split(',').includes(k);
  const ROUNDS = Number(values.rounds);
  const runs: Record<string, { name: string; opts: () => autocannon.Options }> = {
    ...(baselineUrl
      ? { a0: { name: `(a0) as (a), the baseline ${values.baseline}`, opts: (): autocannon.Options => ({ url: baselineUrl, method: 'POST', headers: headers(agentToken), body: entitiesBody }) } }
      : {}),
    a: { name: '(a) CSAT _entities, 50 representations', opts: () => ({ url: csatUrl, method: 'POST', headers: headers(agentToken), body: entitiesBody }) },
    f: { name: '(f) floor: node:http + pg, same SQL', opts: () => ({ url: floorUrl, method: 'POST', headers: headers(agentToken), body: entitiesBody }) },
    b: { name: '(b) gateway inbox, 50 tickets, no CSAT', opts: () => ({ url: gatewayUrl, method: 'POST', headers: headers(agentToken), body: inbox(false) }) },
    c: { name: '(c) gateway inbox, 50 tickets, with CSAT', opts: () => ({ url: gatewayUrl, method: 'POST', headers: headers(agentToken), body: inbox(true) }) },
    g: { name: '(g) as (c), the floor in place of the CSAT subgraph', opts: () => ({ url: floorGatewayUrl, method: 'POST', headers: headers(agentToken), body: inbox(true) }) },
    ...(baselineD
      ? {
          d0: {
            name: `(d0) as (d), the baseline ${values.baseline} on its own database`,
            opts: (): autocannon.Options => ({
              url: baselineD!.url,
              method: 'POST',
              headers: headers(customerToken),
              requests: [{ setupRequest: (req) => ({ ...req, body: rate(baselineD!.fresh[nextBefore++ % baselineD!.fresh.length]!.id, 1 + (nextBefore % 5)) }) }],
            }),
          },
        }
      : {}),
    d: {
      name: '(d) rateTicket, fresh resolved tickets',
      opts: () => ({
        url: csatUrl,
        method: 'POST',
        headers: headers(customerToken),
        requests: [{ setupRequest: (req) => ({ ...req, body: rate(fresh[nextFresh++ % fresh.length]!.id, 1 + (nextFresh % 5)) }) }],
      }),
    },
    e: { name: '(e) rateTicket, no-op repeat', opts: () => ({ url: csatUrl, method: 'POST', headers: headers(customerToken), body: rate(rated[0]!.id, 5) }) },
  };
  let nextFresh = 0;
  let nextBefore = 0;
  const samples: Record<string, Figures[]> = {};
  const sqlPerRequest: Record<string, number> = {};
  // Each ratio's two runs alternate, ROUNDS times, in swapped order each round: this machine's speed
  // drifts by ±15 % between runs, and a pair measured side by side shares the drift.
  for (const pair of [['a0', 'a', 'f'], ['b', 'c', 'g'], ['d0', 'd'], ['e']]) {
    const keys = pair.filter((k) => runs[k] && (want(k) || (k === 'a0' && want('a')) || (k === 'd0' && want('d'))));
    for (let round = 0; round < (keys.length > 1 ? ROUNDS : 1); round++) {
      for (const k of round % 2 ? [...keys].reverse() : keys) {
        const counted = k === 'a0' ? baselineUrl! : k === 'd0' ? baselineD!.url : csatUrl;
        const before = await counters(counted);
        (samples[k] ??= []).push(await load(runs[k]!.name, runs[k]!.opts()));
        const after = await counters(counted);
        // (b), (f) and (g) never reach the CSAT subgraph (a previous run's last in-flight calls may still land).
        if (!['b', 'f', 'g'].includes(k)) sqlPerRequest[k] = perRequest(before, after);
      }
    }
  }
  const soakSeconds = Number(values.soak);
  if (soakSeconds > 0) {
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${named.get('csat')}/status`, 'utf8'))?.[1]) / 1024;
    // The agent UI's insights: the unhappy-first list and the summary (docs/insights.md).
    const insightsBody = JSON.stringify({
      query: `{ csatRatings(filter: { ratings: [1, 2] }, orderBy: UNHAPPY_FIRST, first: 20) { edges { node { rating commentLength ratedAt } } pageInfo { hasNextPage } }
                csatSummary { count average satisfiedShare responseRate } }`,
    });
    const insights = await post(csatUrl, agentToken, JSON.parse(insightsBody));
    if (insights.errors || !insights.data.csatSummary.count) throw new Error(`insights failed: ${JSON.stringify(insights).slice(0, 300)}`);
    const rssStart = rss();
    // RSS each 30 s: a leak keeps climbing; a heap sizing itself to the load levels off.
    const rssSamples: number[] = [];
    const sampler = setInterval(() => rssSamples.push(rss()), 30_000);
    let i = 0;
    // Per connection, in turn: an agent's inbox page, a customer's first rating, the no-op repeat, the agent's insights.
    const soak = await autocannon({
      url: csatUrl,
      method: 'POST',
      connections: 50,
      duration: soakSeconds,
      requests: [
        { headers: headers(agentToken), body: entitiesBody },
        { headers: headers(customerToken), setupRequest: (req) => ({ ...req, body: rate(fresh[nextFresh++ % fresh.length]!.id, 1 + (i++ % 5)) }) },
        { headers: headers(customerToken), body: rate(rated[0]!.id, 5) },
        { headers: headers(agentToken), body: insightsBody },
      ],
    });
    clearInterval(sampler);
    console.log(
      `\nsoak: ${soakSeconds} s, 50 connections, mixed (entities / rate / no-op / insights): ${soak.requests.total} requests, ${soak.requests.average.toFixed(0)} req/s, ` +
        `p50 ${soak.latency.p50} ms, p99 ${soak.latency.p99} ms, errors ${soak.errors}, timeouts ${soak.timeouts}, non-2xx ${soak.non2xx}; ` +
        `CSAT RSS ${rssStart.toFixed(0)} MiB at the start, ${rss().toFixed(0)} MiB at the end` +
        ` (every 30 s: ${rssSamples.map((m) => m.toFixed(0)).join(', ')})`,
    );
  }
  if (baselineD && nextBefore > baselineD.fresh.length) console.warn(`note: (d0) ran out of fresh tickets; later calls were no-ops`);
  if (nextFresh > fresh.length) console.warn(`note: (d) ran out of fresh tickets (${nextFresh} > ${fresh.length}); later calls were no-ops`);

  if (!Object.keys(samples).length) return; // a soak alone
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)]!;
  const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '-');
  console.log(
    `\n${cpus().length} cores, ${cpus()[0]?.model ?? ''}; ${DURATION} s per run after a 2 s warm-up, ${CONNECTIONS} connections, N = ${N}; ` +
      `(a) and (f), and (b), (c) and (g), alternated ${ROUNDS} times, medians shown; servers with NODE_ENV=production LOG_LEVEL=warn`,
  );
  console.log('| run | req/s | p50 ms | p99 ms | errors | CSAT SQL statements per request |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [k, xs] of Object.entries(samples)) {
    const sql = sqlPerRequest[k];
    console.log(
      `| ${xs[0]!.name} | ${fmt(median(xs.map((x) => x.rps)))} | ${median(xs.map((x) => x.p50))} | ${median(xs.map((x) => x.p99))} | ` +
        `${xs.reduce((n, x) => n + x.errors, 0)} | ${sql === undefined ? '' : sql.toFixed(3)} |`,
    );
  }
  const procs = [...(baselineUrl ? ['csat (before)'] : []), ...(baselineD ? ['csat (before, d)'] : []), 'csat', 'tickets', 'gateway', 'floor', 'postgres', 'load generator'];
  console.log('\nCPU ms per request, by process (from /proc; medians):');
  console.log(`| run | ${procs.join(' | ')} |`);
  console.log(`| --- |${procs.map(() => ' ---: |').join('')}`);
  // One gateway column: (g) runs through the second gateway, every other run through the first.
  const cpuOf = (x: Figures, p: string) => (x.cpu[p] ?? 0) + (p === 'gateway' ? (x.cpu['gateway (g)'] ?? 0) : 0);
  for (const [k, xs] of Object.entries(samples)) console.log(`| (${k}) | ${procs.map((p) => median(xs.map((x) => cpuOf(x, p))).toFixed(2)).join(' | ')} |`);
  const ratio = (x: string, y: string) => {
    const xs = samples[x];
    const ys = samples[y];
    if (!xs || !ys) return 'n/a';
    const each = xs.map((v, i) => (v.rps / ys[i]!.rps).toFixed(2)).join(', ');
    return `${(median(xs.map((v) => v.rps)) / median(ys.map((v) => v.rps))).toFixed(2)} (per round: ${each})`;
  };
  if (baselineUrl && samples.a0) console.log(`\n(a0)/(f) = ${ratio('a0', 'f')} (the baseline ${values.baseline})`);
  if (baselineD && samples.d0) console.log(`(d)/(d0) = ${ratio('d', 'd0')} (rateTicket against the baseline's own database and triggers)`);
  console.log(`\n(a)/(f) = ${ratio('a', 'f')}\n(c)/(b) = ${ratio('c', 'b')}\n(g)/(b) = ${ratio('g', 'b')} (the floor in the CSAT subgraph's place: what the least server answering the same request scores)`);
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(stopAll);

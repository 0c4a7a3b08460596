// `npm run bench:export` — the CSV exporter through the gateway at each row count (default 100,000 and
// 1,000,000): seconds, rows/s and the exporter's peak RSS (flat memory: the figures of the counts within
// 10 % of each other), next to a bare client (the same listing through the same gateway, plain fetch, no
// CSV) with and without the CSAT fields, and PostgreSQL's own `COPY (…) TO STDOUT (FORMAT csv)` of the
// same rows as the floor. Prints figures; asserts only that the row counts are exact.
// Builds first: the exporter (its bin), the gateway and both subgraphs run from dist/ as plain
// JavaScript, each in its own process, so the CPU each one spends per run is visible.
// Uses DATABASE_URL's server (a throwaway database csat_bench_export, dropped at the end) or, when unset,
// an embedded PostgreSQL. Options: --counts 100000,1000000, --page-size 500, --rounds 3 (the exporter and
// the two bare clients alternate, in a rotated order each round; medians are shown).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { freePort } from '../dev/embedded.postgres.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../dev/throwaway.database.js';
import { signDevToken } from '../src/auth/token.signer.js';
import { waitUntilServing, PRODUCTION_LINK_ENV } from './bench.process.js';

const { values } = parseArgs({
  options: {
    counts: { type: 'string', default: '100000,1000000' },
    'page-size': { type: 'string', default: '500' },
    rounds: { type: 'string', default: '3' },
  },
});
const COUNTS = values.counts!.split(',').map((c) => Number(c.trim())).sort((a, b) => a - b);
if (!COUNTS.length || COUNTS.some((c) => !Number.isInteger(c) || c < 1)) throw new Error('--counts: positive whole numbers, comma-separated');
const TOTAL = COUNTS.at(-1)!;
const PAGE_SIZE = Number(values['page-size']);
const ROUNDS = Number(values.rounds);
const DATABASE = 'csat_bench_export';
const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';
// Production with an HS256 secret checks issuer and audience (config.ts): the servers expect these, the token carries them.
const TOKEN_CLAIMS = { issuer: 'csat-bench', audience: 'csat' };
const TOKEN_CLAIMS_ENV = { AUTH_ISSUER: TOKEN_CLAIMS.issuer, AUTH_AUDIENCE: TOKEN_CLAIMS.audience };
const BIN = path.resolve('bin/csat-export.js');
const QUERY_FILE = path.resolve('src/export/export.query.graphql');
const BASE = Date.parse('2025-01-01T00:00:00.000Z');
const workspace = randomUUID();

let database: ThrowawayDatabase | undefined;
let work: string | undefined;
const servers = new Map<string, ChildProcess>();

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: database!.url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * TOTAL tickets in one workspace, one second apart; every other one rated. Comments as customers write
 * them: 30 % of ratings none, then mostly a line (20–120 characters), some a paragraph (200–800), and
 * one in twenty-five long (1,800–2,000, the maximum), with quotes, commas, newlines, emoji and formula triggers.
 */
async function seed(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(
      `insert into ticket (id, workspace_id, ref, subject, status, priority, requester_id, assignee_id, created_at, updated_at)
       select gen_random_uuid(), $1, 'BX-' || g,
              'Bench ticket #' || g || case when g % 10 = 0 then ', with "quotes", commas' else '' end,
              (array['new','open','pending','resolved','closed'])[1 + g % 5],
              (array['low','normal','high','urgent'])[1 + g % 4],
              ('00000000-0000-4000-9c00-' || lpad(to_hex(g % 50), 12, '0'))::uuid,
              case when g % 7 = 0 then null else ('00000000-0000-4000-9b00-' || lpad(to_hex(g % 5), 12, '0'))::uuid end,
              $2::timestamptz + g * interval '1 second', $2::timestamptz + g * interval '1 second' + interval '1 hour'
         from generate_series(1, $3::int) g`,
      [workspace, new Date(BASE), TOTAL],
    );
    await c.query(
      `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_by, assignee_id, rated_at)
       select workspace_id, id, 1 + n % 5,
              case when h < 30 then null
                   when h < 33 then '=HYPERLINK("http://example.invalid","click") 👍'
                   when h < 80 then left('Quick and friendly, thank you! Ticket #' || n || ' was sorted out fast, "really". ', 20 + (n * 7) % 100)
                   when h < 95 then left(repeat('The agent was helpful, "really", though it took a while; ' || chr(10), 20), 200 + (n * 13) % 600)
                   else left(repeat('A long comment, with "quotes", commas and a newline' || chr(10) || 'in it. 👍 ', 40), 1800 + (n * 31) % 201) end,
              requester_id, assignee_id, created_at + interval '2 hours'
         from (select t.*, substr(ref, 4)::int as n, (substr(ref, 4)::int * 37) % 100 as h from ticket t where workspace_id = $1) t
        where n % 2 = 0`,
      [workspace],
    );
    // Vacuumed now, so autovacuum's pass over the fresh rows does not land in a measured run.
    await c.query('vacuum (analyze) ticket');
    await c.query('vacuum (analyze) csat_rating');
  } finally {
    await c.end();
  }
}

async function commentStats(url: string): Promise<{ rated: number; commented: number; avg: number; long: number; max: number }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query(
      `select count(*)::int rated, count(comment)::int commented, avg(char_length(comment))::int avg,
              count(*) filter (where char_length(comment) >= 1800)::int long, max(char_length(comment))::int max from csat_rating`,
    );
    return rows[0];
  } finally {
    await c.end();
  }
}

/** Spawns a server from dist/ on a free port and waits until it answers HTTP. */
async function startServer(name: string, entry: string, args: string[], env: Record<string, string>, url: (port: number) => string): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join('dist', entry), ...args.map((a) => a.replace('{port}', String(port)))], {
    env: { ...process.env, ...env, PORT: String(port), NODE_ENV: 'production', ...PRODUCTION_LINK_ENV, LOG_LEVEL: 'warn', AUTH_JWT_SECRET: SECRET, ...TOKEN_CLAIMS_ENV },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  servers.set(name, child);
  return waitUntilServing(child, name, url(port));
}

/** CPU seconds (user + system) of a process, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

type Cpu = Record<'gateway' | 'tickets' | 'csat' | 'postgres' | 'machine', number>;

/** CPU seconds the whole machine spent busy so far (/proc/stat: user, nice, system, irq, softirq). */
function machineBusySeconds(): number {
  const [, user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  return (user! + nice! + system! + irq! + softirq!) / 100;
}

/** CPU seconds so far of each server, of each PostgreSQL process by pid, and of the machine. */
function cpuSnapshot(): { servers: Record<string, number>; postgres: Map<string, number>; machine: number } {
  const postgres = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').startsWith('postgres')) postgres.set(entry, cpuSeconds(Number(entry)));
    } catch {
      /* gone */
    }
  }
  return { servers: Object.fromEntries([...servers].map(([name, child]) => [name, cpuSeconds(child.pid!)])), postgres, machine: machineBusySeconds() };
}

/** CPU seconds between two snapshots; PostgreSQL summed over the processes alive in both (the pools keep theirs). */
function cpuDelta(before: ReturnType<typeof cpuSnapshot>, after: ReturnType<typeof cpuSnapshot>): Cpu {
  let postgres = 0;
  for (const [pid, s] of after.postgres) {
    const was = before.postgres.get(pid);
    if (was !== undefined && Number.isFinite(s - was)) postgres += s - was;
  }
  const of = (name: string) => after.servers[name]! - before.servers[name]!;
  return { gateway: of('gateway'), tickets: of('tickets'), csat: of('csat'), postgres, machine: after.machine - before.machine };
}

interface Figures {
  name: string;
  rows: number;
  seconds: number;
  /** KiB. */
  peakRss?: number;
  bytes?: number;
  /** CPU seconds during the run: the client's own, each server's, PostgreSQL's, the whole machine's. */
  cpu?: Cpu & { client: number };
}

/** Runs a client process that prints one JSON line `{ rows, seconds, cpuSeconds, maxRssKiB }` (after `prefix`) on stderr. */
async function runClient(name: string, rows: number, argv: string[], prefix: string): Promise<Figures> {
  const before = cpuSnapshot();
  const child = spawn(process.execPath, argv, { env: { ...process.env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const after = cpuSnapshot();
  const line = stderr.split('\n').find((l) => l.startsWith(prefix));
  if (code !== 0 || !line) throw new Error(`${name}: failed (exit ${code}):\n${stderr}`);
  const stats = JSON.parse(line.slice(prefix.length)) as { rows: number; seconds: number; cpuSeconds: number; maxRssKiB: number };
  if (stats.rows !== rows) throw new Error(`${name}: expected ${rows} rows, got ${stats.rows}`);
  return { name, rows, seconds: stats.seconds, peakRss: stats.maxRssKiB, cpu: { client: stats.cpuSeconds, ...cpuDelta(before, after) } };
}

/** The package's bin with the flag its shebang (and `npm run export`) gives Node. */
async function runExporter(name: string, rows: number, gatewayUrl: string, token: string, until: Date): Promise<Figures> {
  const out = path.join(work!, `${randomUUID()}.csv`);
  const args = ['--endpoint', gatewayUrl, '--token', token, '--out', out, '--page-size', String(PAGE_SIZE), '--until', until.toISOString(), '--quiet', '--stats'];
  const figures = await runClient(name, rows, ['--max-semi-space-size=4', BIN, ...args], 'csat-export stats ');
  figures.bytes = (await stat(out)).size;
  await rm(out);
  return figures;
}

/**
 * The bare client: the least any client does to read the same listing through the same gateway: the
 * default listing query (CSAT fields kept or cut out), plain fetch and JSON.parse, no CSV, nothing kept.
 */
const BARE_CLIENT = `
const { gatewayUrl, token, query, first, filter } = JSON.parse(process.argv[1]);
const started = performance.now();
let after = null, rows = 0;
for (let page = 1; ; page++) {
  const res = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token },
    body: JSON.stringify({ query, variables: { first, after, filter, withTotal: page === 1 } }),
  });
  const body = await res.json();
  if (!res.ok || body.errors) throw new Error(JSON.stringify(body).slice(0, 300));
  const connection = body.data.tickets;
  rows += connection.edges.length;
  if (!connection.pageInfo.hasNextPage) break;
  after = connection.pageInfo.endCursor;
}
const usage = process.resourceUsage();
process.stderr.write('bare ' + JSON.stringify({ rows, seconds: (performance.now() - started) / 1000, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, maxRssKiB: usage.maxRSS }) + '\\n');
`;

async function runBare(name: string, rows: number, gatewayUrl: string, token: string, until: Date, csat: boolean): Promise<Figures> {
  const full = readFileSync(QUERY_FILE, 'utf8');
  const query = csat ? full : full.replace(/^\s*csat(Rating|Comment|RatedAt)\n/gm, '');
  if (!csat && /csat[A-Z]/.test(query.replace(/^#.*$/gm, ''))) throw new Error('the bare client without CSAT still selects CSAT fields');
  const config = JSON.stringify({ gatewayUrl, token, query, first: PAGE_SIZE, filter: { createdUntil: until.toISOString() } });
  return runClient(name, rows, ['--input-type=module', '-e', BARE_CLIENT, config], 'bare ');
}

async function runCopy(name: string, rows: number, url: string, until: Date): Promise<Figures> {
  const ts = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  const sql = `copy (
      select t.id, t.ref, t.subject, t.status, t.priority, t.assignee_id, t.requester_id, ${ts('t.created_at')} as created_at,
             ${ts('t.updated_at')} as updated_at, r.rating as csat_rating, r.comment as csat_comment, ${ts('r.rated_at')} as csat_rated_at
        from ticket t left join csat_rating r on r.workspace_id = t.workspace_id and r.ticket_id = t.id
       where t.workspace_id = '${workspace}' and t.created_at < '${until.toISOString()}'
       order by t.created_at, t.id
    ) to stdout (format csv, header)`;
  const out = path.join(work!, `${randomUUID()}.csv`);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const started = performance.now();
    const stream = c.query(copyTo(sql));
    await pipeline(stream, createWriteStream(out));
    const seconds = (performance.now() - started) / 1000;
    // The stream ends at CopyDone; its rowCount comes with CommandComplete, read before the next query's answer.
    await c.query('select 1');
    if (Number(stream.rowCount) !== rows) throw new Error(`${name}: COPY wrote ${stream.rowCount} rows, expected ${rows}`);
    const { size } = await stat(out);
    await rm(out);
    return { name, rows, seconds, bytes: size };
  } finally {
    await c.end();
  }
}

/** The machine's busy CPU seconds not spent by the run's own processes: other work on the machine (and the bench's own bookkeeping). */
const others = (c: Cpu & { client: number }) => Math.max(0, c.machine - c.client - c.gateway - c.tickets - c.csat - c.postgres);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const mib = (kib: number | undefined) => (kib === undefined ? '—' : `${(kib / 1024).toFixed(0)} MiB`);
const fmt = (n: number) => n.toLocaleString('en-US');

/** One row of medians over the rounds of a run. */
function medianOf(samples: Figures[]): Figures {
  const first = samples[0]!;
  const m = (f: (x: Figures) => number | undefined) => (f(first) === undefined ? undefined : median(samples.map((x) => f(x)!)));
  const cpu = first.cpu
    ? {
        client: m((x) => x.cpu!.client)!,
        gateway: m((x) => x.cpu!.gateway)!,
        tickets: m((x) => x.cpu!.tickets)!,
        csat: m((x) => x.cpu!.csat)!,
        postgres: m((x) => x.cpu!.postgres)!,
        machine: m((x) => x.cpu!.machine)!,
      }
    : undefined;
  return { name: first.name, rows: first.rows, seconds: m((x) => x.seconds)!, peakRss: m((x) => x.peakRss), bytes: m((x) => x.bytes), cpu };
}

function table(figures: Figures[]): string {
  const head = ['run', 'rows', 'seconds', 'rows/s', 'peak RSS', 'CSV size', 'CPU s: client', 'gateway', 'tickets', 'csat', 'postgres', 'others'];
  const body = figures.map((f) => [
    f.name,
    fmt(f.rows),
    f.seconds.toFixed(2),
    fmt(Math.round(f.rows / f.seconds)),
    mib(f.peakRss),
    f.bytes === undefined ? '—' : `${(f.bytes / 1024 / 1024).toFixed(1)} MiB`,
    ...(f.cpu ? [f.cpu.client, f.cpu.gateway, f.cpu.tickets, f.cpu.csat, f.cpu.postgres, others(f.cpu)].map((s) => s.toFixed(1)) : ['—', '—', '—', '—', '—', '—']),
  ]);
  return [head, head.map(() => '---'), ...body].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

async function main(): Promise<void> {
  const loadStart = loadavg().map((l) => l.toFixed(1)).join(' ');
  work = await mkdtemp(path.join(tmpdir(), 'csat-bench-export-'));
  let t = performance.now();
  database = await createThrowawayDatabase(DATABASE, { serverUrl: process.env.DATABASE_URL });
  const url = database.url;
  const pgVersion = await admin(async (c) => (await c.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]!.v);
  await seed(url);
  const stats = await commentStats(url);
  console.error(
    `seeded ${fmt(TOTAL)} tickets in ${((performance.now() - t) / 1000).toFixed(1)} s: ${fmt(stats.rated)} rated, ${fmt(stats.commented)} with a comment ` +
      `(${stats.avg} characters on average, ${fmt(stats.long)} of 1,800 or more, the longest ${stats.max})`,
  );

  execFileSync(path.resolve('node_modules/.bin/tsx'), ['scripts/build.ts'], { stdio: 'inherit' });
  const csatUrl = await startServer('csat', 'src/main.js', [], { DATABASE_URL: url }, (p) => `http://127.0.0.1:${p}/graphql`);
  const ticketsUrl = await startServer('tickets', 'dev/tickets/main.js', [], { DATABASE_URL: url }, (p) => `http://127.0.0.1:${p}/`);
  const gatewayUrl = await startServer('gateway', 'dev/gateway/main.js', ['--tickets', ticketsUrl, '--csat', csatUrl, '--port', '{port}'], {}, (p) => `http://127.0.0.1:${p}/`);
  const token = await signDevToken({ sub: randomUUID(), role: 'agent', workspace }, SECRET, { ttlSeconds: 24 * 3600, ...TOKEN_CLAIMS });
  // The first N tickets: created at BASE + 1 s … BASE + N s.
  const untilOf = (n: number) => new Date(BASE + (n + 1) * 1000);

  // Warm-up (not reported): the gateway's query plans, the subgraphs' pools and JIT, PostgreSQL's caches.
  t = performance.now();
  const warm = Math.min(20_000, TOTAL);
  await runExporter('warm-up', warm, gatewayUrl, token, untilOf(warm));
  await runBare('warm-up', warm, gatewayUrl, token, untilOf(warm), true);
  await runBare('warm-up', warm, gatewayUrl, token, untilOf(warm), false);
  await runCopy('warm-up', TOTAL, url, untilOf(TOTAL));
  console.error(`warm-up ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const figures: Figures[] = [];
  const ratios: string[] = [];
  const peakRss: number[] = [];
  for (const n of COUNTS) {
    const until = untilOf(n);
    const runs = [
      { key: 'export', run: () => runExporter(`csat-export (the bin), ${fmt(n)}`, n, gatewayUrl, token, until) },
      { key: 'bare', run: () => runBare(`bare client with the CSAT fields, ${fmt(n)}`, n, gatewayUrl, token, until, true) },
      { key: 'bare-no-csat', run: () => runBare(`bare client without the CSAT fields, ${fmt(n)}`, n, gatewayUrl, token, until, false) },
    ];
    const samples: Record<string, Figures[]> = {};
    // The machine's speed drifts between runs; runs measured side by side, order rotated per round, share it.
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < runs.length; i++) {
        const { key, run } = runs[(i + round) % runs.length]!;
        const f = await run();
        (samples[key] ??= []).push(f);
        console.error(`  ${f.name}: ${f.seconds.toFixed(2)} s, ${mib(f.peakRss)}`);
      }
    }
    for (const { key } of runs) figures.push(medianOf(samples[key]!));
    const copy = await runCopy(`COPY … TO STDOUT (FORMAT csv), ${fmt(n)}`, n, url, until);
    figures.push(copy);
    // Each round's two runs ran side by side: the ratio of a round shares its drift, the median of those is reported.
    const perRound = (a: string, b: string) => samples[a]!.map((x, i) => x.seconds / samples[b]![i]!.seconds);
    const ratio = (a: string, b: string) => `${median(perRound(a, b)).toFixed(2)} (rounds: ${perRound(a, b).map((r) => r.toFixed(2)).join(', ')})`;
    ratios.push(
      `${fmt(n)} rows: csat-export / bare client = ${ratio('export', 'bare')}, goal ≤ 1.15; ` +
        `bare client with / without the CSAT fields = ${ratio('bare', 'bare-no-csat')}, goal ≤ 1.5; ` +
        `csat-export / COPY = ${(median(samples.export!.map((x) => x.seconds)) / copy.seconds).toFixed(1)}`,
    );
    peakRss.push(Math.max(...samples.export!.map((x) => x.peakRss!)));
  }
  const rssSpread = ((Math.max(...peakRss) / Math.min(...peakRss) - 1) * 100).toFixed(1);

  const cpu = cpus();
  console.log(
    [
      '',
      `machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, PostgreSQL ${pgVersion} (${database!.where})`,
      `page size ${PAGE_SIZE}; the gateway, the Tickets and the CSAT subgraphs each in its own process from dist/ (NODE_ENV=production);`,
      `medians of ${ROUNDS} round(s) (COPY: one run); seconds are each client's own (process start-up excluded); peak RSS is the client's maxRSS;`,
      'CPU s: CPU seconds spent during the run by the client, the gateway, each subgraph, PostgreSQL (all its processes), and others:',
      `the rest of the machine's busy time (other work on it disturbs the figures); load average ${loadStart} at the start, ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end`,
      '',
      table(figures),
      '',
      ...ratios,
      `csat-export peak RSS (the highest of its rounds) at ${COUNTS.map(fmt).join(' and ')} rows: ${peakRss.map((k) => mib(k)).join(' and ')}, ${rssSpread} % apart (goal ≤ 10 %)`,
      '',
    ].join('\n'),
  );
}

async function cleanup(): Promise<void> {
  for (const child of servers.values()) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all([...servers.values()].map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
  await database?.drop().catch((err: unknown) => console.error(`could not drop ${DATABASE}:`, err));
  if (work) await rm(work, { recursive: true, force: true });
}

let exitCode = 0;
try {
  await main();
} catch (err) {
  console.error(err);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exit(exitCode);

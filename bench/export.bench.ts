// `npm run bench:export` — the CSV exporter through the gateway, 10,000 and 100,000 rows: rows/s and the
// exporter's peak RSS (flat memory means the two RSS figures are close), against PostgreSQL's own
// `COPY (…) TO STDOUT (FORMAT csv)` of the same rows as the floor. Prints figures; asserts only that the
// row counts are exact. Uses DATABASE_URL's server (a throwaway database csat_bench_export, dropped at
// the end) or, when unset, an embedded PostgreSQL. Options: --tickets N (default 100000), --page-size N.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { pino } from 'pino';
import { prepareDatabase } from '../dev/dev.database.js';
import { startSupergraph, type Supergraph } from '../dev/supergraph.js';
import { signDevToken } from '../src/auth/token.signer.js';
import { loadConfig } from '../src/config/config.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../dev/embedded.postgres.js';

const { values } = parseArgs({ options: { tickets: { type: 'string', default: '100000' }, 'page-size': { type: 'string', default: '500' } } });
const TOTAL = Number(values.tickets);
const SMALL = Math.min(10_000, TOTAL);
const PAGE_SIZE = values['page-size']!;
const DATABASE = 'csat_bench_export';
const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';
const NODE = path.resolve('node_modules/.bin/node');
const BASE = Date.parse('2025-01-01T00:00:00.000Z');
const workspace = randomUUID();

let embedded: EmbeddedPostgres | undefined;
let serverUrl: string;
let sg: Supergraph | undefined;
let work: string | undefined;
let pgDir: string | undefined;
let created = false;

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** TOTAL tickets in one workspace, one second apart; every other one rated; every 20th comment long. */
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
              case when n % 20 = 2 then repeat('A long comment, with "quotes", commas and a newline' || chr(10) || 'in it. ', 25)
                   when n % 10 = 4 then '=HYPERLINK("http://example.invalid","click") 👍'
                   when n % 10 = 6 then null
                   else 'Quick and friendly, thank you #' || n end,
              requester_id, assignee_id, created_at + interval '2 hours'
         from (select t.*, substr(ref, 4)::int as n from ticket t where workspace_id = $1) t
        where n % 2 = 0`,
      [workspace],
    );
    await c.query('analyze ticket; analyze csat_rating');
  } finally {
    await c.end();
  }
}

interface Figures {
  name: string;
  rows: number;
  seconds: number;
  /** KiB; undefined for COPY (the work happens in the PostgreSQL server). */
  peakRss?: number;
  bytes: number;
}

/**
 * How the exporter is started: `shipped` is the package's bin (bin/csat-export.js, run through its
 * shebang exactly as `npx csat-export` runs it, V8 flags included); `plain` is
 * `node --import tsx src/export/export.cli.ts`, with V8's default young generation, for comparison.
 */
type Launch = 'shipped' | 'plain';

async function runExporter(name: string, rows: number, token: string, extra: string[], launch: Launch = 'shipped'): Promise<Figures> {
  const out = path.join(work!, `${randomUUID()}.csv`);
  const args = ['--endpoint', sg!.gatewayUrl, '--out', out, '--page-size', PAGE_SIZE, '--quiet', '--stats', ...extra];
  const [command, argv] = launch === 'shipped' ? [path.resolve('bin/csat-export.js'), args] : [NODE, ['--import', 'tsx', 'src/export/export.cli.ts', ...args]];
  const env = { ...process.env, CSAT_EXPORT_TOKEN: token, PATH: `${path.dirname(NODE)}${path.delimiter}${process.env.PATH ?? ''}` };
  const child = spawn(command, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const line = stderr.split('\n').find((l) => l.startsWith('csat-export stats '));
  if (code !== 0 || !line) throw new Error(`${name}: the exporter failed (exit ${code}):\n${stderr}`);
  const stats = JSON.parse(line.slice('csat-export stats '.length)) as { rows: number; seconds: number; maxRssKiB: number };
  if (stats.rows !== rows) throw new Error(`${name}: expected ${rows} rows, the exporter wrote ${stats.rows}`);
  const { size } = await stat(out);
  await rm(out);
  return { name, rows, seconds: stats.seconds, peakRss: stats.maxRssKiB, bytes: size };
}

async function runCopy(name: string, rows: number, url: string, until?: Date): Promise<Figures> {
  const ts = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  const range = until ? ` and t.created_at < '${until.toISOString()}'` : '';
  const sql = `copy (
      select t.id, t.ref, t.subject, t.status, t.priority, t.assignee_id, t.requester_id, ${ts('t.created_at')} as created_at,
             ${ts('t.updated_at')} as updated_at, r.rating as csat_rating, r.comment as csat_comment, ${ts('r.rated_at')} as csat_rated_at
        from ticket t left join csat_rating r on r.workspace_id = t.workspace_id and r.ticket_id = t.id
       where t.workspace_id = '${workspace}'${range}
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
    if (Number(stream.rowCount) !== rows) throw new Error(`${name}: COPY wrote ${stream.rowCount} rows, expected ${rows}`);
    const { size } = await stat(out);
    await rm(out);
    return { name, rows, seconds, bytes: size };
  } finally {
    await c.end();
  }
}

function table(figures: Figures[]): string {
  const head = ['run', 'rows', 'seconds', 'rows/s', 'peak RSS', 'CSV size'];
  const body = figures.map((f) => [
    f.name,
    f.rows.toLocaleString('en-US'),
    f.seconds.toFixed(2),
    Math.round(f.rows / f.seconds).toLocaleString('en-US'),
    f.peakRss === undefined ? '—' : `${(f.peakRss / 1024).toFixed(0)} MiB`,
    `${(f.bytes / 1024 / 1024).toFixed(1)} MiB`,
  ]);
  return [head, head.map(() => '---'), ...body].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

async function main(): Promise<void> {
  work = await mkdtemp(path.join(tmpdir(), 'csat-bench-export-'));
  if (process.env.DATABASE_URL) {
    serverUrl = process.env.DATABASE_URL;
  } else {
    pgDir = await mkdtemp(path.join(tmpdir(), 'csat-bench-export-pg-'));
    embedded = await startEmbeddedPostgres({ dataDir: pgDir, database: 'postgres', persistent: false });
    serverUrl = embedded.adminUrl;
  }
  await admin(async (c) => {
    await c.query(`drop database if exists ${DATABASE} with (force)`);
    await c.query(`create database ${DATABASE}`);
  });
  created = true;
  const url = withDatabase(serverUrl, DATABASE);
  const pgVersion = await admin(async (c) => (await c.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]!.v);

  let t = performance.now();
  await prepareDatabase(url, { seed: false });
  await seed(url);
  console.error(`seeded ${TOTAL.toLocaleString('en-US')} tickets (${(TOTAL / 2).toLocaleString('en-US')} rated) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const config = loadConfig({ DATABASE_URL: url, PORT: '0', AUTH_JWT_SECRET: SECRET, LOG_LEVEL: 'warn', NODE_ENV: 'production' });
  sg = await startSupergraph({ config, logger: pino({ level: 'warn' }), ports: { gateway: 0, csat: 0, tickets: 0 }, seed: false });
  const token = await signDevToken({ sub: randomUUID(), role: 'agent', workspace }, SECRET, { ttlSeconds: 3600 });
  // The first SMALL tickets: created at BASE + 1 s … BASE + SMALL s.
  const until = new Date(BASE + (SMALL + 1) * 1000);
  const smallArgs = ['--until', until.toISOString()];

  // Warm-up (not reported): the gateway's query plans, the subgraphs' pools, PostgreSQL's caches.
  t = performance.now();
  await runExporter('warm-up', SMALL, token, smallArgs);
  await runExporter('warm-up', SMALL, token, smallArgs, 'plain');
  await runCopy('warm-up', TOTAL, url);
  console.error(`warm-up ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const figures: Figures[] = [];
  figures.push(await runExporter(`csat-export via the gateway, ${SMALL.toLocaleString('en-US')}`, SMALL, token, smallArgs));
  figures.push(await runExporter(`csat-export via the gateway, ${TOTAL.toLocaleString('en-US')}`, TOTAL, token, []));
  figures.push(await runExporter(`same, V8's default young generation, ${SMALL.toLocaleString('en-US')}`, SMALL, token, smallArgs, 'plain'));
  figures.push(await runExporter(`same, V8's default young generation, ${TOTAL.toLocaleString('en-US')}`, TOTAL, token, [], 'plain'));
  figures.push(await runCopy(`COPY … TO STDOUT (FORMAT csv), ${SMALL.toLocaleString('en-US')}`, SMALL, url, until));
  figures.push(await runCopy(`COPY … TO STDOUT (FORMAT csv), ${TOTAL.toLocaleString('en-US')}`, TOTAL, url));

  const cpu = cpus();
  console.log(
    [
      '',
      `machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, PostgreSQL ${pgVersion} (${embedded ? 'embedded' : 'DATABASE_URL'})`,
      `exporter: a child process (the package's bin unless noted), --page-size ${PAGE_SIZE}; the gateway and both subgraphs share this process;`,
      "seconds are the exporter's own (start-up excluded); peak RSS is the exporter's process.resourceUsage().maxRSS",
      '',
      table(figures),
      '',
    ].join('\n'),
  );
}

async function cleanup(): Promise<void> {
  await sg?.stop().catch(() => {});
  if (created) await admin((c) => c.query(`drop database if exists ${DATABASE} with (force)`)).catch((err: unknown) => console.error(`could not drop ${DATABASE}:`, err));
  await embedded?.stop().catch(() => {});
  for (const dir of [work, pgDir]) if (dir) await rm(dir, { recursive: true, force: true });
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

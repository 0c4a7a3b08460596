// Helpers of the CSV export tests: tickets arranged with SQL, the expected CSV computed from the database
// (independently of the exporter's code), the CSV parsed back with csv-parse, the exporter as a child
// process (the compiled bin), and a fault-injecting proxy in front of the real gateway.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import type pg from 'pg';

export const HEADER = 'id,ref,subject,status,priority,assignee_id,requester_id,created_at,updated_at,csat_rating,csat_comment,csat_rated_at';
export const TRIGGERS = ['=', '+', '-', '@', '\t', '\r'] as const;

export interface TicketSpec {
  ref?: string;
  subject?: string;
  status?: 'new' | 'open' | 'pending' | 'resolved' | 'closed';
  priority?: 'low' | 'normal' | 'high' | 'urgent';
  requester?: string;
  assignee?: string | null;
  createdAt: Date;
  rating?: { rating: number; comment: string | null; ratedAt?: Date };
}

/** Inserts tickets (and ratings) of one workspace; returns their ids in insertion order. */
export async function insertTickets(pool: pg.Pool, workspace: string, specs: TicketSpec[]): Promise<string[]> {
  const ids = specs.map(() => randomUUID());
  await pool.query(
    `insert into ticket (id, workspace_id, ref, subject, status, priority, requester_id, assignee_id, created_at, updated_at)
     select id, $2, ref, subject, status, priority, requester, assignee, created, created + interval '1 hour'
       from unnest($1::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::uuid[], $8::uuid[], $9::timestamptz[])
         as t(id, ref, subject, status, priority, requester, assignee, created)`,
    [
      ids,
      workspace,
      specs.map((s, i) => s.ref ?? `EX-${i + 1}`),
      specs.map((s, i) => s.subject ?? `Ticket ${i + 1}`),
      specs.map((s) => s.status ?? 'resolved'),
      specs.map((s) => s.priority ?? 'normal'),
      specs.map((s) => s.requester ?? randomUUID()),
      specs.map((s) => (s.assignee === undefined ? randomUUID() : s.assignee)),
      specs.map((s) => s.createdAt),
    ],
  );
  const rated = specs.map((s, i) => ({ s, id: ids[i]! })).filter((x) => x.s.rating);
  if (rated.length) {
    await pool.query(
      `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_by, assignee_id, rated_at)
       select $1, t.id, r.rating, r.comment, t.requester_id, t.assignee_id, r.rated_at
         from unnest($2::uuid[], $3::smallint[], $4::text[], $5::timestamptz[]) as r(ticket_id, rating, comment, rated_at)
         join ticket t on t.id = r.ticket_id`,
      [
        workspace,
        rated.map((x) => x.id),
        rated.map((x) => x.s.rating!.rating),
        rated.map((x) => x.s.rating!.comment),
        rated.map((x) => x.s.rating!.ratedAt ?? new Date(x.s.createdAt.getTime() + 7_200_000)),
      ],
    );
  }
  return ids;
}

/** A cell as read back: its text and whether it was quoted (numbers and empty cells are not). */
export interface Cell {
  value: string;
  quoted: boolean;
}

/** Parses CSV with a real parser (RFC 4180 quoting, CRLF or LF, BOM) into the header and the cells. */
export function parseCsv(text: string): { header: string[]; rows: Cell[][] } {
  const records = parse(text, {
    bom: true,
    relax_column_count: false,
    cast: (value: string, ctx: { quoting: boolean }) => ({ value, quoted: ctx.quoting }),
  }) as unknown as Cell[][];
  const [header, ...rows] = records;
  return { header: (header ?? []).map((c) => c.value), rows };
}

/** What a text cell must read as: a leading formula trigger gets OWASP's single quote. (Written apart from the exporter's code.) */
export function neutralised(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

const text = (v: string | null): Cell => (v === null ? { value: '', quoted: false } : { value: neutralised(v), quoted: true });
const time = (v: Date | null): Cell => (v === null ? { value: '', quoted: false } : { value: v.toISOString(), quoted: true });

export interface ExpectedFilter {
  status?: string[];
  assignee?: string;
  since?: Date;
  until?: Date;
  ratedOnly?: boolean;
}

/** The rows the export must contain, straight from the database, in the listing's order (created_at, id). */
export async function expectedCsv(pool: pg.Pool, workspace: string, f: ExpectedFilter = {}): Promise<Cell[][]> {
  const params: unknown[] = [workspace];
  const where = ['t.workspace_id = $1'];
  if (f.status) where.push(`t.status = any($${params.push(f.status)}::text[])`);
  if (f.assignee) where.push(`t.assignee_id = $${params.push(f.assignee)}`);
  if (f.since) where.push(`t.created_at >= $${params.push(f.since)}`);
  if (f.until) where.push(`t.created_at < $${params.push(f.until)}`);
  if (f.ratedOnly) where.push('r.rating is not null');
  const { rows } = await pool.query(
    `select t.id, t.ref, t.subject, t.status, t.priority, t.assignee_id, t.requester_id, t.created_at, t.updated_at,
            r.rating, r.comment, r.rated_at
       from ticket t left join csat_rating r on r.workspace_id = t.workspace_id and r.ticket_id = t.id
      where ${where.join(' and ')}
      order by t.created_at, t.id`,
    params,
  );
  return rows.map((r) => [
    text(r.id),
    text(r.ref),
    text(r.subject),
    text(r.status),
    text(r.priority),
    text(r.assignee_id),
    text(r.requester_id),
    time(r.created_at),
    time(r.updated_at),
    r.rating === null ? { value: '', quoted: false } : { value: String(r.rating), quoted: false },
    text(r.comment),
    time(r.rated_at),
  ]);
}

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The package's bin: it runs the compiled exporter (dist/, built before the tests run). */
export const BIN = path.resolve('bin/csat-export.js');

export interface CliOptions {
  env?: Record<string, string>;
  /** The exporter's working folder (relative --out paths). */
  cwd?: string;
  /** Where the exporter's stdout goes: collected into `stdout` (default), or another process's pipe. */
  stdout?: 'pipe' | Writable;
  /** Another bin file in place of the package's (a copy elsewhere). */
  bin?: string;
  onSpawn?: (child: ChildProcess) => void;
}

/**
 * Runs the exporter as a real process: the package's bin with this very node binary (process.execPath),
 * so a signal reaches the exporter itself.
 */
export function runCli(args: string[], opts: CliOptions = {}): Promise<ChildResult> {
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  if (!opts.env?.CSAT_EXPORT_TOKEN) delete env.CSAT_EXPORT_TOKEN;
  const started = performance.now();
  const child = spawn(process.execPath, [opts.bin ?? BIN, ...args], { env, cwd: opts.cwd, stdio: ['ignore', opts.stdout ?? 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  opts.onSpawn?.(child);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

/**
 * A deliberately slow reader of a pipe, as a real process: reads 1 KiB, pauses 5 ms, and so on until EOF
 * (or, like \`head -c\`, until it has `stopAfter` bytes), writing what it read to `file`. A writer that
 * exits before its bytes are taken loses them.
 */
const SLOW_READER = `
const fs = require('node:fs');
const out = fs.openSync(process.argv[1], 'w');
const stopAfter = Number(process.argv[2]);
let total = 0;
const chunk = Buffer.alloc(1024);
const pause = new Int32Array(new SharedArrayBuffer(4));
for (;;) {
  let n;
  try {
    n = fs.readSync(0, chunk, 0, Math.min(chunk.length, stopAfter - total), null);
  } catch (err) {
    if (err.code !== 'EAGAIN') throw err;
    n = -1;
  }
  if (n === 0) break;
  if (n > 0) fs.writeSync(out, chunk, 0, n);
  total += Math.max(n, 0);
  if (total >= stopAfter) break;
  Atomics.wait(pause, 0, 0, 5);
}
fs.closeSync(out);
`;

export interface SlowReader {
  /** Its stdin: pass it as the writer's stdout, then call `release()`. */
  stdin: Writable;
  /** Closes this process's end of the pipe, so the reader sees EOF when the writer exits. */
  release(): void;
  exit: Promise<number | null>;
}

export function slowReader(file: string, opts: { stopAfter?: number } = {}): SlowReader {
  const child = spawn(process.execPath, ['-e', SLOW_READER, file, String(opts.stopAfter ?? Infinity)], { stdio: ['pipe', 'ignore', 'inherit'] });
  const exit = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  return { stdin: child.stdin!, release: () => child.stdin!.destroy(), exit };
}

/** util-linux `script`, which runs a command on a fresh pseudo-terminal (for the progress bar's rule). */
export const HAS_SCRIPT = process.platform === 'linux' && spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

const shellQuote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/**
 * Runs the exporter (the package's bin with process.execPath) on a real terminal: stdin, stdout and stderr
 * on one pseudo-terminal, whose output is returned; `stdoutTo` redirects stdout to a file instead.
 */
export function runOnTerminal(args: string[], opts: { env: Record<string, string>; stdoutTo?: string }): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, BIN, ...args].map(shellQuote).join(' ') + (opts.stdoutTo ? ` > ${shellQuote(opts.stdoutTo)}` : '');
  const child = spawn('script', ['--quiet', '--flush', '--return', '--command', command, '/dev/null'], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let screen = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (screen += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, screen }));
  });
}

export async function filesIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

export type ProxyAction =
  | 'pass'
  | 'hang'
  | 'destroy'
  | { status: number; headers?: Record<string, string>; body?: string }
  /** Runs `before` (say, a change in the database between two pages), then passes the request on. */
  | { before: () => Promise<void> };

export interface FaultProxy {
  url: string;
  /** Requests seen, with the page they asked for (1 = no cursor). */
  requests: { after: string | null }[];
  close(): Promise<void>;
}

/**
 * An HTTP endpoint in front of the real gateway that answers each request as `plan` says: pass it on
 * (after a hook, maybe), fail with a status, drop the connection, or never answer.
 */
export async function faultProxy(gatewayUrl: string, plan: (request: number, after: string | null) => ProxyAction): Promise<FaultProxy> {
  const requests: { after: string | null }[] = [];
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const after = (JSON.parse(body) as { variables?: { after?: string | null } }).variables?.after ?? null;
    requests.push({ after });
    const action = plan(requests.length, after);
    if (action === 'hang') {
      hanging.add(res);
      return;
    }
    if (action === 'destroy') {
      req.socket.destroy();
      return;
    }
    if (typeof action === 'object' && 'before' in action) await action.before();
    else if (action !== 'pass') {
      res.writeHead(action.status, { 'content-type': 'application/json', ...action.headers });
      res.end(action.body ?? JSON.stringify({ errors: [{ message: `injected ${action.status}` }] }));
      return;
    }
    const upstream = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' },
      body,
    });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(await upstream.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening on it (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

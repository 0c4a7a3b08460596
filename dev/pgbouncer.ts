// Tests and benchmarks: a real PgBouncer (Debian's /usr/sbin/pgbouncer; .ci/run installs it) in transaction pooling, in front of the
// test PostgreSQL: its ini and user list in a temporary folder, a free loopback port, trust authentication.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PGBOUNCER_BIN = process.env.PGBOUNCER_BIN ?? '/usr/sbin/pgbouncer';

export interface PgBouncer {
  /** `serverUrl` with its host and port replaced by PgBouncer's. */
  url(serverUrl: string): string;
  port: number;
  /** Its process (it runs in the foreground: CPU figures read /proc/<pid>). */
  pid: number;
  /** Everything PgBouncer logged. */
  log(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts PgBouncer for every database of `serverUrl`'s server (user `serverUrl`'s, no password), pool_mode=transaction. */
export async function startPgBouncer(serverUrl: string, extra: Record<string, string> = {}): Promise<PgBouncer> {
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username || 'postgres');
  // Clients are trusted; the file's password is what PgBouncer itself logs in to the server with.
  const password = decodeURIComponent(server.password);
  const dir = mkdtempSync(join(tmpdir(), 'csat-pgbouncer-'));
  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addr: '127.0.0.1',
    listen_port: String(port),
    unix_socket_dir: '',
    auth_type: 'trust',
    auth_file: join(dir, 'users.txt'),
    pool_mode: 'transaction',
    max_client_conn: '500',
    default_pool_size: '20',
    ...extra,
  };
  writeFileSync(join(dir, 'users.txt'), `"${user}" "${password}"\n`);
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    `[databases]\n* = host=${server.hostname} port=${server.port || '5432'}\n\n[pgbouncer]\n` +
      Object.entries(settings)
        .map(([k, v]) => `${k} = ${v}`)
        .join('\n') +
      '\n',
  );
  // PgBouncer will not run as root: it drops to the postgres user then (-u), who must read the folder.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) for (const f of ['', 'users.txt', 'pgbouncer.ini']) chmodSync(join(dir, f), f ? 0o644 : 0o755);
  const child: ChildProcess = spawn(PGBOUNCER_BIN, [...(asRoot ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`PgBouncer did not start within 10 s:\n${output}`)), 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (output.includes('process up')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`PgBouncer exited:\n${output}`));
    });
  });
  return {
    port,
    pid: child.pid!,
    url(url: string) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      u.searchParams.delete('host');
      return u.toString();
    },
    log: () => output,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

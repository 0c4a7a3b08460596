import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../dev/embedded.postgres.js';

/** The project's Node (the npm package `node`, 24): what the built service runs on in production. */
export const NODE = path.resolve('node_modules/.bin/node');

/** Compiles the service to dist/ (scripts/build.ts), for the benches that measure the built processes. */
export function buildService(): void {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { stdio: 'inherit' });
}

/** What a production start needs besides auth and the database since issue 20: the rating links' secret and public address. */
export const PRODUCTION_LINK_ENV = {
  RATING_LINK_SECRET: 'bench-rating-link-secret-bench-rating-link-0123',
  PUBLIC_URL: 'https://support.example',
} as const;

/** Resolves with `url` once the server answers it (any status); fails when the process exits first or after 60 s. */
export async function waitUntilServing(child: ChildProcess, name: string, url: string): Promise<string> {
  for (const started = Date.now(); Date.now() - started < 60_000; await new Promise((r) => setTimeout(r, 100))) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      await fetch(url, { method: 'GET' });
      return url;
    } catch {
      /* not listening yet */
    }
  }
  throw new Error(`${name} did not start`);
}

/** A built service started by BenchProcesses: its process and where it serves GraphQL. */
export interface BuiltService {
  child: ChildProcess;
  pid: number;
  url: string;
}

/**
 * The built processes one bench starts (dist/src/main.js, dist/src/worker.main.js on NODE), so that its `finally`
 * stops every one of them whatever failed. Each is started with `env` alone (PATH added), as a deployment would.
 */
export class BenchProcesses {
  private readonly children: ChildProcess[] = [];

  /** The service on a free PORT; resolves once `/graphql` answers. `nodeArgs` go before the entry (e.g. a heap limit). */
  async startService(env: Record<string, string>, nodeArgs: string[] = []): Promise<BuiltService> {
    const port = await freePort();
    const child = this.spawn([...nodeArgs, 'dist/src/main.js'], { ...env, PORT: String(port) }, 'ignore');
    return { child, pid: child.pid!, url: await waitUntilServing(child, 'csat', `http://127.0.0.1:${port}/graphql`) };
  }

  /** The webhook worker alone (`npm run worker`); resolves once it logged that it started (it serves no HTTP). */
  async startWorker(env: Record<string, string>): Promise<ChildProcess> {
    const child = this.spawn(['dist/src/worker.main.js'], env, 'pipe');
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    for (const started = Date.now(); !out.includes('webhook worker started'); await new Promise((r) => setTimeout(r, 100))) {
      if (child.exitCode !== null) throw new Error(`the worker exited with ${child.exitCode}`);
      if (Date.now() - started > 60_000) throw new Error('the worker did not start');
    }
    return child;
  }

  /** Sends `signal` and resolves once the process has exited (at once when it already has). */
  async stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }

  /** Stops every process still running, at once. */
  async stopAll(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await Promise.all(this.children.map((c) => this.stop(c, signal)));
  }

  private spawn(args: string[], env: Record<string, string>, stdout: 'ignore' | 'pipe'): ChildProcess {
    const child = spawn(NODE, args, { env: { PATH: process.env.PATH!, ...env }, stdio: ['ignore', stdout, 'inherit'] });
    this.children.push(child);
    return child;
  }
}

/** CPU seconds (user + system) of a process, from /proc (Linux); NaN when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** A process's memory from /proc/<pid>/status, in bytes: VmRSS (resident now) or VmHWM (the resident peak). */
export function memoryBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;
}

/** CPU seconds of every PostgreSQL process on this machine, keyed `pg:<pid>` (a local server only). */
export function postgresCpuSnapshot(): Record<string, number> {
  const snap: Record<string, number> = {};
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').startsWith('postgres')) snap[`pg:${entry}`] = cpuSeconds(Number(entry));
    } catch {
      /* gone */
    }
  }
  return snap;
}

/** PostgreSQL CPU seconds between two snapshots, over the processes alive in both (pools keep their backends). */
export function postgresCpuBetween(before: Record<string, number>, after: Record<string, number>): number {
  let sum = 0;
  for (const [k, v] of Object.entries(after)) {
    const was = before[k];
    if (was !== undefined && Number.isFinite(v - was)) sum += v - was;
  }
  return sum;
}

/**
 * Starts a CPU reading of the processes `pids` (by name) and of PostgreSQL's; the function it returns gives the
 * CPU seconds each has spent since, `postgres` for PostgreSQL's processes together.
 */
export function cpuSince<K extends string>(pids: Record<K, number>): () => Record<K | 'postgres', number> {
  const before = Object.entries<number>(pids).map(([name, pid]) => [name, pid, cpuSeconds(pid)] as const);
  const pg0 = postgresCpuSnapshot();
  return () => {
    const spent = Object.fromEntries(before.map(([name, pid, cpu]) => [name, cpuSeconds(pid) - cpu]));
    return { ...spent, postgres: postgresCpuBetween(pg0, postgresCpuSnapshot()) } as Record<K | 'postgres', number>;
  };
}

// The compiled service (`node dist/src/main.js`, what `npm start` runs after its build) as a child process of a
// test: started and stopped by its own pid, its log lines parsed, its memory read from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const PROCESS_SECRET = 'service-process-secret-service-process-0123';

export interface ServiceProcess {
  child: ChildProcess;
  pid: number;
  /** The GraphQL URL from the "csat-subgraph listening" log line. */
  url: Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Parsed JSON log lines so far. */
  logs(): Record<string, any>[];
  stderr(): string;
}

const children = new Set<ChildProcess>();
afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
  }
});

/** Starts the service against `databaseUrl` with the test's own variables (webhook worker off unless asked). */
export function startServiceProcess(databaseUrl: string, env: Record<string, string> = {}): ServiceProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(childEnv)) if (/^(DATABASE_URL|AUTH_|NODE_ENV|PORT|HOST|LOG_LEVEL|CSAT_WORKER|LIMIT_|SHUTDOWN_|PRESSURE_|EMBEDDED_PG_DIR)/.test(k)) delete childEnv[k];
  Object.assign(childEnv, { DATABASE_URL: databaseUrl, AUTH_JWT_SECRET: PROCESS_SECRET, PORT: '0', LOG_LEVEL: 'info', CSAT_WORKER: 'off', ...env });
  const child = spawn(process.execPath, ['dist/src/main.js'], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = out.match(/^\{.*"msg":"csat-subgraph listening".*\}$/m);
      if (m) resolve(JSON.parse(m[0]).url);
    });
    child.once('exit', (code) => reject(new Error(`service exited (${code}) before listening\n${out}\n${err}`)));
  });
  url.catch(() => {});
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => setImmediate(() => resolve({ code, signal }))),
  );
  return {
    child,
    pid: child.pid!,
    url,
    exited,
    logs: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, any>),
    stderr: () => err,
  };
}

/** A field of /proc/<pid>/status in bytes (VmRSS now, VmHWM the peak resident set since the start). */
export function procStatusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm'));
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

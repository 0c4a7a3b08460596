import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

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

/** CPU seconds (user + system) of a process, from /proc (Linux); NaN when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
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

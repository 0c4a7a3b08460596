import type { ChildProcess } from 'node:child_process';

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

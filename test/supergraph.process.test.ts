// `npm run supergraph` as a newcomer runs it, through the real npm: a SIGINT to the npm process stops
// everything (npm signals its child, which must be node itself, not a shell in between); a port that is taken
// is one line saying what to do; SUPERGRAPH_PORT moves all five ports.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../dev/throwaway.database.js';
import { supergraphPorts } from '../scripts/supergraph.ports.js';
import { TEST_SECRET } from './helpers/test.app.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BANNER_END = /Every start offers a ticket still to rate\. Ctrl-C stops everything\./;

const children = new Set<ChildProcess>();
const leftovers = new Set<number>();
let db: ThrowawayDatabase | undefined;
afterAll(async () => {
  for (const pid of leftovers) if (alive(pid)) process.kill(pid, 'SIGKILL');
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await db?.drop();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every process below `pid` (children, their children, …). */
function descendants(pid: number): number[] {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const out: number[] = [];
  for (let frontier = [pid]; frontier.length; ) {
    frontier = table.filter(([, ppid]) => frontier.includes(ppid)).map(([p]) => p);
    out.push(...frontier);
  }
  return out;
}

const commandOf = (pid: number) => execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim();

async function database(): Promise<string> {
  db ??= await createThrowawayDatabase(`csat_test_sgproc_${process.pid}`, { serverUrl: inject('databaseUrl'), prepare: false });
  return db.url;
}

function npmRunSupergraph(env: Record<string, string>) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(childEnv)) if (/^(DATABASE_URL|AUTH_|NODE_ENV|PORT|HOST|LOG_LEVEL|EMBEDDED_PG_DIR|SUPERGRAPH_PORT|CSAT_WORKER)/.test(k)) delete childEnv[k];
  Object.assign(childEnv, { DATABASE_URL: '', AUTH_JWT_SECRET: TEST_SECRET, ...env });
  const child = spawn('npm', ['run', 'supergraph'], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => setImmediate(() => resolve(code))));
  return { child, exited, stdout: () => out, stderr: () => err };
}

describe('npm run supergraph, as a process', () => {
  it('SIGINT to the npm process (kill -INT <pid>) stops node and everything it started', async () => {
    const sg = npmRunSupergraph({ DATABASE_URL: await database(), SUPERGRAPH_PORT: '0' });
    await expect.poll(() => sg.stdout(), { timeout: 90_000, interval: 200 }).toMatch(BANNER_END);
    const gateway = sg.stdout().match(/Gateway:\s+(http:\S+)/)![1]!;
    expect((await fetch(gateway, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' })).status).toBe(200);
    const tree = descendants(sg.child.pid!);
    for (const pid of tree) leftovers.add(pid);
    // npm's child is node running the script: no shell (or tsx wrapper) in between to swallow the signal.
    expect(tree.map(commandOf)[0]).toMatch(/^\S*node .*scripts\/supergraph\.ts/);

    sg.child.kill('SIGINT');
    await expect.poll(() => [sg.child.exitCode !== null || sg.child.signalCode !== null, ...tree.filter(alive)], { timeout: 30_000, interval: 100 }).toEqual([true]);
    expect(sg.stdout()).toContain('stopping the demo pages, the gateway, both subgraphs and PostgreSQL');
    await expect(fetch(gateway, { method: 'POST', body: '{}' })).rejects.toThrow();
  });

  it('a port in use is one line naming it, with SUPERGRAPH_PORT to choose others, and no stack', async () => {
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as AddressInfo).port;
    try {
      // The CSAT subgraph is the first to listen, on SUPERGRAPH_PORT + 1.
      const sg = npmRunSupergraph({ DATABASE_URL: await database(), SUPERGRAPH_PORT: String(port - 1) });
      const code = await sg.exited;
      expect(code).toBe(1);
      const lines = sg.stderr().split('\n').filter((l) => l.trim() && !/^npm (error|ERR!)/.test(l));
      expect(lines, sg.stderr()).toEqual([
        `127.0.0.1:${port} is already in use (is \`npm start\` or another \`npm run supergraph\` running?): stop it, or choose other ports with SUPERGRAPH_PORT, the first of five in a row (SUPERGRAPH_PORT=5000 uses 5000-5004; SUPERGRAPH_PORT=0 picks free ones)`,
      ]);
    } finally {
      taken.close();
    }
  });

  it('SUPERGRAPH_PORT: five ports in a row from it, 0 for free ones, anything else refused in one line', () => {
    expect(supergraphPorts(undefined)).toEqual({ gateway: 4000, csat: 4001, tickets: 4002, demo: 4003, webhookReceiver: 4004 });
    expect(supergraphPorts('5000')).toEqual({ gateway: 5000, csat: 5001, tickets: 5002, demo: 5003, webhookReceiver: 5004 });
    expect(supergraphPorts('0')).toEqual({ gateway: 0, csat: 0, tickets: 0, demo: 0, webhookReceiver: 0 });
    for (const bad of ['65532', '-1', 'abc', '40.5']) expect(supergraphPorts(bad)).toMatch(/^SUPERGRAPH_PORT must be the first of five free ports in a row/);
  });
});

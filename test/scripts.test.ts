// The npm scripts a newcomer types, as processes: usage instead of stack traces, one-line errors.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function run(args: string[], env: Record<string, string | undefined> = {}) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env: childEnv, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const token = (...args: string[]) => run(['--import', 'tsx', 'scripts/token.ts', ...args], { NODE_ENV: undefined, AUTH_JWKS_URL: undefined, DATABASE_URL: undefined });
const NO_STACK = /^\s+at /m;

describe('npm run token', () => {
  it('--help prints the usage and exits 0', () => {
    const r = token('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run token -- --role customer\|agent\|admin\|service --sub <user uuid> --workspace <workspace uuid>/);
    expect(r.stderr).toBe('');
  });

  it('with no arguments says --role is required, with the usage, exit 2', () => {
    const r = token();
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('--role is required');
    expect(r.stderr).toContain('usage: npm run token');
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it('an unknown option prints the reason and the usage, not a stack trace', () => {
    const r = token('--rol', 'customer');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown option '--rol'/);
    expect(r.stderr).toContain('usage: npm run token');
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it('signs a token with the claims given', () => {
    const sub = '00000000-0000-4000-8000-000000000001';
    const workspace = '00000000-0000-4000-8000-000000000002';
    const r = token('--role', 'agent', '--sub', sub, '--workspace', workspace, '--ttl', '60');
    expect(r.code).toBe(0);
    const claims = decodeJwt(r.stdout.trim());
    expect(claims).toMatchObject({ sub, role: 'agent', workspace });
    expect(claims.exp! - claims.iat!).toBe(60);
  });
});

describe('npm run migration:create', () => {
  it('without DATABASE_URL says what is missing in one line, without a stack', () => {
    const r = run([path.join(ROOT, 'node_modules/@mikro-orm/cli/cli.js'), 'migration:create'], { DATABASE_URL: undefined });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'npm run migration:create needs DATABASE_URL, a PostgreSQL to diff the entities against (e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test)',
    );
  });
});

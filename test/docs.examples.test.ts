// The paste-ready examples of docs/webhooks.md ("Try it": settings, badge, webhooks) run as written, in bash with
// curl, against the demo supergraph: every command answers data, no error. And the docs give the range a refused
// setting's message gives.
import { execFile, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { demoToken } from '../dev/demo.banner.js';
import { DEMO_WORKSPACE } from '../dev/demo.seed.js';
import { startSupergraph, type Supergraph } from '../dev/supergraph.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../dev/throwaway.database.js';
import type { HostLookup } from '../src/webhooks/url.guard.js';
import { TEST_SECRET } from './helpers/test.app.js';
import { supergraphConfig } from './helpers/test.supergraph.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
// The examples are curl commands, as a reader pastes them; without curl (and bash) they cannot run here.
const HAVE_SHELL = spawnSync('bash', ['-c', 'command -v curl'], { encoding: 'utf8' }).status === 0;
if (!HAVE_SHELL) console.log('docs examples test skipped: it needs bash and curl on PATH');

// The example's endpoint, resolved here without DNS to a public address; the worker is off, so nothing is sent.
const lookup: HostLookup = async () => [{ address: '93.184.215.14', family: 4 }];
const config = () => supergraphConfig(db!.url, { CSAT_WORKER: 'off' });

let db: ThrowawayDatabase | undefined;
let sg: Supergraph | undefined;
beforeAll(async () => {
  db = await createThrowawayDatabase(`csat_test_examples_${process.pid}`, { serverUrl: inject('databaseUrl'), prepare: false });
  sg = await startSupergraph({ config: config(), logger: pino({ level: 'warn' }), ports: { gateway: 0, csat: 0, tickets: 0 }, lookup });
});
afterAll(async () => {
  await sg?.stop();
  await db?.drop();
});

/** The first ```sh block after `heading` in a Markdown file. */
async function shellBlock(file: string, heading: string): Promise<string> {
  const text = await readFile(`${ROOT}/${file}`, 'utf8');
  const from = text.indexOf(heading);
  expect(from, `${file} has no "${heading}"`).toBeGreaterThanOrEqual(0);
  return text.slice(from).match(/```sh\n([\s\S]*?)```/)![1]!;
}

describe('the docs\' examples', () => {
  it.skipIf(!HAVE_SHELL)('settings, badge and webhooks (docs/webhooks.md, "Try it"): every command, pasted into bash, answers data', async () => {
    const block = await shellBlock('docs/webhooks.md', '## Try it: settings, badge and webhooks');
    expect(block).toContain('GATEWAY=http://127.0.0.1:4000/\n');
    // Only the gateway's address differs: the test's runs on a free port.
    const script = `set -euo pipefail\n${block.replace('GATEWAY=http://127.0.0.1:4000/\n', `GATEWAY=${sg!.gatewayUrl}\n`)}`;
    const env = { ...process.env, AUTH_JWT_SECRET: TEST_SECRET };
    const { stdout } = await run('bash', ['-c', script], { cwd: ROOT, env, timeout: 120_000 });
    const answers = stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { data?: Record<string, any>; errors?: unknown });
    expect(answers.map((a) => a.errors)).toEqual(answers.map(() => undefined));
    const data = Object.assign({}, ...answers.map((a) => a.data));
    expect(Object.keys(data)).toEqual([
      'csatSettings',
      'updateCsatSettings',
      'csatBadge',
      'createCsatWebhook',
      'csatWebhooks',
      'csatWebhookDeliveries',
      'updateCsatWebhook',
      'rotateCsatWebhookSecret',
      'deleteCsatWebhook',
    ]);
    expect(data.updateCsatSettings).toMatchObject({ badgeMinCount: 50, unhappyMaxRating: 2 });
    expect(data.csatBadge.count).toBeGreaterThanOrEqual(50);
    expect(data.createCsatWebhook.secret).toMatch(/^whsec_/);
    expect(data.csatWebhooks.at(-1)).toMatchObject({ url: 'https://hooks.example.com/csat', onlyUnhappy: true });
    expect(data.deleteCsatWebhook).toBe(data.createCsatWebhook.webhook.id);
  });

  it('a setting out of range is refused with the range the docs give', async () => {
    const admin = await demoToken(config(), DEMO_WORKSPACE.admin, 'admin');
    const res = (await (
      await fetch(sg!.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify({ query: 'mutation { updateCsatSettings(input: { badgeMinCount: 10 }) { badgeMinCount } }' }),
      })
    ).json()) as { errors: { message: string; extensions: { code: string; field: string } }[] };
    expect(res.errors[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'badgeMinCount' });
    const docs = (await readFile(`${ROOT}/docs/settings.md`, 'utf8')) + (await readFile(`${ROOT}/docs/contract.md`, 'utf8'));
    expect(docs).toContain(res.errors[0]!.message);
    const range = res.errors[0]!.message.match(/from (\d+) to (\d+)/)!;
    expect(docs).toContain(`| \`badgeMinCount\` | 100 | ${range[1]}..${range[2]} |`);
  });
});

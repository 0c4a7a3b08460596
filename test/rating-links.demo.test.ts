// Issue 20, the demo: `npm run supergraph` writes a resolved ticket's resolution email (an HTML file) and prints its
// link (dev/demo.email.ts); the link, opened and submitted, rates the ticket as the seed's customer.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { demoEmail } from '../dev/demo.email.js';
import { DEMO_CUSTOMER } from '../dev/demo.seed.js';
import { startSupergraph, type Supergraph } from '../dev/supergraph.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../dev/throwaway.database.js';
import { supergraphConfig } from './helpers/test.supergraph.js';

let db: ThrowawayDatabase | undefined;
let sg: Supergraph | undefined;
let dir: string | undefined;
afterAll(async () => {
  await sg?.stop();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the demo email', () => {
  it('prints the email file and its link; the link opens the prompt, and Submit rates as the seed customer (EMAIL)', async () => {
    db = await createThrowawayDatabase(`csat_test_demo_email_${process.pid}`, { serverUrl: inject('databaseUrl'), prepare: false });
    const config = supergraphConfig(db.url, { CSAT_WORKER: 'off' });
    sg = await startSupergraph({ config, logger: pino({ level: 'warn' }), ports: { gateway: 0, csat: 0, tickets: 0 } });
    dir = await mkdtemp(path.join(tmpdir(), 'csat-demo-email-'));
    const printed = await demoEmail(sg.gatewayUrl, sg.seed!, config, dir);
    expect(printed, printed).toContain("the email:");
    const file = /the email:\s+(\S+)/.exec(printed)?.[1];
    const link = /its 5-star link:\s+(\S+)/.exec(printed)?.[1];
    expect(file).toBe(path.join(dir, 'demo-rating-email.html'));
    const html = await readFile(file!, 'utf8');
    expect(html).toContain('How did we do?');
    expect(html).toContain(`href="${link}"`);
    expect(link).toMatch(new RegExp(`^${new URL(sg.csatUrl).origin}/rate/[\\w-]+\\.[\\w-]+\\.[\\w-]+\\?rating=5$`));

    const page = await fetch(link!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('value="5" id="star-5" checked');
    const done = await fetch(link!.split('?')[0]!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'rating=5&comment=Quick+fix' });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Thanks for your feedback!');
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      const { rows } = await pool.query('select rating, comment, rated_by, channel from csat_rating where ticket_id = $1', [sg.seed!.rateableTicket]);
      expect(rows).toEqual([{ rating: 5, comment: 'Quick fix', rated_by: DEMO_CUSTOMER, channel: 'EMAIL' }]);
    } finally {
      await pool.end();
    }
  });
});

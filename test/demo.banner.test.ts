// `npm run supergraph`'s banner, as a newcomer uses it: its rate command, pasted as printed, works through the
// gateway, on every start (the demo never runs out of a ticket to rate), and its badge command shows a badge.
import { pino } from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { supergraphBanner } from '../dev/demo.banner.js';
import { DEMO_WORKSPACE } from '../dev/demo.seed.js';
import { startSupergraph } from '../dev/supergraph.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../dev/throwaway.database.js';
import { supergraphConfig } from './helpers/test.supergraph.js';

let db: ThrowawayDatabase | undefined;
afterAll(async () => {
  await db?.drop();
});

/** The printed curl that rates a ticket: its token and body, sent to its URL as a shell would. */
async function runPrintedRate(banner: string) {
  const m = banner.match(/Rate ticket ([0-9a-f-]{36}) as its customer:\n\s+curl -s (\S+) -H 'content-type: application\/json' -H "authorization: Bearer (\S+)" \\\n\s+-d '(.*)'\n/);
  expect(m).not.toBeNull();
  const [, ticketId, url, token, body] = m!;
  const res = await (await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body })).json();
  return { ticketId: ticketId!, res: res as { data?: { rateTicket: { id: string; csatRating: number } }; errors?: unknown } };
}

describe('the supergraph banner', () => {
  it('prints a real ticket to rate, whose command works; the next start offers another', async () => {
    db = await createThrowawayDatabase(`csat_test_banner_${process.pid}`, { serverUrl: inject('databaseUrl'), prepare: false });
    const config = supergraphConfig(db.url);
    const rated: string[] = [];
    for (const start of [1, 2]) {
      const printed: string[] = [];
      const sg = await startSupergraph({
        config,
        logger: pino({ level: 'warn' }),
        ports: { gateway: 0, csat: 0, tickets: 0 },
        webhookReceiver: { port: 0, print: (line) => printed.push(line) },
      });
      try {
        const banner = await supergraphBanner(sg, sg.seed!, config, 'DATABASE_URL');
        expect(banner).toContain(`workspace ${DEMO_WORKSPACE.name} ${DEMO_WORKSPACE.id}`);
        expect(banner).toContain(`GraphQL explorer:  open ${sg.gatewayUrl} in a browser`);
        expect(banner.includes('(demo data just seeded)')).toBe(start === 1);
        expect(banner).not.toContain('<id>');
        const { ticketId, res } = await runPrintedRate(banner);
        expect(res.errors).toBeUndefined();
        expect(res.data!.rateTicket).toMatchObject({ id: ticketId, csatRating: 5 });
        rated.push(ticketId);
        // The demo workspace publishes its badge, and has the ratings for it: the printed command shows one.
        const badge = banner.match(/public CSAT badge[^\n]*\n\s+curl -s (\S+) -H 'content-type: application\/json' \\\n\s+-d '(.*)'\n/);
        expect(badge).not.toBeNull();
        const shown = (await (await fetch(badge![1]!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: badge![2]! })).json()) as { data: { csatBadge: { count: number; average: number } | null } };
        expect(shown.data.csatBadge).toMatchObject({ average: expect.any(Number) });
        expect(shown.data.csatBadge!.count).toBeGreaterThanOrEqual(100);
        // The demo receiver verifies the delivery's signature and prints the event, as the banner says.
        expect(banner).toContain(`Webhook receiver:  ${sg.webhookReceiver!.url}`);
        await expect.poll(() => printed.join('\n'), { timeout: 15_000 }).toContain(`[webhook] verified csat.rating.created`);
        expect(printed.join('\n')).toContain(`ticket ${ticketId} rated 5 "Thanks!"`);
        expect(printed.join('\n')).not.toContain('REFUSED');
      } finally {
        await sg.stop();
      }
    }
    expect(rated[1]).not.toBe(rated[0]);
  });
});

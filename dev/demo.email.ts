// `npm run supergraph`: the resolution email of a resolved ticket, as the helpdesk's mailer would send it
// (docs/email-links.md): csatRatingLinks through the gateway with a `service` token, the fragment written to an
// HTML file to open in a browser, and its five-star link. Opening a link and pressing Submit rates the ticket as
// the seed's customer would.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../src/config/config.js';
import { demoToken } from './demo.banner.js';
import type { SeedResult } from './demo.seed.js';

/** The demo mailer's id (a service token's `sub` names the calling system). */
export const DEMO_MAILER = '6d61696c-6572-4000-8000-000000000001';

const LINKS = 'query($t: ID!, $l: String) { csatRatingLinks(ticketId: $t, locale: $l) { url ratingUrls expiresAt html text } }';

export async function demoEmail(gatewayUrl: string, seed: SeedResult, config: Config, dir = '.data'): Promise<string> {
  const token = await demoToken(config, DEMO_MAILER, 'service');
  if (!token) return '';
  const res = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: LINKS, variables: { t: seed.rateableTicket, l: 'en' } }),
  });
  const body = (await res.json()) as { data?: { csatRatingLinks?: { url: string; ratingUrls: string[]; expiresAt: string; html: string } }; errors?: { message: string }[] };
  const links = body.data?.csatRatingLinks;
  if (!links) return `\nThe resolution email could not be made: ${body.errors?.[0]?.message ?? res.status}\n`;
  const file = path.resolve(dir, 'demo-rating-email.html');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(
    file,
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Your ticket has been resolved</title></head>\n<body style="margin:24px;font-family:system-ui,sans-serif">\n<p>Hello,</p><p>your ticket ${seed.rateableTicket} has been resolved.</p>\n${links.html}\n</body></html>\n`,
  );
  return [
    '',
    `The resolution email of ticket ${seed.rateableTicket} (csatRatingLinks through the gateway, service token; docs/email-links.md):`,
    `  the email:        ${file}  (open it in a browser)`,
    `  its 5-star link:  ${links.ratingUrls[4]}`,
    `  valid until ${links.expiresAt}; opening a link rates nothing until Submit is pressed.`,
    '',
  ].join('\n');
}

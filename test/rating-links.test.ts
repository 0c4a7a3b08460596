// Issue 20: csatRatingLinks and the /rate/<token> page, against the real service and PostgreSQL, over HTTP.
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createLinkSigner, tokenHash } from '../src/rating-links/link.token.js';
import { createTicket, setStatus, storedRatings, type TicketStatus } from './helpers/fixtures.js';
import { startTestApp, tokenFor, useTestApp, viewer, type TestApp } from './helpers/test.app.js';

const LINK_SECRET = 'rating-link-secret-for-tests-0123456789abcdef';
const OLD_SECRET = 'rating-link-old-secret-for-tests-0123456789ab';
const ENV = { RATING_LINK_SECRET: LINK_SECRET, RATING_LINK_RATE_LIMIT_IP: '100000', RATING_LINK_RATE_LIMIT_TOKEN: '100000', WEBHOOKS_ALLOW_LOOPBACK: 'true' };

const LINKS = `query Links($ticketId: ID!, $locale: String) {
  csatRatingLinks(ticketId: $ticketId, locale: $locale) { url ratingUrls expiresAt html text }
}`;
const TICKET = `query T($id: ID!) { csatTicket(id: $id) { id csatRating csatComment csatCanRate } }`;

const ctx = useTestApp(ENV);

async function resolvedTicket(status: TicketStatus = 'resolved') {
  const workspace = randomUUID();
  const requester = randomUUID();
  const ticket = await createTicket(ctx.pool, { workspace, requester, status });
  const agent = await tokenFor(viewer('agent', workspace));
  return { workspace, requester, ticket, agent };
}

async function linksFor(ticketId: string, token: string, locale?: string) {
  const res = await ctx.app.gql(LINKS, { ticketId, locale }, { token });
  expect(res.errors).toBeUndefined();
  return res.data.csatRatingLinks as { url: string; ratingUrls: string[]; expiresAt: string; html: string; text: string };
}

async function offers(ticketId: string): Promise<number> {
  const { rows } = await ctx.pool.query('select count(*)::int as n from csat_offer where ticket_id = $1', [ticketId]);
  return rows[0].n;
}

function get(url: string, headers: Record<string, string> = {}) {
  return fetch(url, { headers, redirect: 'manual' });
}

function post(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(url.split('?')[0]!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString(), redirect: 'manual' });
}

const pageOf = (html: string) => /data-page="(\w+)"/.exec(html)?.[1];

/** A POST as the page's enhancer sends it (web/src/csat-rate-page.ts): its own origin, asking for JSON. */
function enhancedPost(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return post(url, form, { origin: new URL(url).origin, accept: 'application/json', ...headers });
}

/** A Content-Security-Policy header's directives, each with its sources. */
function directives(csp: string | null): Record<string, string[]> {
  return Object.fromEntries((csp ?? '').split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...sources]) => [name!, sources]));
}

/** The page's one script tag: the module's path relative to the page, and its integrity. */
function scriptOf(html: string) {
  const tags = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  expect(tags.length, 'script tags').toBeLessThanOrEqual(1);
  const m = tags[0] ? /^<script type="module" src="(assets\/[0-9a-f]{16}\.js)" integrity="(sha256-[\w+/]+=*)">$/.exec(tags[0]) : null;
  if (tags[0]) expect(m, tags[0]).not.toBeNull();
  return m ? { src: m[1]!, integrity: m[2]! } : undefined;
}

describe('csatRatingLinks', () => {
  it('gives an agent five signed star links, the page link, the expiry and the email fragment, and records one offer', async () => {
    const { ticket, agent } = await resolvedTicket();
    const before = Date.now();
    const links = await linksFor(ticket.id, agent);
    const base = new URL(ctx.app.url).origin;
    expect(links.url).toMatch(new RegExp(`^${base}/rate/[\\w-]+\\.[\\w-]+\\.[\\w-]+$`));
    expect(links.ratingUrls).toEqual([1, 2, 3, 4, 5].map((n) => `${links.url}?rating=${n}`));
    const ttl = new Date(links.expiresAt).getTime() - before;
    expect(ttl).toBeGreaterThan(30 * 86_400_000 - 5000);
    expect(ttl).toBeLessThan(30 * 86_400_000 + 5000);
    // The email fragment: every link, the seed's heading, no script, no image, inline styles only.
    expect(links.html).toContain('How did we do?');
    for (const url of links.ratingUrls) expect(links.html).toContain(`href="${url}"`);
    expect(links.html).not.toMatch(/<script|<img|<style|<link|class=/i);
    expect(links.text).toContain('How did we do?');
    for (const url of links.ratingUrls) expect(links.text).toContain(url);
    // Issued twice: one offer.
    await linksFor(ticket.id, agent);
    expect(await offers(ticket.id)).toBe(1);
    expect(await storedRatings(ctx.pool, ticket.id)).toHaveLength(0);
  });

  it('is open to admins and to a service token of the workspace; refuses customers, other workspaces and anonymous callers', async () => {
    const { workspace, requester, ticket } = await resolvedTicket();
    for (const role of ['admin', 'service'] as const) {
      const res = await ctx.app.gql(LINKS, { ticketId: ticket.id }, { token: await tokenFor(viewer(role, workspace)) });
      expect(res.errors, role).toBeUndefined();
    }
    const customer = await ctx.app.gql(LINKS, { ticketId: ticket.id }, { token: await tokenFor(viewer('customer', workspace, requester)) });
    expect(customer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const other = await ctx.app.gql(LINKS, { ticketId: ticket.id }, { token: await tokenFor(viewer('agent', randomUUID())) });
    expect(other.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const anonymous = await ctx.app.gql(LINKS, { ticketId: ticket.id });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('the service role reads CSAT fields as staff do, and nothing else opens to it', async () => {
    const { workspace, requester, ticket } = await resolvedTicket();
    await ctx.pool.query(`insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_by) values ($1, $2, 4, 'ok', $3)`, [workspace, ticket.id, requester]);
    const service = await tokenFor(viewer('service', workspace));
    const read = await ctx.app.gql(TICKET, { id: ticket.id }, { token: service });
    expect(read.data.csatTicket).toMatchObject({ csatRating: 4, csatComment: 'ok', csatCanRate: false });
    const refused = [
      `mutation { rateTicket(ticketId: "${ticket.id}", rating: 5) { id } }`,
      `{ csatSettings { enabled } }`,
      `mutation { updateCsatSettings(input: { enabled: false }) { enabled } }`,
      `{ csatSummary { count } }`,
      `{ csatRatings { totalCount } }`,
      `{ csatAgentSummaries { totalCount } }`,
      `{ csatWebhooks { id } }`,
      `mutation { deleteCsatWebhook(id: "${randomUUID()}") }`,
    ];
    for (const query of refused) {
      const res = await ctx.app.gql(query, {}, { token: service });
      expect(res.errors?.[0]?.extensions?.code, query).toBe('FORBIDDEN');
    }
  });

  it.each([
    ['an open ticket', 'open', 'TICKET_NOT_RESOLVED'],
    ['a rated ticket', 'rated', 'ALREADY_RATED'],
    ['a disabled workspace', 'disabled', 'CSAT_DISABLED'],
  ])('refuses %s with %s and records no offer', async (_what, setup, code) => {
    const { workspace, requester, ticket, agent } = await resolvedTicket(setup === 'open' ? 'open' : 'resolved');
    if (setup === 'rated') await ctx.pool.query(`insert into csat_rating (workspace_id, ticket_id, rating, rated_by) values ($1, $2, 4, $3)`, [workspace, ticket.id, requester]);
    if (setup === 'disabled') await ctx.pool.query(`insert into csat_settings (workspace_id, updated_by, enabled) values ($1, $1, false)`, [workspace]);
    const before = await offers(ticket.id);
    const res = await ctx.app.gql(LINKS, { ticketId: ticket.id }, { token: agent });
    expect(res.errors?.[0]?.extensions?.code).toBe(code);
    expect(await offers(ticket.id)).toBe(before);
  });

  it('writes the fragment in the requested language (de, fr, es) and English for others', async () => {
    const { ticket, agent } = await resolvedTicket();
    expect((await linksFor(ticket.id, agent, 'de-CH')).html).toContain('Wie war unser Service?');
    expect((await linksFor(ticket.id, agent, 'fr')).text).toContain('Êtes-vous satisfait de notre aide');
    expect((await linksFor(ticket.id, agent, 'es')).html).toContain('¿Qué tal lo hicimos?');
    expect((await linksFor(ticket.id, agent, 'pt-BR')).html).toContain('How did we do?');
  });
});

describe('GET and POST /rate/<token>', () => {
  it('a scanner opening all five links rates nothing; the page shows the star chosen, with the security headers', async () => {
    const { ticket, agent } = await resolvedTicket();
    const links = await linksFor(ticket.id, agent);
    const sqlBefore = ctx.app.sqlCount();
    for (const [i, url] of [links.url, ...links.ratingUrls].entries()) {
      const res = await get(url);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(pageOf(html)).toBe('prompt');
      if (i > 0) expect(html).toContain(`value="${i}" id="star-${i}" checked`);
      else expect(html).not.toMatch(/id="star-\d" checked/);
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    // One read per page, no write.
    expect(ctx.app.sqlCount() - sqlBefore).toBe(6);
    expect(await storedRatings(ctx.pool, ticket.id)).toHaveLength(0);
    const { rows } = await ctx.pool.query('select rated from csat_offer where ticket_id = $1', [ticket.id]);
    expect(rows).toEqual([{ rated: false }]);
  });

  it('the prompt loads one module, its enhancer, from a content-named same-origin URL; the CSP allows that module alone', async () => {
    const { ticket, agent } = await resolvedTicket();
    const links = await linksFor(ticket.id, agent);
    const page = await get(links.ratingUrls[2]!);
    const html = await page.text();
    const script = scriptOf(html);
    expect(script).toBeDefined();
    expect(html).toMatch(/<main data-page="prompt"><csat-rate-page data-counter="\{count\} \/ \{max\}" data-submitting="Sending…" data-network="[^"]+"><section/);
    const csp = directives(page.headers.get('content-security-policy'));
    const assetUrl = new URL(script!.src, links.ratingUrls[2]!).href;
    expect(assetUrl).toMatch(new RegExp(`^${new URL(ctx.app.url).origin}/rate/assets/[0-9a-f]{16}\\.js$`));
    // The module by its hash and its exact URL: nothing inline, no eval, not the rest of the origin.
    expect(csp['script-src']).toEqual([`'${script!.integrity}'`, assetUrl]);
    expect(csp['default-src']).toEqual(["'none'"]);
    expect(csp['connect-src']).toEqual(["'self'"]);
    expect(csp['style-src']).toHaveLength(1);
    expect(csp['style-src']![0]).toMatch(/^'sha256-[\w+/]+=*'$/);
    expect(csp).toMatchObject({ 'img-src': ["'none'"], 'form-action': ["'self'"], 'frame-ancestors': ["'none'"], 'base-uri': ["'none'"] });
    expect(Object.keys(csp).sort()).toEqual(['base-uri', 'connect-src', 'default-src', 'form-action', 'frame-ancestors', 'img-src', 'script-src', 'style-src']);
    expect(page.headers.get('content-security-policy')).not.toMatch(/unsafe|\*|data:|blob:/);

    // The module: JavaScript, cached for a year without revalidation, named by its content, matching the integrity.
    const asset = await get(assetUrl);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
    expect(asset.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    const code = Buffer.from(await asset.arrayBuffer());
    const digest = createHash('sha256').update(code).digest();
    expect(`sha256-${digest.toString('base64')}`).toBe(script!.integrity);
    expect(assetUrl.endsWith(`/${digest.toString('hex').slice(0, 16)}.js`)).toBe(true);
    expect(code.toString()).toContain('"csat-rate-page"');
    expect((await get(assetUrl.replace(/[0-9a-f]{16}\.js$/, '0123456789abcdef.js'))).status).toBe(404);

    // The other states have nothing to enhance: no script.
    await post(links.url, { rating: '4' });
    const done = await (await get(links.url)).text();
    expect(pageOf(done)).toBe('done');
    expect(scriptOf(done)).toBeUndefined();
  });

  it('behind a PUBLIC_URL with a path prefix, the CSP names the module under it; the page names it relative to itself', async () => {
    const prefixed = await startTestApp({ RATING_LINK_SECRET: LINK_SECRET, PUBLIC_URL: 'https://support.example/help' });
    try {
      const { ticket, agent } = await resolvedTicket();
      const url = (await prefixed.gql(LINKS, { ticketId: ticket.id }, { token: agent })).data.csatRatingLinks.url as string;
      expect(url).toMatch(/^https:\/\/support\.example\/help\/rate\//);
      // The proxy strips the prefix: the service sees /rate/<token>.
      const page = await get(`${new URL(prefixed.url).origin}${new URL(url).pathname.replace(/^\/help/, '')}`);
      const script = scriptOf(await page.text())!;
      expect(script.src).toMatch(/^assets\//);
      expect(directives(page.headers.get('content-security-policy'))['script-src']).toEqual([`'${script.integrity}'`, new URL(script.src, url).href]);
      expect(new URL(script.src, url).href).toMatch(/^https:\/\/support\.example\/help\/rate\/assets\/[0-9a-f]{16}\.js$/);
    } finally {
      await prefixed.stop();
    }
  });

  it('answers the enhancer with JSON: the outcome, the title and the page\'s panel, with the page\'s status and headers', async () => {
    const { ticket, requester, agent } = await resolvedTicket();
    const links = await linksFor(ticket.id, agent);
    const json = async (res: Response) => {
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('vary')).toMatch(/accept/i);
      const body = (await res.json()) as { outcome: string; title: string; html: string };
      expect(Object.keys(body).sort()).toEqual(['html', 'outcome', 'title']);
      expect(body.html).toMatch(/^<section class="panel[^"]*" aria-labelledby="heading">[\s\S]*<\/section>$/);
      expect(body.html).not.toMatch(/<script|<main|<html|csat-rate-page/);
      return body;
    };
    const none = await enhancedPost(links.url, { comment: 'hello' });
    expect(none.status).toBe(422);
    const noneBody = await json(none);
    expect(noneBody).toMatchObject({ outcome: 'prompt', title: 'Rate our support' });
    expect(noneBody.html).toContain('<p class="error" role="alert" id="problem">Please choose a rating.</p>');
    expect(noneBody.html).toContain('>hello</textarea>');
    const long = await enhancedPost(links.url, { rating: '3', comment: 'a'.repeat(2001) });
    expect(long.status).toBe(422);
    expect((await json(long)).html).toContain('Please shorten your comment to 2,000 characters (1 too many).');

    const first = await enhancedPost(links.ratingUrls[3]!, { rating: '4', comment: 'Quick' });
    expect(first.status).toBe(200);
    const done = await json(first);
    expect(done).toMatchObject({ outcome: 'done', title: 'Thanks for your feedback!' });
    expect(done.html).toContain('aria-label="Your rating: 4 out of 5 stars"');
    expect(done.html).toContain('<p class="comment-text">Quick</p>');
    const later = await enhancedPost(links.ratingUrls[0]!, { rating: '1' });
    expect(later.status).toBe(200);
    expect((await json(later)).html).toContain('Your rating: 4 out of 5 stars');
    expect(await storedRatings(ctx.pool, ticket.id)).toEqual([expect.objectContaining({ rating: 4, comment: 'Quick', rated_by: requester })]);

    // From another site's page, with JSON asked for: refused all the same.
    const other = await resolvedTicket();
    const otherLinks = await linksFor(other.ticket.id, other.agent);
    const foreign = await enhancedPost(otherLinks.url, { rating: '5' }, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(await json(foreign)).toMatchObject({ outcome: 'crossSite', title: 'This form was sent from another site' });
    // A body the parser refuses (not UTF-8) is a refusal of this scope: JSON too.
    const bad = await fetch(otherLinks.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: Buffer.from([0x72, 0x61, 0x74, 0x69, 0x6e, 0x67, 0x3d, 0xff]) });
    expect(bad.status).toBe(400);
    expect(await json(bad)).toMatchObject({ outcome: 'invalid' });
    expect(await storedRatings(ctx.pool, other.ticket.id)).toHaveLength(0);
  });

  it('each refusal answers the enhancer with its own status and outcome, nothing stored', async () => {
    const signer = createLinkSigner({ secret: LINK_SECRET, ttlSeconds: 60 });
    const base = new URL(ctx.app.url).origin;
    const expired = await resolvedTicket();
    const old = await signer.sign({ ticketId: expired.ticket.id, workspaceId: expired.workspace, requesterId: expired.requester }, Date.now() - 3600_000);
    const other = await resolvedTicket();
    const elsewhere = await signer.sign({ ticketId: other.ticket.id, workspaceId: randomUUID(), requesterId: other.requester });
    const changed = await resolvedTicket();
    const changedLink = (await linksFor(changed.ticket.id, changed.agent)).url;
    await ctx.pool.query('update ticket set requester_id = $2 where id = $1', [changed.ticket.id, randomUUID()]);
    const disabled = await resolvedTicket();
    const disabledLink = (await linksFor(disabled.ticket.id, disabled.agent)).url;
    await ctx.pool.query(`insert into csat_settings (workspace_id, updated_by, enabled) values ($1, $1, false)`, [disabled.workspace]);
    const reopened = await resolvedTicket();
    const reopenedLink = (await linksFor(reopened.ticket.id, reopened.agent)).url;
    await setStatus(ctx.pool, reopened.ticket.id, 'open');

    const cases: [string, number, string, string][] = [
      [`${base}/rate/${old.token}`, 410, 'expired', 'This link has expired'],
      [`${base}/rate/not-a-token`, 400, 'invalid', 'This link is not valid'],
      [`${base}/rate/${elsewhere.token}`, 404, 'notFound', 'This ticket cannot be rated here'],
      [changedLink, 403, 'requesterChanged', 'This link is no longer yours to use'],
      [disabledLink, 403, 'disabled', 'Feedback is turned off'],
      [reopenedLink, 409, 'notResolved', 'This ticket is open again'],
    ];
    for (const [url, status, outcome, title] of cases) {
      const res = await enhancedPost(url, { rating: '5' });
      expect(res.status, outcome).toBe(status);
      expect(res.headers.get('content-type'), outcome).toBe('application/json; charset=utf-8');
      const body = (await res.json()) as { outcome: string; title: string; html: string };
      expect(body, outcome).toMatchObject({ outcome, title });
      expect(body.html, outcome).toContain(`<h1 id="heading">${title}</h1>`);
    }
    for (const t of [expired, other, changed, disabled, reopened]) expect(await storedRatings(ctx.pool, t.ticket.id)).toHaveLength(0);
  });

  it('POST stores the rating as the requester, then shows it read-only; a later POST is a silent no-op', async () => {
    const { ticket, requester, agent } = await resolvedTicket();
    const links = await linksFor(ticket.id, agent);
    const first = await post(links.ratingUrls[3]!, { rating: '4', comment: '  Quick and kind  ' });
    expect(first.status).toBe(200);
    const html = await first.text();
    expect(pageOf(html)).toBe('done');
    expect(html).toContain('Thanks for your feedback!');
    expect(html).toContain('Your rating: 4 out of 5 stars');
    expect(html).toContain('Quick and kind');
    const later = await post(links.ratingUrls[0]!, { rating: '1', comment: 'changed my mind' });
    expect(later.status).toBe(200);
    const laterHtml = await later.text();
    expect(pageOf(laterHtml)).toBe('done');
    expect(laterHtml).toContain('Your rating: 4 out of 5 stars');
    const stored = await storedRatings(ctx.pool, ticket.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ rating: 4, comment: 'Quick and kind', rated_by: requester, assignee_id: ticket.assignee });
    // And GET now shows it read-only too.
    expect(pageOf(await (await get(links.ratingUrls[1]!)).text())).toBe('done');
  });

  it('a rating from the page is an EMAIL rating, and its webhook event says so (in the rating\'s statement)', async () => {
    const { workspace, ticket, agent } = await resolvedTicket();
    const admin = await tokenFor(viewer('admin', workspace));
    const hook = await ctx.app.gql(`mutation { createCsatWebhook(input: { url: "http://127.0.0.1:9/hook", events: [CSAT_RATING_CREATED] }) { webhook { id } } }`, {}, { token: admin });
    expect(hook.errors).toBeUndefined();
    const links = await linksFor(ticket.id, agent);
    expect((await post(links.url, { rating: '1', comment: 'never again' })).status).toBe(200);
    expect((await ctx.pool.query('select channel from csat_rating where ticket_id = $1', [ticket.id])).rows).toEqual([{ channel: 'EMAIL' }]);
    const { rows } = await ctx.pool.query('select payload from csat_event where workspace_id = $1', [workspace]);
    expect(rows).toHaveLength(1);
    expect(rows[0].payload.data).toMatchObject({ ticketId: ticket.id, rating: 1, comment: 'never again', channel: 'EMAIL', unhappy: true });
  });

  it('POST without a star re-renders the form (422); a comment over 2000 characters too; nothing stored', async () => {
    const { ticket, agent } = await resolvedTicket();
    const links = await linksFor(ticket.id, agent);
    const none = await post(links.url, { comment: 'hello' });
    expect(none.status).toBe(422);
    const noneHtml = await none.text();
    expect(pageOf(noneHtml)).toBe('prompt');
    expect(noneHtml).toContain('Please choose a rating.');
    expect(noneHtml).toContain('>hello</textarea>');
    const long = await post(links.url, { rating: '3', comment: 'a'.repeat(2001) });
    expect(long.status).toBe(422);
    expect(await long.text()).toContain('Please shorten your comment to 2,000 characters (1 too many).');
    expect(await storedRatings(ctx.pool, ticket.id)).toHaveLength(0);
  });

  it('expired, tampered, other ticket, requester changed, disabled, not resolved: each its own page and status, nothing stored', async () => {
    const signer = createLinkSigner({ secret: LINK_SECRET, ttlSeconds: 60 });
    const base = new URL(ctx.app.url).origin;
    const urlOf = (token: string) => `${base}/rate/${token}?rating=5`;

    const expired = await resolvedTicket();
    const old = await signer.sign({ ticketId: expired.ticket.id, workspaceId: expired.workspace, requesterId: expired.requester }, Date.now() - 3600_000);

    const tampered = await resolvedTicket();
    const good = (await linksFor(tampered.ticket.id, tampered.agent)).url.split('/rate/')[1]!;
    const [h, p, sig] = good.split('.');
    const otherPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: randomUUID() })).toString('base64url');
    const forged = await new SignJWT({ tid: tampered.ticket.id, wid: tampered.workspace }).setProtectedHeader({ alg: 'HS256', typ: 'csat-rate+jwt' }).setSubject(tampered.requester).setAudience('csat-rating-link').setExpirationTime('1h').sign(new TextEncoder().encode('some-other-secret-some-other-secret-0123'));

    // A genuine link whose ticket is not in the link's workspace (moved, or deleted): it names no ticket now.
    const other = await resolvedTicket();
    const elsewhere = await signer.sign({ ticketId: other.ticket.id, workspaceId: randomUUID(), requesterId: other.requester });

    const changed = await resolvedTicket();
    const changedLink = (await linksFor(changed.ticket.id, changed.agent)).ratingUrls[4]!;
    await ctx.pool.query('update ticket set requester_id = $2 where id = $1', [changed.ticket.id, randomUUID()]);

    const disabled = await resolvedTicket();
    const disabledLink = (await linksFor(disabled.ticket.id, disabled.agent)).ratingUrls[4]!;
    await ctx.pool.query(`insert into csat_settings (workspace_id, updated_by, enabled) values ($1, $1, false)`, [disabled.workspace]);

    const reopened = await resolvedTicket();
    const reopenedLink = (await linksFor(reopened.ticket.id, reopened.agent)).ratingUrls[4]!;
    await setStatus(ctx.pool, reopened.ticket.id, 'open');

    const cases: [string, string, number, string, string][] = [
      ['expired', urlOf(old.token), 410, 'expired', 'This link has expired'],
      ['payload changed', urlOf(`${h}.${otherPayload}.${sig}`), 400, 'invalid', 'This link is not valid'],
      ['signature changed', urlOf(`${h}.${p}.${sig!.slice(0, -2)}${sig!.endsWith('AA') ? 'BB' : 'AA'}`), 400, 'invalid', 'This link is not valid'],
      ['signed with another key', urlOf(forged), 400, 'invalid', 'This link is not valid'],
      ['garbage', urlOf('not-a-token'), 400, 'invalid', 'This link is not valid'],
      ['other ticket', urlOf(elsewhere.token), 404, 'notFound', 'This ticket cannot be rated here'],
      ['requester changed', changedLink, 403, 'requesterChanged', 'This link is no longer yours to use'],
      ['disabled', disabledLink, 403, 'disabled', 'Feedback is turned off'],
      ['not resolved', reopenedLink, 409, 'notResolved', 'This ticket is open again'],
    ];
    for (const [what, url, status, page, heading] of cases) {
      for (const res of [await get(url), await post(url, { rating: '5' })]) {
        expect(res.status, `${what} ${res.url}`).toBe(status);
        const html = await res.text();
        expect(pageOf(html), what).toBe(page);
        expect(html, what).toContain(heading);
        expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      }
    }
    for (const t of [expired, tampered, other, changed, disabled, reopened]) expect(await storedRatings(ctx.pool, t.ticket.id)).toHaveLength(0);
  });

  it('reopened after rating: the stored rating stays, shown read-only to GET and POST', async () => {
    const { ticket, agent } = await resolvedTicket();
    const links = await linksFor(ticket.id, agent);
    expect((await post(links.url, { rating: '2', comment: 'slow' })).status).toBe(200);
    await setStatus(ctx.pool, ticket.id, 'open');
    for (const res of [await get(links.ratingUrls[4]!), await post(links.url, { rating: '5' })]) {
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(pageOf(html)).toBe('done');
      expect(html).toContain('Your rating: 2 out of 5 stars');
    }
    expect((await storedRatings(ctx.pool, ticket.id))[0]).toMatchObject({ rating: 2, comment: 'slow' });
  });

  it('50 racing POSTs of the five links store one rating, and every answer shows that one', async () => {
    const { ticket, agent } = await resolvedTicket();
    const links = await linksFor(ticket.id, agent);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => post(links.ratingUrls[i % 5]!, { rating: String((i % 5) + 1), comment: `try ${i}` })));
    const stored = await storedRatings(ctx.pool, ticket.id);
    expect(stored).toHaveLength(1);
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(await res.text()).toContain(`Your rating: ${stored[0]!.rating} out of 5 stars`);
    }
  });

  it('a POST from another site is refused (403); the page’s own "null" origin and the same origin are accepted', async () => {
    const { ticket, agent } = await resolvedTicket();
    const links = await linksFor(ticket.id, agent);
    const foreign = await post(links.url, { rating: '5' }, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(pageOf(await foreign.text())).toBe('crossSite');
    expect(await storedRatings(ctx.pool, ticket.id)).toHaveLength(0);
    expect((await post(links.url, { rating: '5' }, { origin: 'null' })).status).toBe(200);
    expect((await post(links.url, { rating: '5' }, { origin: new URL(ctx.app.url).origin })).status).toBe(200);
    expect(await storedRatings(ctx.pool, ticket.id)).toHaveLength(1);
  });

  it('speaks the link’s language, else Accept-Language’s, else English', async () => {
    const { ticket, agent } = await resolvedTicket();
    const de = await linksFor(ticket.id, agent, 'de');
    const deHtml = await (await get(de.ratingUrls[2]!, { 'accept-language': 'fr' })).text();
    expect(deHtml).toContain('<html lang="de">');
    expect(deHtml).toContain('Wie war unser Service?');
    expect(deHtml).toContain('Senden');
    const plain = await linksFor(ticket.id, agent);
    const es = await get(plain.url, { 'accept-language': 'pt-BR, es;q=0.8, de;q=0.5' });
    expect(es.headers.get('content-language')).toBe('es');
    expect(await es.text()).toContain('¿Qué tal lo hicimos?');
    expect(await (await get(plain.url, { 'accept-language': 'ja' })).text()).toContain('How did we do?');
  });

  it('never logs the token: the request line names the route, the link line a hash', async () => {
    const { ticket, agent } = await resolvedTicket();
    const links = await linksFor(ticket.id, agent);
    const token = links.url.split('/rate/')[1]!;
    await get(links.ratingUrls[0]!);
    await post(links.url, { rating: '3' });
    await enhancedPost(links.url, { rating: '3' });
    await get(`${new URL(ctx.app.url).origin}/rate/${token}x`);
    const text = JSON.stringify(ctx.app.logs);
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split('.')[2]);
    expect(ctx.app.logs.some((l) => l.link === tokenHash(token))).toBe(true);
    expect(ctx.app.logs.some((l) => l.path === '/rate/:token')).toBe(true);
  });
});

describe('rate limits and the key rotation', () => {
  it('limits one IP, and one link, per minute, with a page (429)', async () => {
    const t: TestApp = await startTestApp({ RATING_LINK_SECRET: LINK_SECRET, RATING_LINK_RATE_LIMIT_IP: '1000', RATING_LINK_RATE_LIMIT_TOKEN: '3' });
    try {
      const { ticket, agent } = await resolvedTicket();
      const res = await t.gql(LINKS, { ticketId: ticket.id }, { token: agent });
      const url = res.data.csatRatingLinks.url as string;
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await get(url)).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const limited = await get(url);
      expect(pageOf(await limited.text())).toBe('tooMany');
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
      // The enhancer's POST counts and is limited the same way, and hears it as JSON.
      const limitedJson = await enhancedPost(url, { rating: '5' });
      expect(limitedJson.status).toBe(429);
      expect(limitedJson.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await limitedJson.json()).toMatchObject({ outcome: 'tooMany', title: 'Too many attempts' });
      // Another link from the same IP still works.
      const other = await resolvedTicket();
      const otherUrl = (await t.gql(LINKS, { ticketId: other.ticket.id }, { token: other.agent })).data.csatRatingLinks.url as string;
      expect((await get(otherUrl)).status).toBe(200);
    } finally {
      await t.stop();
    }
    const byIp = await startTestApp({ RATING_LINK_SECRET: LINK_SECRET, RATING_LINK_RATE_LIMIT_IP: '2', RATING_LINK_RATE_LIMIT_TOKEN: '1000' });
    try {
      const origin = new URL(byIp.url).origin;
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await get(`${origin}/rate/not-a-token-${i}`)).status);
      expect(statuses).toEqual([400, 400, 429]);
    } finally {
      await byIp.stop();
    }
  });

  it('after a rotation, links signed with RATING_LINK_SECRET_PREVIOUS still work until they expire; others do not', async () => {
    const { ticket, workspace, requester } = await resolvedTicket();
    const oldSigner = createLinkSigner({ secret: OLD_SECRET, ttlSeconds: 3600 });
    const oldLink = await oldSigner.sign({ ticketId: ticket.id, workspaceId: workspace, requesterId: requester });
    const oldExpired = await oldSigner.sign({ ticketId: ticket.id, workspaceId: workspace, requesterId: requester }, Date.now() - 7200_000);
    const rotated = await startTestApp({ RATING_LINK_SECRET: LINK_SECRET, RATING_LINK_SECRET_PREVIOUS: OLD_SECRET });
    const notRotated = await startTestApp({ RATING_LINK_SECRET: LINK_SECRET });
    try {
      const at = (t: TestApp, token: string) => `${new URL(t.url).origin}/rate/${token}?rating=4`;
      expect((await get(at(notRotated, oldLink.token))).status).toBe(400);
      expect((await get(at(rotated, oldExpired.token))).status).toBe(410);
      expect((await get(at(rotated, oldLink.token))).status).toBe(200);
      // New links are signed with the new key: the old app (with only the new key as its previous) is not needed for them.
      const fresh = (await rotated.gql(LINKS, { ticketId: ticket.id }, { token: await tokenFor(viewer('agent', workspace)) })).data.csatRatingLinks.url as string;
      expect(await createLinkSigner({ secret: LINK_SECRET, ttlSeconds: 60 }).verify(fresh.split('/rate/')[1]!)).toMatchObject({ ok: true });
      expect(await createLinkSigner({ secret: OLD_SECRET, ttlSeconds: 60 }).verify(fresh.split('/rate/')[1]!)).toMatchObject({ ok: false });
      expect((await post(at(rotated, oldLink.token), { rating: '4' })).status).toBe(200);
      expect(await storedRatings(ctx.pool, ticket.id)).toHaveLength(1);
    } finally {
      await rotated.stop();
      await notRotated.stop();
    }
  });
});

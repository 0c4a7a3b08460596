// Issue 20: the resolution email's star links in real Chromium (Debian's, through playwright-core): the fragment
// → the page with that star chosen → Submit → read-only thanks; the same with JavaScript disabled; a second tab
// submitting late; the refusal pages. axe-core on every page state; screenshots to .data/screenshots/
// (CSAT_SCREENSHOTS=docs: docs/screenshots/). Without Chromium: skipped, or a failure with CSAT_BROWSER_TESTS=required.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLinkSigner } from '../src/rating-links/link.token.js';
import { createTicket, storedRatings } from './helpers/fixtures.js';
import { tokenFor, useTestApp, viewer } from './helpers/test.app.js';

const CHROMIUM = process.env.CSAT_CHROMIUM ?? '/usr/bin/chromium';
const REQUIRED = process.env.CSAT_BROWSER_TESTS === 'required';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM && REQUIRED) throw new Error(`CSAT_BROWSER_TESTS=required but there is no Chromium at ${CHROMIUM}`);
if (!HAVE_CHROMIUM) console.log(`rating link browser tests skipped: no Chromium at ${CHROMIUM}`);

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SHOTS = process.env.CSAT_SCREENSHOTS === 'docs' ? 'docs/screenshots' : '.data/screenshots';
// Evaluated through the DevTools protocol: the page's CSP (script-src 'none') would refuse a script tag.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const CONTEXT: BrowserContextOptions = { viewport: { width: 720, height: 560 }, locale: 'en-US', timezoneId: 'UTC', colorScheme: 'light' };
const LINK_SECRET = 'rating-link-secret-for-browser-tests-0123456789';

const ctx = useTestApp({ RATING_LINK_SECRET: LINK_SECRET });
type Any = any;

describe.skipIf(!HAVE_CHROMIUM)('rating links in Chromium', () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    await mkdir(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    expect(pageErrors).toEqual([]);
  });

  async function newPage(options: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser.newContext({ ...CONTEXT, ...options });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
    return page;
  }

  async function axe(page: Page): Promise<string[]> {
    await page.evaluate(AXE_SOURCE);
    return page.evaluate(async () => {
      const g = globalThis as Any;
      const result = await g.axe.run(g.document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
      return result.violations.map((v: Any) => `${v.id}: ${v.nodes.map((n: Any) => JSON.stringify(n.target)).join(', ')}`);
    });
  }

  async function resolvedTicket() {
    const workspace = randomUUID();
    const ticket = await createTicket(ctx.pool, { workspace, requester: randomUUID(), status: 'resolved' });
    const agent = await tokenFor(viewer('agent', workspace));
    const res = await ctx.app.gql(`query L($id: ID!, $l: String) { csatRatingLinks(ticketId: $id, locale: $l) { url ratingUrls html } }`, { id: ticket.id }, { token: agent });
    expect(res.errors).toBeUndefined();
    return { ticket, workspace, links: res.data.csatRatingLinks as { url: string; ratingUrls: string[]; html: string } };
  }

  /** The email as a mail client shows it: the fragment alone in a page. */
  async function openEmail(page: Page, html: string) {
    await page.setContent(`<!doctype html><html lang="en"><head><title>Your ticket is resolved</title></head><body style="margin:24px">${html}</body></html>`);
  }

  const litCount = (page: Page) =>
    page.evaluate(() => {
      const g = globalThis as Any;
      return [...g.document.querySelectorAll('.stars label path, .stars .star path')].filter((p: Any) => g.getComputedStyle(p).fill === 'rgb(245, 158, 11)').length;
    });

  for (const js of [true, false]) {
    it(`email star → the page with that star → Submit → read-only thanks${js ? '' : ' (JavaScript disabled: a plain form)'}`, async () => {
      const { ticket, links } = await resolvedTicket();
      const page = await newPage({ javaScriptEnabled: js });
      await openEmail(page, links.html);
      if (js) await page.screenshot({ path: path.join(SHOTS, 'email-fragment.png'), fullPage: true });
      await page.locator(`a[href="${links.ratingUrls[3]}"]`).first().click();
      await page.waitForURL(links.ratingUrls[3]!);
      await expect.poll(() => page.locator('#star-4').isChecked()).toBe(true);
      expect(await page.locator('h1').textContent()).toBe('How did we do?');
      expect(await litCount(page)).toBe(4);
      expect(await page.locator('textarea#comment').isVisible()).toBe(true);
      expect(await storedRatings(ctx.pool, ticket.id)).toHaveLength(0);
      if (js) {
        expect(await axe(page)).toEqual([]);
        await page.screenshot({ path: path.join(SHOTS, 'rate-page-prompt.png'), fullPage: true, animations: 'disabled', caret: 'hide' });
      }
      // A keyboard change of mind: the radios are the stars.
      await page.locator('#star-4').focus();
      await page.keyboard.press('ArrowRight');
      expect(await page.locator('#star-5').isChecked()).toBe(true);
      await page.locator('textarea#comment').fill('Fixed within the hour, thank you!');
      await Promise.all([page.waitForLoadState('load'), page.locator('button[type=submit]').click()]);
      await expect.poll(() => page.locator('h1').textContent()).toBe('Thanks for your feedback!');
      expect(await page.locator('[role=img]').getAttribute('aria-label')).toBe('Your rating: 5 out of 5 stars');
      expect(await page.locator('form').count()).toBe(0);
      const stored = await storedRatings(ctx.pool, ticket.id);
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ rating: 5, comment: 'Fixed within the hour, thank you!', rated_by: ticket.requester });
      if (js) {
        expect(await axe(page)).toEqual([]);
        await page.screenshot({ path: path.join(SHOTS, 'rate-page-thanks.png'), fullPage: true });
      }
    });
  }

  it('a second tab submitting late sees the first rating, which stays', async () => {
    const { ticket, links } = await resolvedTicket();
    const first = await newPage();
    const second = await newPage();
    await first.goto(links.ratingUrls[1]!);
    await second.goto(links.ratingUrls[4]!);
    await Promise.all([first.waitForLoadState('load'), first.locator('button[type=submit]').click()]);
    await expect.poll(() => first.locator('h1').textContent()).toBe('Thanks for your feedback!');
    await Promise.all([second.waitForLoadState('load'), second.locator('button[type=submit]').click()]);
    await expect.poll(() => second.locator('h1').textContent()).toBe('Thanks for your feedback!');
    expect(await second.locator('[role=img]').getAttribute('aria-label')).toBe('Your rating: 2 out of 5 stars');
    expect((await storedRatings(ctx.pool, ticket.id)).map((r) => r.rating)).toEqual([2]);
  });

  it('the refusal pages: expired, invalid; the prompt in German from Accept-Language; none has an axe violation', async () => {
    const { ticket, workspace } = await resolvedTicket();
    const signer = createLinkSigner({ secret: LINK_SECRET, ttlSeconds: 60 });
    const expired = await signer.sign({ ticketId: ticket.id, workspaceId: workspace, requesterId: ticket.requester }, Date.now() - 3_600_000);
    const base = new URL(ctx.app.url).origin;
    const page = await newPage();
    await page.goto(`${base}/rate/${expired.token}?rating=5`);
    expect(await page.locator('h1').textContent()).toBe('This link has expired');
    expect(await axe(page)).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, 'rate-page-expired.png'), fullPage: true });
    await page.goto(`${base}/rate/${expired.token.slice(0, -3)}abc`);
    expect(await page.locator('h1').textContent()).toBe('This link is not valid');
    expect(await axe(page)).toEqual([]);
    const german = await newPage({ locale: 'de-DE' });
    const { links } = await resolvedTicket();
    await german.goto(links.ratingUrls[2]!);
    expect(await german.locator('h1').textContent()).toBe('Wie war unser Service?');
    expect(await german.locator('button[type=submit]').textContent()).toBe('Senden');
    expect(await axe(german)).toEqual([]);
    await german.screenshot({ path: path.join(SHOTS, 'rate-page-de.png'), fullPage: true, animations: 'disabled', caret: 'hide' });
  });
});

// Issue 20: the resolution email's star links in real Chromium (Debian's, through playwright-core): the fragment
// → the page with that star chosen → Submit → read-only thanks, enhanced in place by <csat-rate-page> with
// JavaScript on, and as a plain form with JavaScript disabled; a second tab submitting late; a 422, a refusal and a
// network failure in place; the CSP still refusing inline script; the refusal pages. axe-core on every page state;
// screenshots to .data/screenshots/ (CSAT_SCREENSHOTS=docs: docs/screenshots/). Without Chromium: skipped, or a
// failure with CSAT_BROWSER_TESTS=required.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLinkSigner } from '../src/rating-links/link.token.js';
import { createTicket, setStatus, storedRatings } from './helpers/fixtures.js';
import { tokenFor, useTestApp, viewer } from './helpers/test.app.js';

const CHROMIUM = process.env.CSAT_CHROMIUM ?? '/usr/bin/chromium';
const REQUIRED = process.env.CSAT_BROWSER_TESTS === 'required';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM && REQUIRED) throw new Error(`CSAT_BROWSER_TESTS=required but there is no Chromium at ${CHROMIUM}`);
if (!HAVE_CHROMIUM) console.log(`rating link browser tests skipped: no Chromium at ${CHROMIUM}`);

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SHOTS = process.env.CSAT_SCREENSHOTS === 'docs' ? 'docs/screenshots' : '.data/screenshots';
// Evaluated through the DevTools protocol: the page's CSP (its own module only) would refuse a script tag.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const CONTEXT: BrowserContextOptions = { viewport: { width: 720, height: 560 }, locale: 'en-US', timezoneId: 'UTC', colorScheme: 'light' };
const LINK_SECRET = 'rating-link-secret-for-browser-tests-0123456789';

const ctx = useTestApp({ RATING_LINK_SECRET: LINK_SECRET });
type Any = any;

describe.skipIf(!HAVE_CHROMIUM)('rating links in Chromium', () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  /** Console lines about the Content-Security-Policy: none unless a test provokes one on purpose. */
  const cspErrors: string[] = [];

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    await mkdir(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    expect(pageErrors).toEqual([]);
    expect(cspErrors).toEqual([]);
  });

  async function newPage(options: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser.newContext({ ...CONTEXT, ...options });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text()) && !(page as Any).expectCspErrors) cspErrors.push(`${page.url()}: ${m.text()}`);
    });
    return page;
  }

  /** The enhancer ran: its element is defined and has marked itself. */
  async function enhanced(page: Page): Promise<boolean> {
    await page.locator('csat-rate-page[enhanced]').waitFor();
    return page.evaluate(() => !!(globalThis as Any).customElements.get('csat-rate-page'));
  }

  /** A value on the page's window: it survives only if the document does (no navigation). */
  const mark = (page: Page) => page.evaluate(() => ((globalThis as Any).__sameDocument = 'kept'));
  const marked = (page: Page) => page.evaluate(() => (globalThis as Any).__sameDocument);
  const focusedId = (page: Page) => page.evaluate(() => (globalThis as Any).document.activeElement?.id ?? null);
  const liveText = (page: Page) => page.locator('csat-rate-page [role=status]').textContent();

  /** The main frame's navigations from now on. */
  function navigations(page: Page): string[] {
    const urls: string[] = [];
    page.on('framenavigated', (f) => f === page.mainFrame() && urls.push(f.url()));
    return urls;
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
        expect(await enhanced(page)).toBe(true);
        await mark(page);
        expect(await axe(page)).toEqual([]);
        await page.screenshot({ path: path.join(SHOTS, 'rate-page-prompt.png'), fullPage: true, animations: 'disabled', caret: 'hide' });
      } else {
        // The element is there, never defined: the server's form alone.
        expect(await page.locator('csat-rate-page').count()).toBe(1);
        expect(await page.locator('csat-rate-page[enhanced]').count()).toBe(0);
      }
      // A keyboard change of mind: the radios are the stars.
      await page.locator('#star-4').focus();
      await page.keyboard.press('ArrowRight');
      expect(await page.locator('#star-5').isChecked()).toBe(true);
      await page.locator('textarea#comment').fill('Fixed within the hour, thank you!');
      // The prompt's live counter, with the script only (the plain form counts when the server renders it).
      expect(await page.locator('#counter').textContent()).toBe(js ? '33 / 2,000' : '0 / 2,000');
      const navigated = navigations(page);
      const posted = page.waitForRequest((r) => r.method() === 'POST');
      await Promise.all([page.waitForLoadState('load'), page.locator('button[type=submit]').click()]);
      await expect.poll(() => page.locator('h1').textContent()).toBe('Thanks for your feedback!');
      expect(await page.locator('[role=img]').getAttribute('aria-label')).toBe('Your rating: 5 out of 5 stars');
      expect(await page.locator('form').count()).toBe(0);
      const stored = await storedRatings(ctx.pool, ticket.id);
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ rating: 5, comment: 'Fixed within the hour, thank you!', rated_by: ticket.requester });
      const headers = await (await posted).allHeaders();
      if (js) {
        // Sent with fetch, the page kept: the same document, the answer's panel in place, focused and read out.
        expect(navigated).toEqual([]);
        expect(await marked(page)).toBe('kept');
        expect(headers).toMatchObject({ origin: new URL(links.url).origin, accept: 'application/json' });
        expect(headers.referer).toBeUndefined();
        expect(await page.title()).toBe('Thanks for your feedback!');
        expect(await page.locator('main').getAttribute('data-page')).toBe('done');
        expect(await focusedId(page)).toBe('heading');
        expect(await liveText(page)).toBe('Thanks for your feedback! Your rating: 5 out of 5 stars Fixed within the hour, thank you!');
        expect(await axe(page)).toEqual([]);
        await page.screenshot({ path: path.join(SHOTS, 'rate-page-thanks.png'), fullPage: true });
      } else {
        // The plain form: a navigation to the server's page, which its policy let say only "null" as its origin.
        expect(navigated).toEqual([links.ratingUrls[3]]);
        expect(headers.origin).toBe('null');
        expect(headers.referer).toBeUndefined();
      }
    });
  }

  it('JavaScript on: a 422 and the live counter in place, then the rating; a refusal in place; a network failure keeps the form', async () => {
    const { ticket, links } = await resolvedTicket();
    const page = await newPage();
    await page.goto(links.url);
    expect(await enhanced(page)).toBe(true);
    await mark(page);
    // No star chosen: the server's 422, its form in place of the old one, the comment kept, focus on the problem.
    await page.locator('textarea#comment').fill('héllo 👍');
    expect(await page.locator('#counter').textContent()).toBe('7 / 2,000');
    await page.locator('button[type=submit]').click();
    await expect.poll(() => page.locator('#problem').textContent()).toBe('Please choose a rating.');
    expect(await page.locator('#problem').getAttribute('role')).toBe('alert');
    expect(await focusedId(page)).toBe('problem');
    expect(await page.locator('textarea#comment').inputValue()).toBe('héllo 👍');
    expect(await marked(page)).toBe('kept');
    expect(await axe(page)).toEqual([]);
    // Over 2000 code points: the counter says so before any request.
    await page.locator('textarea#comment').fill('a'.repeat(2001));
    expect(await page.locator('#counter').textContent()).toBe('2,001 / 2,000');
    expect(await page.locator('textarea#comment').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#counter').evaluate((el) => (globalThis as Any).getComputedStyle(el).color)).toBe('rgb(185, 28, 28)');
    await page.locator('textarea#comment').fill('Good');
    expect(await page.locator('textarea#comment').getAttribute('aria-invalid')).toBe('false');

    // The network fails: the form stays, with the prompt's network message; Submit again works.
    await page.route('**/rate/*', (route) => (route.request().method() === 'POST' ? route.abort('internetdisconnected') : route.continue()));
    await page.locator('label[for=star-3]').click();
    await page.locator('button[type=submit]').click();
    await expect.poll(() => page.locator('#problem').textContent()).toBe('We could not reach the server. Check your connection and try again.');
    expect(await page.locator('button[type=submit]').isEnabled()).toBe(true);
    expect(await page.locator('button[type=submit]').textContent()).toBe('Submit');
    expect(await storedRatings(ctx.pool, ticket.id)).toHaveLength(0);
    await page.unroute('**/rate/*');

    // A slow answer: Submit is busy meanwhile, and a second click sends nothing more.
    let posts = 0;
    await page.route('**/rate/*', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      posts++;
      await new Promise((r) => setTimeout(r, 300));
      return route.continue();
    });
    await page.locator('button[type=submit]').click();
    expect(await page.locator('button[type=submit]').textContent()).toBe('Sending…');
    expect(await page.locator('button[type=submit]').getAttribute('aria-busy')).toBe('true');
    await page.locator('form').evaluate((f: Any) => f.requestSubmit());
    await expect.poll(() => page.locator('h1').textContent()).toBe('Thanks for your feedback!');
    expect(posts).toBe(1);
    expect(await liveText(page)).toBe('Thanks for your feedback! Your rating: 3 out of 5 stars Good');
    expect(await marked(page)).toBe('kept');
    expect((await storedRatings(ctx.pool, ticket.id)).map((r) => r.rating)).toEqual([3]);

    // Reopened while the page was open: the refusal's panel in place, its heading focused and read out.
    const reopened = await resolvedTicket();
    const other = await newPage();
    await other.goto(reopened.links.ratingUrls[4]!);
    expect(await enhanced(other)).toBe(true);
    await mark(other);
    await setStatus(ctx.pool, reopened.ticket.id, 'open');
    await other.locator('button[type=submit]').click();
    await expect.poll(() => other.locator('h1').textContent()).toBe('This ticket is open again');
    expect(await other.locator('main').getAttribute('data-page')).toBe('notResolved');
    expect(await other.title()).toBe('This ticket is open again');
    expect(await focusedId(other)).toBe('heading');
    expect(await liveText(other)).toBe('This ticket is open again This ticket is not resolved yet, so it cannot be rated now.');
    expect(await marked(other)).toBe('kept');
    expect(await axe(other)).toEqual([]);
    expect(await storedRatings(ctx.pool, reopened.ticket.id)).toHaveLength(0);
  });

  it('JavaScript on but the module not loaded (blocked, offline): the plain form works as with JavaScript off', async () => {
    const { ticket, links } = await resolvedTicket();
    const page = await newPage();
    await page.route('**/rate/assets/*', (route) => route.abort('blockedbyclient'));
    await page.goto(links.ratingUrls[2]!);
    expect(await page.locator('csat-rate-page').count()).toBe(1);
    expect(await page.evaluate(() => !!(globalThis as Any).customElements.get('csat-rate-page'))).toBe(false);
    const navigated = navigations(page);
    await Promise.all([page.waitForLoadState('load'), page.locator('button[type=submit]').click()]);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Thanks for your feedback!');
    expect(navigated).toEqual([links.ratingUrls[2]]);
    expect((await storedRatings(ctx.pool, ticket.id)).map((r) => r.rating)).toEqual([3]);
  });

  it('the enhanced page still refuses inline script, inline handlers, string code and any other script of its own origin', async () => {
    const { links } = await resolvedTicket();
    const page = await newPage();
    (page as Any).expectCspErrors = true;
    await page.goto(links.ratingUrls[4]!);
    expect(await enhanced(page)).toBe(true);
    const result = await page.evaluate(async () => {
      const g = globalThis as Any;
      const violations: string[] = [];
      g.document.addEventListener('securitypolicyviolation', (e: Any) => violations.push(`${e.effectiveDirective} ${e.blockedURI}`));
      const inline = g.document.createElement('script');
      inline.textContent = 'window.__inlineRan = true';
      g.document.head.append(inline);
      const other = g.document.createElement('script');
      other.src = '/healthz';
      g.document.head.append(other);
      // A string compiled later, outside this DevTools evaluation (which itself may eval): the page's own rules.
      g.setTimeout('window.__stringRan = true', 0);
      const button = g.document.createElement('button');
      button.setAttribute('onclick', 'window.__handlerRan = true');
      g.document.body.append(button);
      button.click();
      await new Promise((r) => setTimeout(r, 200));
      return { violations, inlineRan: g.__inlineRan === true, stringRan: g.__stringRan === true, handlerRan: g.__handlerRan === true };
    });
    expect(result).toMatchObject({ inlineRan: false, stringRan: false, handlerRan: false });
    expect(result.violations).toContain('script-src-elem inline');
    expect(result.violations).toContain(`script-src-elem ${new URL(links.url).origin}/healthz`);
    expect(result.violations).toContain('script-src-attr inline');
    expect(result.violations).toContain('script-src eval');
  });

  it('a second tab submitting late sees the first rating in place, read-only, which stays', async () => {
    const { ticket, links } = await resolvedTicket();
    const first = await newPage();
    const second = await newPage();
    await first.goto(links.ratingUrls[1]!);
    await second.goto(links.ratingUrls[4]!);
    expect(await enhanced(second)).toBe(true);
    await mark(second);
    await Promise.all([first.waitForLoadState('load'), first.locator('button[type=submit]').click()]);
    await expect.poll(() => first.locator('h1').textContent()).toBe('Thanks for your feedback!');
    await second.locator('textarea#comment').fill('late');
    await Promise.all([second.waitForLoadState('load'), second.locator('button[type=submit]').click()]);
    await expect.poll(() => second.locator('h1').textContent()).toBe('Thanks for your feedback!');
    expect(await second.locator('[role=img]').getAttribute('aria-label')).toBe('Your rating: 2 out of 5 stars');
    expect(await marked(second)).toBe('kept');
    expect(await focusedId(second)).toBe('heading');
    expect(await liveText(second)).toBe('Thanks for your feedback! Your rating: 2 out of 5 stars');
    // Read-only: nothing left to change or send.
    expect(await second.locator('form, input, textarea, button').count()).toBe(0);
    expect(await axe(second)).toEqual([]);
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

// The web components in real Chromium (Debian's, driven by playwright-core) on the demo pages of the local
// supergraph: real gateway, both subgraphs, real PostgreSQL. Screenshots of every component and state go
// to .data/screenshots/ (CSAT_SCREENSHOTS=docs writes docs/screenshots/, the ones the README shows).
// Without Chromium these tests report themselves skipped; CSAT_BROWSER_TESTS=required (CI) makes that a failure.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type pg from 'pg';
import { pino } from 'pino';
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSupergraph, type Supergraph } from '../dev/supergraph.js';
import { supergraphConfig } from './helpers/test.supergraph.js';
import { createTicket, setStatus, storedRatings, testPool, type TicketStatus } from './helpers/fixtures.js';

const CHROMIUM = process.env.CSAT_CHROMIUM ?? '/usr/bin/chromium';
const REQUIRED = process.env.CSAT_BROWSER_TESTS === 'required';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM && REQUIRED) throw new Error(`CSAT_BROWSER_TESTS=required but there is no Chromium at ${CHROMIUM} (apt-get install chromium, or set CSAT_CHROMIUM)`);
if (!HAVE_CHROMIUM) {
  console.log(`web components browser tests skipped: no Chromium at ${CHROMIUM}; to run them: apt-get install chromium (or set CSAT_CHROMIUM=/path/to/chromium)`);
}

// The flags this machine needs: without the background-networking ones Chromium's own connections are refused.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SHOTS = process.env.CSAT_SCREENSHOTS === 'docs' ? 'docs/screenshots' : '.data/screenshots';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const CONTEXT: BrowserContextOptions = { viewport: { width: 1000, height: 760 }, locale: 'en-US', timezoneId: 'UTC', colorScheme: 'light' };

const ws = randomUUID();
const customer = randomUUID();
const agent = randomUUID();
const otherCustomer = randomUUID();

let sg: Supergraph;
let pool: pg.Pool;
let browser: Browser;
let demoUrl: string;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

// Inside page.evaluate the code runs in the page; the test's own typecheck has no DOM types.
type Any = any;
declare const getComputedStyle: Any;

describe.skipIf(!HAVE_CHROMIUM)('web components in Chromium', () => {
  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    const config = supergraphConfig(inject('databaseUrl'));
    sg = await startSupergraph({
      config,
      logger: pino({ level: 'warn' }),
      ports: { gateway: 0, csat: 0, tickets: 0, demo: 0 },
      seed: false,
      demoIdentities: { workspace: ws, customer, agent },
    });
    demoUrl = sg.demo!.url;
    pool = testPool();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    await mkdir(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await sg?.stop();
    await pool?.end();
    // No uncaught exception in any page, the components' or the demo's own code.
    expect(pageErrors).toEqual([]);
  });

  async function newPage(options: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser.newContext({ ...CONTEXT, ...options });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
    return page;
  }

  /** The demo portal page of a ticket, once the prompt has settled on a state. */
  async function portal(ticketId: string, page?: Page, query = ''): Promise<Page> {
    page ??= await newPage();
    await page.goto(`${demoUrl}portal?ticket=${ticketId}${query}`);
    await page.locator(`csat-prompt[ticket-id="${ticketId}"]:not([state="loading"])`).waitFor({ state: 'attached' });
    return page;
  }

  async function agentTicket(ticketId: string, page?: Page): Promise<Page> {
    page ??= await newPage();
    await page.goto(`${demoUrl}agent?ticket=${ticketId}`);
    await page.locator(`csat-card[ticket-id="${ticketId}"]:not([state="loading"])`).waitFor({ state: 'attached' });
    return page;
  }

  const ticket = (status: TicketStatus = 'resolved', requester = customer) => createTicket(pool, { workspace: ws, requester, status });

  async function insertRating(ticketId: string, rating: number, comment: string | null, ago = '2 hours') {
    await pool.query(
      `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_by, rated_at) values ($1, $2, $3, $4, $5, now() - $6::interval)`,
      [ws, ticketId, rating, comment, customer, ago],
    );
  }

  /** rateTicket requests the page sends to the gateway. */
  function countMutations(page: Page): { n: number } {
    const counter = { n: 0 };
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().startsWith(sg.gatewayUrl) && (r.postData() ?? '').includes('rateTicket')) counter.n++;
    });
    return counter;
  }

  /** An element screenshot with a margin of the page around it (tooltips included). */
  async function shot(target: Locator, name: string, pad = 16) {
    await target.scrollIntoViewIfNeeded();
    const box = (await target.boundingBox())!;
    const scroll = await target.page().evaluate(() => (globalThis as Any).scrollY as number);
    const tip = name.includes('tooltip') ? 36 : 0;
    await target.page().screenshot({
      path: path.join(SHOTS, `${name}.png`),
      // fullPage: the clip is in page coordinates, and may reach below the viewport.
      fullPage: true,
      clip: { x: Math.max(0, box.x - pad), y: Math.max(0, box.y + scroll - pad - tip), width: box.width + 2 * pad, height: box.height + 2 * pad + 2 * tip },
      animations: 'disabled',
      caret: 'hide',
    });
  }

  /** axe-core's WCAG 2.x A and AA rules on one element (or the page); the violations, by rule and node. */
  async function axe(page: Page, selector = 'body'): Promise<string[]> {
    if (!(await page.evaluate(() => Boolean((globalThis as Any).axe)))) await page.addScriptTag({ path: AXE });
    return page.evaluate(async (sel: string) => {
      const g = globalThis as Any;
      const result = await g.axe.run(g.document.querySelector(sel), { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
      return result.violations.map((v: Any) => `${v.id}: ${v.nodes.map((n: Any) => JSON.stringify(n.target)).join(', ')}`);
    }, selector);
  }

  const stars = (page: Page) => page.locator('csat-prompt [role="radio"]');
  const litStars = (page: Page, host = 'csat-prompt') => page.locator(`${host} .star.lit`);
  const submit = (page: Page) => page.locator('csat-prompt button[part="submit"]');
  const counter = (page: Page) => page.locator('csat-prompt [part="counter"]');
  const textarea = (page: Page) => page.locator('csat-prompt textarea');
  const heading = (page: Page) => page.locator('csat-prompt h2');
  const errorBox = (page: Page, host = 'csat-prompt') => page.locator(`${host} [part="error"]`);

  describe('<csat-prompt>', () => {
    it('five stars; hovering lights every star up to it in amber; clicking sets the rating and reveals the comment box and Submit', async () => {
      const t = await ticket();
      const page = await portal(t.id);
      const prompt = page.locator('csat-prompt');
      expect(await prompt.getAttribute('state')).toBe('prompt');
      await expect.poll(() => heading(page).textContent()).toBe('How did we do?');
      expect(await page.locator('csat-prompt [part="intro"]').textContent()).toBe('Your feedback helps us improve the support we provide.');
      expect(await stars(page).count()).toBe(5);
      expect(await page.locator('csat-prompt [role="radiogroup"]').getAttribute('aria-label')).toBe('Your rating');
      expect(await stars(page).evaluateAll((els) => els.map((e: Any) => e.getAttribute('aria-label')))).toEqual([1, 2, 3, 4, 5].map((n) => `${n} out of 5 stars`));
      expect(await litStars(page).count()).toBe(0);
      expect(await textarea(page).count()).toBe(0);
      expect(await submit(page).count()).toBe(0);
      expect(await axe(page, 'csat-prompt')).toEqual([]);
      await shot(prompt, 'prompt');

      await stars(page).nth(2).hover();
      await expect.poll(() => litStars(page).count()).toBe(3);
      // Amber: the lit stars' fill is the --csat-amber default once the fill's transition has run, the others are grey.
      const fills = () => page.locator('csat-prompt [role="radio"] path').evaluateAll((els) => els.map((e: Any) => getComputedStyle(e).fill));
      await expect.poll(fills).toEqual([...Array(3).fill('rgb(245, 158, 11)'), ...Array(2).fill('rgb(243, 244, 246)')]);
      await shot(prompt, 'prompt-hover');
      await stars(page).nth(4).hover();
      await expect.poll(() => litStars(page).count()).toBe(5);
      await page.mouse.move(0, 0);
      await expect.poll(() => litStars(page).count()).toBe(0);

      await stars(page).nth(3).click();
      expect(await stars(page).evaluateAll((els) => els.map((e: Any) => e.getAttribute('aria-checked')))).toEqual(['false', 'false', 'false', 'true', 'false']);
      await page.mouse.move(0, 0);
      await expect.poll(() => litStars(page).count()).toBe(4);
      expect(await textarea(page).isVisible()).toBe(true);
      expect(await submit(page).isEnabled()).toBe(true);
      expect(await page.locator('csat-prompt label').textContent()).toBe('Add a comment (optional)');
      await textarea(page).fill('Quick and friendly, thank you!');
      expect(await counter(page).textContent()).toBe('30 / 2,000');
      expect(await axe(page, 'csat-prompt')).toEqual([]);
      await shot(prompt, 'prompt-rated');
    });

    it('the comment counter counts code points as the server does: 2000 is accepted, 2001 is refused before sending', async () => {
      const t = await ticket();
      const page = await portal(t.id);
      const mutations = countMutations(page);
      await stars(page).nth(4).click();
      // White space at either end is not counted (the server trims it), an emoji is one code point (two UTF-16 units).
      await textarea(page).fill('  ab  ');
      expect(await counter(page).textContent()).toBe('2 / 2,000');
      const exactly2000 = `${'a'.repeat(1998)}😀b`;
      expect(exactly2000.length).toBe(2001);
      await textarea(page).fill(exactly2000);
      expect(await counter(page).textContent()).toBe('2,000 / 2,000');
      expect(await submit(page).isEnabled()).toBe(true);
      expect(await textarea(page).getAttribute('aria-invalid')).toBe('false');

      await textarea(page).press('End');
      await textarea(page).pressSequentially('c');
      expect(await counter(page).textContent()).toBe('2,001 / 2,000');
      expect(await submit(page).isDisabled()).toBe(true);
      expect(await textarea(page).getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator('csat-prompt [part="too-long"]').textContent()).toBe('Please shorten your comment to 2,000 characters (1 too many).');
      expect(await axe(page, 'csat-prompt')).toEqual([]);
      await shot(page.locator('csat-prompt'), 'prompt-too-long');
      await submit(page).click({ force: true });
      expect(mutations.n).toBe(0);

      await textarea(page).press('Backspace');
      expect(await counter(page).textContent()).toBe('2,000 / 2,000');
      await submit(page).click();
      await page.locator('csat-prompt[state="done"]').waitFor({ state: 'attached' });
      const [stored] = await storedRatings(pool, t.id);
      expect(stored!.comment).toBe(exactly2000);
      const { rows } = await pool.query<{ n: number }>('select char_length(comment) as n from csat_rating where ticket_id = $1', [t.id]);
      expect(rows[0]!.n).toBe(2000);
      expect(mutations.n).toBe(1);
    });

    it('submit without a comment: read-only, "Thanks for your feedback!", the stars in amber, no comment', async () => {
      const t = await ticket();
      const page = await portal(t.id);
      await stars(page).nth(1).click();
      await submit(page).click();
      await page.locator('csat-prompt[state="done"]').waitFor({ state: 'attached' });
      expect(await heading(page).textContent()).toBe('Thanks for your feedback!');
      expect(await litStars(page).count()).toBe(2);
      expect(await page.locator('csat-prompt [part="comment-text"]').count()).toBe(0);
      expect(await page.locator('csat-prompt [role="radio"], csat-prompt textarea, csat-prompt button').count()).toBe(0);
      const [stored] = await storedRatings(pool, t.id);
      expect(stored).toMatchObject({ rating: 2, comment: null });
    });

    it('submit with a comment: read-only with the comment in italics; a reload still shows it read-only', async () => {
      const t = await ticket('closed');
      const page = await portal(t.id);
      const rated = page.waitForEvent('console', { predicate: (m) => m.text().startsWith('rated'), timeout: 10_000 }).catch(() => null);
      await page.evaluate(() => {
        const g = globalThis as Any;
        g.document.querySelector('csat-prompt').addEventListener('csat-rated', (e: Any) => console.log(`rated ${e.detail.csatRating}`));
      });
      await stars(page).nth(4).click();
      await textarea(page).fill('  Solved in one reply. Great support, thank you!  ');
      await submit(page).click();
      await page.locator('csat-prompt[state="done"]').waitFor({ state: 'attached' });
      expect((await rated)?.text()).toBe('rated 5');
      const check = async () => {
        expect(await heading(page).textContent()).toBe('Thanks for your feedback!');
        expect(await litStars(page).count()).toBe(5);
        expect(await page.locator('csat-prompt [part="stars"]').getAttribute('aria-label')).toBe('Your rating: 5 out of 5 stars');
        const comment = page.locator('csat-prompt [part="comment-text"]');
        expect(await comment.textContent()).toBe('Solved in one reply. Great support, thank you!');
        expect(await comment.evaluate((e: Any) => getComputedStyle(e).fontStyle)).toBe('italic');
        expect(await page.locator('csat-prompt [role="radio"], csat-prompt textarea').count()).toBe(0);
      };
      await check();
      expect(await axe(page, 'csat-prompt')).toEqual([]);
      await shot(page.locator('csat-prompt'), 'prompt-thanks');
      await page.screenshot({ path: path.join(SHOTS, 'portal-page.png') });

      await page.reload();
      await page.locator('csat-prompt[state="done"]').waitFor({ state: 'attached' });
      await check();
    });

    it('a second tab that submits late shows the first rating, unchanged (the silent no-op)', async () => {
      const t = await ticket();
      const first = await portal(t.id);
      const late = await portal(t.id, await first.context().newPage());
      expect(await late.locator('csat-prompt').getAttribute('state')).toBe('prompt');

      await stars(first).nth(4).click();
      await textarea(first).fill('First tab: excellent');
      await submit(first).click();
      await first.locator('csat-prompt[state="done"]').waitFor({ state: 'attached' });

      await stars(late).nth(0).click();
      await textarea(late).fill('Second tab: changed my mind');
      await submit(late).click();
      await late.locator('csat-prompt[state="done"]').waitFor({ state: 'attached' });
      expect(await litStars(late).count()).toBe(5);
      expect(await late.locator('csat-prompt [part="comment-text"]').textContent()).toBe('First tab: excellent');
      const stored = await storedRatings(pool, t.id);
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ rating: 5, comment: 'First tab: excellent' });
    });

    it('keyboard only: Tab to the stars, arrows move (with a visible focus ring), Enter or Space selects, Tab to the comment and Submit', async () => {
      const t = await ticket();
      const page = await portal(t.id);
      const active = () => page.evaluate(() => {
        let e = (globalThis as Any).document.activeElement;
        while (e?.shadowRoot?.activeElement) e = e.shadowRoot.activeElement;
        return e ? `${e.tagName.toLowerCase()}${e.dataset?.star ? `#${e.dataset.star}` : ''}` : null;
      });
      for (let i = 0; i < 6 && (await active()) !== 'span#1'; i++) await page.keyboard.press('Tab');
      expect(await active()).toBe('span#1');
      const ring = await stars(page).nth(0).evaluate((e: Any) => ({ style: getComputedStyle(e).outlineStyle, width: getComputedStyle(e).outlineWidth }));
      expect(ring).toEqual({ style: 'solid', width: '3px' });

      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      expect(await active()).toBe('span#3');
      expect(await litStars(page).count()).toBe(3);
      expect(await stars(page).evaluateAll((els) => els.filter((e: Any) => e.getAttribute('aria-checked') === 'true').length)).toBe(0);
      await shot(page.locator('csat-prompt'), 'prompt-keyboard');
      await page.keyboard.press('Enter');
      expect(await stars(page).nth(2).getAttribute('aria-checked')).toBe('true');
      await page.keyboard.press('End');
      expect(await active()).toBe('span#5');
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press(' ');
      expect(await stars(page).nth(3).getAttribute('aria-checked')).toBe('true');
      // Roving tabindex: one tab stop for the group, on the chosen star.
      expect(await stars(page).evaluateAll((els) => els.map((e: Any) => e.tabIndex))).toEqual([-1, -1, -1, 0, -1]);

      await page.keyboard.press('Tab');
      expect(await active()).toBe('textarea');
      await page.keyboard.type('Typed with the keyboard');
      await page.keyboard.press('Tab');
      expect(await active()).toBe('button');
      await page.keyboard.press('Enter');
      await page.locator('csat-prompt[state="done"]').waitFor({ state: 'attached' });
      expect(await storedRatings(pool, t.id)).toMatchObject([{ rating: 4, comment: 'Typed with the keyboard' }]);
      // Focus lands on the "Thanks" heading, so a screen reader announces it.
      expect(await active()).toBe('h2');
    });

    it('no nag: nothing is shown when the ticket cannot be rated and has no rating; a rating stays visible after a reopen', async () => {
      for (const t of [await ticket('open'), await ticket('pending'), await ticket('resolved', otherCustomer)]) {
        const page = await portal(t.id);
        expect(await page.locator('csat-prompt').getAttribute('state')).toBe('hidden');
        expect(await page.locator('csat-prompt').evaluate((e: Any) => e.getBoundingClientRect().height)).toBe(0);
        expect(await heading(page).count()).toBe(0);
        await page.close();
      }
      const reopened = await ticket('closed');
      await insertRating(reopened.id, 3, 'ok');
      await setStatus(pool, reopened.id, 'open');
      const page = await portal(reopened.id);
      expect(await page.locator('csat-prompt').getAttribute('state')).toBe('done');
      expect(await litStars(page).count()).toBe(3);
    });

    it('TICKET_NOT_RESOLVED is shown in place and can be retried', async () => {
      const t = await ticket();
      const page = await portal(t.id);
      await setStatus(pool, t.id, 'open'); // reopened while the customer had the page open
      await stars(page).nth(3).click();
      await submit(page).click();
      await expect.poll(() => errorBox(page).getAttribute('data-code')).toBe('TICKET_NOT_RESOLVED');
      expect(await errorBox(page).locator('span').textContent()).toBe('This ticket is not resolved yet, so it cannot be rated now.');
      expect(await errorBox(page).getAttribute('role')).toBe('alert');
      expect(await axe(page, 'csat-prompt')).toEqual([]);
      await shot(page.locator('csat-prompt'), 'prompt-error-not-resolved');
      await setStatus(pool, t.id, 'resolved');
      await page.locator('csat-prompt [part="retry"]').click();
      await page.locator('csat-prompt[state="done"]').waitFor({ state: 'attached' });
      expect(await storedRatings(pool, t.id)).toMatchObject([{ rating: 4 }]);
    });

    it('a network failure is shown in place, on submit and on load, and a retry recovers', async () => {
      const t = await ticket();
      const page = await portal(t.id);
      let down = true;
      await page.route(
        (url) => url.href.startsWith(sg.gatewayUrl),
        (route) => (down && route.request().method() === 'POST' ? route.abort('connectionrefused') : route.continue()),
      );
      await stars(page).nth(2).click();
      await submit(page).click();
      await expect.poll(() => errorBox(page).getAttribute('data-code')).toBe('NETWORK');
      expect(await errorBox(page).locator('span').textContent()).toBe('We could not reach the server. Check your connection and try again.');
      expect(await litStars(page).count()).toBe(3); // the choice is kept for the retry
      await shot(page.locator('csat-prompt'), 'prompt-error-network');
      down = false;
      await page.locator('csat-prompt [part="retry"]').click();
      await page.locator('csat-prompt[state="done"]').waitFor({ state: 'attached' });
      expect(await storedRatings(pool, t.id)).toMatchObject([{ rating: 3 }]);

      const t2 = await ticket();
      down = true;
      await page.goto(`${demoUrl}portal?ticket=${t2.id}`);
      await page.locator('csat-prompt[state="error"]').waitFor({ state: 'attached' });
      expect(await errorBox(page).getAttribute('data-code')).toBe('NETWORK');
      down = false;
      await page.locator('csat-prompt [part="retry"]').click();
      await page.locator('csat-prompt[state="prompt"]').waitFor({ state: 'attached' });
    });

    it('CSAT_DISABLED (from the events issue) is shown in place, through a fetch hook that stubs the answer', async () => {
      const t = await ticket();
      const page = await portal(t.id);
      await page.evaluate(() => {
        const g = globalThis as Any;
        const prompt = g.document.querySelector('csat-prompt');
        prompt.fetch = async (input: string, init: Any) =>
          init.body.includes('rateTicket')
            ? new g.Response(JSON.stringify({ data: null, errors: [{ message: 'CSAT is turned off for this workspace', extensions: { code: 'CSAT_DISABLED' } }] }), { headers: { 'content-type': 'application/json' } })
            : g.fetch(input, init);
      });
      await page.locator('csat-prompt[state="prompt"]').waitFor({ state: 'attached' });
      await stars(page).nth(4).click();
      await submit(page).click();
      await expect.poll(() => errorBox(page).getAttribute('data-code')).toBe('CSAT_DISABLED');
      expect(await errorBox(page).locator('span').textContent()).toBe('Feedback is turned off for this workspace.');
      await shot(page.locator('csat-prompt'), 'prompt-error-disabled');
      expect(await storedRatings(pool, t.id)).toEqual([]);
    });

    it('a double click on Submit sends one mutation', async () => {
      const t = await ticket();
      const page = await portal(t.id);
      const mutations = countMutations(page);
      await stars(page).nth(4).click();
      await submit(page).dblclick();
      await page.locator('csat-prompt[state="done"]').waitFor({ state: 'attached' });
      // Two clicks in one task, before any render could disable the button.
      const t2 = await ticket();
      await portal(t2.id, page);
      await stars(page).nth(1).click();
      await page.evaluate(() => {
        const g = globalThis as Any;
        const button = g.document.querySelector('csat-prompt').shadowRoot.querySelector('button[part="submit"]');
        button.click();
        button.click();
        button.click();
      });
      await page.locator('csat-prompt[state="done"]').waitFor({ state: 'attached' });
      expect(mutations.n).toBe(2);
      expect(await storedRatings(pool, t.id)).toHaveLength(1);
      expect(await storedRatings(pool, t2.id)).toHaveLength(1);
    });

    it('never stores the token: no storage, no cookie, no attribute; the token is sent as a bearer header', async () => {
      const t = await ticket();
      const page = await portal(t.id);
      const auth: string[] = [];
      page.on('request', (r) => {
        if (r.method() === 'POST' && r.url().startsWith(sg.gatewayUrl)) auth.push(r.headers().authorization ?? '');
      });
      await stars(page).nth(4).click();
      await submit(page).click();
      await page.locator('csat-prompt[state="done"]').waitFor({ state: 'attached' });
      // A string: vitest would rewrite an import() written in the test's own code.
      const token = (await page.evaluate('import("/demo-config.js").then((m) => m.default.tokens.customer)')) as string;
      expect(auth).toEqual([`Bearer ${token}`]);
      const traces = await page.evaluate(async (tok: string) => {
        const g = globalThis as Any;
        const prompt = g.document.querySelector('csat-prompt');
        return {
          local: g.localStorage.length,
          session: g.sessionStorage.length,
          cookie: g.document.cookie,
          databases: (await g.indexedDB.databases()).length,
          inMarkup: prompt.outerHTML.includes(tok) || prompt.shadowRoot.innerHTML.includes(tok),
          attributes: [...prompt.attributes].map((a: Any) => a.name).sort(),
        };
      }, token);
      expect(traces).toEqual({ local: 0, session: 0, cookie: '', databases: 0, inMarkup: false, attributes: ['id', 'state', 'ticket-id'] });
    });

    it('every string can be replaced (strings attribute or property); lang drives the number formatting and the default texts', async () => {
      const t = await ticket();
      const page = await portal(t.id, undefined, '&lang=de');
      await page.evaluate(() => {
        const prompt = (globalThis as Any).document.querySelector('csat-prompt');
        prompt.setAttribute('strings', JSON.stringify({ heading: 'Wie waren wir?', star: '{rating} von {max} Sternen', counter: '{count} von {max}', submit: 'Senden' }));
      });
      await expect.poll(() => heading(page).textContent()).toBe('Wie waren wir?');
      expect(await stars(page).nth(2).getAttribute('aria-label')).toBe('3 von 5 Sternen');
      await stars(page).nth(2).click();
      await textarea(page).fill('x'.repeat(1234));
      expect(await counter(page).textContent()).toBe('1.234 von 2.000');
      expect((await submit(page).textContent())?.trim()).toBe('Senden');
      await page.evaluate(() => {
        (globalThis as Any).document.querySelector('csat-prompt').strings = { submit: 'Abschicken' };
      });
      await expect.poll(async () => (await submit(page).textContent())?.trim()).toBe('Abschicken');
      // Keys not replaced come from the catalogue of the element's lang (web/src/catalogue.ts): German here.
      expect(await heading(page).textContent()).toBe('Wie war unser Service?');
      expect(await stars(page).nth(2).getAttribute('aria-label')).toBe('3 von 5 Sternen');
    });

    it("a host's own query replaces csatTicket (here the helpdesk's ticket(id) through the gateway)", async () => {
      const t = await ticket();
      const page = await newPage();
      await page.goto(`${demoUrl}portal?ticket=${randomUUID()}`);
      await page.evaluate((id: string) => {
        const prompt = (globalThis as Any).document.querySelector('csat-prompt');
        prompt.query = 'query Mine($id: ID!) { ticket(id: $id) { id csatRating csatComment csatRatedAt csatCanRate } }';
        prompt.ticketId = id;
      }, t.id);
      await page.locator('csat-prompt[state="prompt"]').waitFor({ state: 'attached' });
    });

    it('another ticket-id reloads, with nothing chosen or typed for the new ticket', async () => {
      const [a, b] = [await ticket(), await ticket()];
      const page = await portal(a.id);
      await stars(page).nth(3).click();
      await textarea(page).fill('for ticket a');
      await page.evaluate((id: string) => {
        (globalThis as Any).document.querySelector('csat-prompt').ticketId = id;
      }, b.id);
      await page.locator(`csat-prompt[ticket-id="${b.id}"][state="prompt"]`).waitFor({ state: 'attached' });
      expect(await litStars(page).count()).toBe(0);
      expect(await textarea(page).count()).toBe(0);
      await stars(page).nth(0).click();
      expect(await textarea(page).inputValue()).toBe('');
    });

    it('prefers-reduced-motion: no transitions', async () => {
      const t = await ticket();
      const duration = (page: Page) => stars(page).nth(0).evaluate((e: Any) => getComputedStyle(e).transitionDuration);
      const moving = await portal(t.id);
      expect(await duration(moving)).not.toBe('0s');
      const still = await portal(t.id, await newPage({ reducedMotion: 'reduce' }));
      expect(await duration(still)).toBe('0s');
    });
  });

  describe('<csat-card>', () => {
    it('the amber "Customer feedback" card: stars, the comment, "rated 3 hours ago" with the exact time in a tooltip', async () => {
      const t = await ticket('closed');
      await insertRating(t.id, 4, 'Quick and friendly, thank you!', '3 hours');
      const [stored] = await storedRatings(pool, t.id);
      const page = await agentTicket(t.id);
      const card = page.locator('csat-card');
      expect(await card.getAttribute('state')).toBe('rated');
      expect(await card.locator('h3').textContent()).toBe('Customer feedback');
      expect(await litStars(page, 'csat-card').count()).toBe(4);
      expect(await card.locator('[part="stars"]').getAttribute('aria-label')).toBe('4 out of 5 stars');
      expect(await card.locator('[part="comment"]').textContent()).toBe('Quick and friendly, thank you!');
      const time = card.locator('time');
      expect(await time.textContent()).toBe('rated 3 hours ago');
      expect(await time.getAttribute('datetime')).toBe(stored!.rated_at.toISOString());
      const exact = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(stored!.rated_at);
      const tooltip = card.locator('[role="tooltip"]');
      expect(await tooltip.textContent()).toBe(exact);
      expect(await tooltip.isVisible()).toBe(false);
      await time.hover();
      await expect.poll(() => tooltip.isVisible()).toBe(true);
      expect(await axe(page, 'csat-card')).toEqual([]);
      await shot(card, 'card-tooltip');
      await page.mouse.move(0, 0);
      await expect.poll(() => tooltip.isVisible()).toBe(false);
      // Keyboard: the time is focusable and its tooltip shows on focus.
      await time.focus();
      await expect.poll(() => tooltip.isVisible()).toBe(true);
      await page.keyboard.press('Escape');
      await expect.poll(() => tooltip.isVisible()).toBe(false);
      await time.blur();
      await expect.poll(() => tooltip.isVisible()).toBe(false);
      await shot(card, 'card');
      await page.screenshot({ path: path.join(SHOTS, 'agent-ticket-page.png') });

      await page.evaluate(() => {
        const c = (globalThis as Any).document.querySelector('csat-card');
        c.strings = { rated: 'bewertet {time}', heading: 'Kundenfeedback' };
        c.lang = 'de';
      });
      await expect.poll(() => time.textContent()).toBe('bewertet vor 3 Stunden');
      expect(await card.locator('h3').textContent()).toBe('Kundenfeedback');
    });

    it('relative times in other units, and nothing for a ticket without a rating', async () => {
      for (const [ago, text] of [['40 minutes', 'rated 40 minutes ago'], ['1 day 2 hours', 'rated yesterday'], ['5 days', 'rated 5 days ago']] as const) {
        const t = await ticket('closed');
        await insertRating(t.id, 5, null, ago);
        const page = await agentTicket(t.id);
        expect(await page.locator('csat-card time').textContent()).toBe(text);
        expect(await page.locator('csat-card [part="comment"]').count()).toBe(0);
        await page.close();
      }
      const unrated = await ticket('resolved');
      const page = await agentTicket(unrated.id);
      expect(await page.locator('csat-card').getAttribute('state')).toBe('empty');
      expect(await page.locator('csat-card').evaluate((e: Any) => e.getBoundingClientRect().height)).toBe(0);
    });

    it('a network failure is shown in place and can be retried', async () => {
      const t = await ticket('closed');
      await insertRating(t.id, 2, 'Slow, but solved.');
      const page = await newPage();
      let down = true;
      await page.route(
        (url) => url.href.startsWith(sg.gatewayUrl),
        (route) => (down && (route.request().postData() ?? '').includes('csatTicket') ? route.abort('connectionrefused') : route.continue()),
      );
      await agentTicket(t.id, page);
      expect(await page.locator('csat-card').getAttribute('state')).toBe('error');
      expect(await errorBox(page, 'csat-card').getAttribute('data-code')).toBe('NETWORK');
      expect(await axe(page, 'csat-card')).toEqual([]);
      await shot(page.locator('csat-card'), 'card-error-network');
      down = false;
      await page.locator('csat-card [part="retry"]').click();
      await page.locator('csat-card[state="rated"]').waitFor({ state: 'attached' });
      expect(await litStars(page, 'csat-card').count()).toBe(2);
    });
  });

  describe('<csat-chip> in the agent inbox', () => {
    it('a 50-row inbox renders 50 chips from its one page query: one CSAT _entities call, one SQL statement', async () => {
      // The first 50 of the workspace by creation time: older than every other ticket of this file.
      const { rows } = await pool.query<{ id: string }>(
        `insert into ticket (workspace_id, ref, subject, status, priority, requester_id, created_at)
         select $1, 'IN-' || g, 'Inbox ticket ' || g, case when g % 3 = 0 then 'open' else 'closed' end,
                (array['low','normal','high','urgent'])[1 + g % 4], $2, timestamptz '2020-01-01' + make_interval(mins => g)
           from generate_series(1, 50) g returning id`,
        [ws, customer],
      );
      await pool.query(
        `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_by)
         select workspace_id, id, 1 + (substr(ref, 4)::int % 5), null, requester_id from ticket
          where workspace_id = $1 and ref like 'IN-%' and status = 'closed' and substr(ref, 4)::int % 4 <> 1`,
        [ws],
      );
      const ratings = new Map((await pool.query<{ id: string; rating: number }>('select ticket_id as id, rating from csat_rating where workspace_id = $1', [ws])).rows.map((r) => [r.id, r.rating]));

      const page = await newPage({ viewport: { width: 1000, height: 1200 } });
      const gatewayRequests: string[] = [];
      page.on('request', (r) => {
        if (r.method() === 'POST' && r.url().startsWith(sg.gatewayUrl)) gatewayRequests.push(r.postData() ?? '');
      });
      const statementsBefore = sg.csat.db.statements.total;
      await page.goto(`${demoUrl}agent`);
      await page.locator('body[data-inbox="ready"]').waitFor({ state: 'attached' });
      expect(await page.locator('#rows tr').count()).toBe(50);
      expect(await page.locator('#rows csat-chip').count()).toBe(50);
      expect(sg.csat.db.statements.total - statementsBefore).toBe(1);
      expect(gatewayRequests).toHaveLength(1);
      expect(gatewayRequests[0]).toContain('csatRating');

      const shown = await page.locator('#rows tr').evaluateAll((trs) =>
        trs.map((tr: Any) => {
          const chip = tr.querySelector('csat-chip');
          const visible = chip.shadowRoot.querySelector('[part="chip"]');
          return { id: tr.dataset.id, text: visible?.textContent ?? null, label: visible?.getAttribute('aria-label') ?? null };
        }),
      );
      expect(shown.map((s) => s.id)).toEqual(rows.map((r) => r.id));
      for (const s of shown) {
        const rating = ratings.get(s.id);
        expect(s).toEqual({ id: s.id, text: rating === undefined ? null : String(rating), label: rating === undefined ? null : `Customer rating: ${rating} / 5` });
      }
      const visibleChips = shown.filter((s) => s.text !== null).length;
      expect(visibleChips).toBe(rows.filter((r) => ratings.has(r.id)).length);
      expect(visibleChips).toBeGreaterThan(15);
      expect(await axe(page, '#rows')).toEqual([]);
      await page.screenshot({ path: path.join(SHOTS, 'agent-inbox.png'), clip: { x: 0, y: 0, width: 1000, height: 560 } });
    });

    it('"★ 5" with the tooltip "Customer rating: 5 / 5", on hover and on keyboard focus (Escape hides it); nothing for no rating', async () => {
      const page = await newPage();
      await page.goto(`${demoUrl}`);
      await page.addScriptTag({ url: '/csat-components.js', type: 'module' });
      await page.evaluate(() => {
        const g = globalThis as Any;
        const box = g.document.createElement('p');
        box.id = 'chips';
        box.style.cssText = 'padding: 48px 24px; background: #fff; display: flex; gap: 12px; width: 380px';
        box.innerHTML = '<button id="before">before</button><csat-chip rating="5"></csat-chip><csat-chip rating="3"></csat-chip><csat-chip></csat-chip><csat-chip rating="7"></csat-chip>';
        g.document.querySelector('main').prepend(box);
      });
      await page.waitForFunction(() => (globalThis as Any).customElements.get('csat-chip'));
      const five = page.locator('csat-chip[rating="5"]');
      const chip = five.locator('[part="chip"]');
      await chip.waitFor();
      expect((await chip.textContent())?.trim()).toBe('5');
      expect(await chip.getAttribute('aria-label')).toBe('Customer rating: 5 / 5');
      expect(await five.locator('.star.lit').count()).toBe(1);
      expect(await page.locator('csat-chip:not([rating]) [part="chip"], csat-chip[rating="7"] [part="chip"]').count()).toBe(0);
      const bg = await chip.evaluate((e: Any) => getComputedStyle(e).backgroundColor);
      expect(bg).toBe('rgb(255, 251, 235)');
      const tooltip = five.locator('[part="tooltip"]');
      expect(await tooltip.textContent()).toBe('Customer rating: 5 / 5');
      expect(await tooltip.isVisible()).toBe(false);
      await chip.hover();
      await expect.poll(() => tooltip.isVisible()).toBe(true);
      expect(await axe(page, '#chips')).toEqual([]);
      await shot(page.locator('#chips'), 'chip-tooltip', 0);
      await page.mouse.move(0, 0);
      await expect.poll(() => tooltip.isVisible()).toBe(false);
      await shot(page.locator('#chips'), 'chip', 0);

      await page.locator('#before').focus();
      await page.keyboard.press('Tab');
      await expect.poll(() => tooltip.isVisible()).toBe(true);
      await page.keyboard.press('Escape');
      await expect.poll(() => tooltip.isVisible()).toBe(false);
      await page.keyboard.press('Tab');
      await expect.poll(() => page.locator('csat-chip[rating="3"] [part="tooltip"]').isVisible()).toBe(true);
    });
  });
});

// <csat-insights> in real Chromium (Debian's, through playwright-core) on the demo "Reports" page of a local
// supergraph (real gateway, both subgraphs, PostgreSQL): every state, one request per change of period or agent,
// the tooltip by keyboard, axe-core, the first render after the data (Performance API, printed), and every
// component's rendered text in German, French and Spanish with nothing left in English. Screenshots go to
// .data/screenshots/ (CSAT_SCREENSHOTS=docs: docs/screenshots/). Without Chromium: skipped, unless
// CSAT_BROWSER_TESTS=required.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type pg from 'pg';
import { pino } from 'pino';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSupergraph, type Supergraph } from '../dev/supergraph.js';
import { supergraphConfig } from './helpers/test.supergraph.js';
import { ratingStatistics, type Distribution } from '../src/insights/statistics.js';
import { createTicket, testPool } from './helpers/fixtures.js';

const CHROMIUM = process.env.CSAT_CHROMIUM ?? '/usr/bin/chromium';
const REQUIRED = process.env.CSAT_BROWSER_TESTS === 'required';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM && REQUIRED) throw new Error(`CSAT_BROWSER_TESTS=required but there is no Chromium at ${CHROMIUM} (apt-get install chromium, or set CSAT_CHROMIUM)`);
if (!HAVE_CHROMIUM) console.log(`dashboard browser tests skipped: no Chromium at ${CHROMIUM}; to run them: apt-get install chromium (or set CSAT_CHROMIUM=/path/to/chromium)`);

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SHOTS = process.env.CSAT_SCREENSHOTS === 'docs' ? 'docs/screenshots' : '.data/screenshots';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const DAY = 86_400_000;

type Any = any;

const ws = randomUUID();
const customer = randomUUID();
const agent = randomUUID();
// Good, bad and new: names the page is given, so the texts compared across languages exclude them as data.
const [good, bad, fresh] = [randomUUID(), randomUUID(), randomUUID()];
const NAMES = { [good]: 'Gwen Good', [bad]: 'Bart Bad', [fresh]: 'Nina New' };
// Happy comments in words of their own, so the themes (1-2 against 4-5 stars) have two groups to compare.
const HAPPY = 'Quick answer, the agent fixed it the same day and explained every step clearly.';
const LONG_COMPLAINT = 'Nobody read what I wrote. Three replies, three different answers, and the problem is still there after two weeks of waiting.';

interface Row {
  ticket: string;
  rating: number;
  comment: string | null;
  at: number;
  assignee: string | null;
}
const rows: Row[] = [];

let sg: Supergraph;
let pool: pg.Pool;
let browser: Browser;
let reportsUrl: string;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

describe.skipIf(!HAVE_CHROMIUM)('<csat-insights> in Chromium', () => {
  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    const config = supergraphConfig(inject('databaseUrl'));
    sg = await startSupergraph({ config, logger: pino({ level: 'warn' }), ports: { gateway: 0, csat: 0, tickets: 0, demo: 0 }, seed: false, demoIdentities: { workspace: ws, customer, agent } });
    reportsUrl = sg.demo!.reportsUrl;
    pool = testPool();
    // 120 days: the good agent mostly 5s, the bad one mostly 2-3s, the new one three ratings, some unassigned.
    const now = Date.now();
    let k = 0;
    const add = (assignee: string | null, n: number, stars: number[], days: number) => {
      for (let i = 0; i < n; i++, k++) {
        const rating = stars[k % stars.length]!;
        const comment = rating <= 2 ? (k % 3 === 0 ? LONG_COMPLAINT.slice(0, 40 + (k % 60)) : 'Slow.') : k % 4 === 0 ? 'Thanks!' : k % 4 === 2 ? HAPPY : null;
        rows.push({ ticket: randomUUID(), rating, comment, at: now - ((k * 7919) % (days * 24)) * 3_600_000 - 60_000, assignee });
      }
    };
    add(good, 150, [5, 5, 5, 4, 5, 4, 5, 3], 120);
    add(bad, 140, [2, 3, 2, 1, 3, 4, 2], 120);
    // The last two weeks busier, so the week views have a rating on most days.
    add(good, 50, [5, 4, 5, 5, 3, 5], 14);
    add(bad, 45, [2, 3, 4, 1, 3, 2], 14);
    add(fresh, 3, [5], 5);
    add(null, 20, [4, 3, 5], 120);
    rows.push({ ticket: randomUUID(), rating: 1, comment: LONG_COMPLAINT, at: now - 2 * DAY, assignee: bad });
    const col = <K extends keyof Row>(key: K) => rows.map((r) => r[key]);
    await pool.query(
      `insert into ticket (id, workspace_id, ref, subject, status, requester_id, assignee_id) select id, $2, 'R-' || left(id::text, 6), 'report ticket', 'closed', $3, a from unnest($1::uuid[], $4::uuid[]) as x(id, a)`,
      [col('ticket'), ws, customer, col('assignee')],
    );
    await pool.query(
      `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_at, rated_by, assignee_id)
       select $1, id, rating, comment, to_timestamp(at / 1000.0), $6, a from unnest($2::uuid[], $3::smallint[], $4::text[], $5::float8[], $7::uuid[]) as x(id, rating, comment, at, a)`,
      [ws, col('ticket'), col('rating'), col('comment'), col('at'), customer, col('assignee')],
    );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    await mkdir(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await sg?.stop();
    await pool?.end();
    expect(pageErrors).toEqual([]);
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 1300 }, locale: 'en-US', timezoneId: 'UTC', colorScheme: 'light' });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
    return page;
  }

  /** GraphQL requests the page sends to the gateway, with their variables. */
  function requests(page: Page): Any[] {
    const seen: Any[] = [];
    page.on('request', (r) => {
      // The follow-up queue (<csat-follow-ups>, test/web.followups.browser.test.ts) asks on its own, once, whatever the period.
      if (r.method() === 'POST' && r.url().startsWith(sg.gatewayUrl) && !/CsatFollowUps|CsatSetFollowUp/.test(r.postData() ?? '')) seen.push(JSON.parse(r.postData() ?? '{}'));
    });
    return seen;
  }

  async function reports(page: Page, query = '', state = 'ready'): Promise<Locator> {
    await page.goto(`${reportsUrl}${query}`);
    await page.evaluate((names: Record<string, string>) => {
      (globalThis as Any).document.querySelector('csat-insights').agentNames = names;
    }, NAMES);
    const el = page.locator(`csat-insights[state="${state}"]`);
    await el.waitFor({ state: 'attached' });
    return el;
  }

  async function axe(page: Page, selector = 'csat-insights'): Promise<string[]> {
    if (!(await page.evaluate(() => Boolean((globalThis as Any).axe)))) await page.addScriptTag({ path: AXE });
    return page.evaluate(async (sel: string) => {
      const g = globalThis as Any;
      const result = await g.axe.run(g.document.querySelector(sel), { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
      return result.violations.map((v: Any) => `${v.id}: ${v.nodes.map((n: Any) => JSON.stringify(n.target)).join(', ')}`);
    }, selector);
  }

  async function shot(target: Locator, name: string) {
    await target.screenshot({ path: path.join(SHOTS, `${name}.png`), animations: 'disabled', caret: 'hide' });
  }

  /** The last 30 days as the component counts them: UTC midnights (the browser's zone here), today included. */
  const last = (days: number) => {
    const to = (Math.floor(Date.now() / DAY) + 1) * DAY;
    return { from: to - days * DAY, to };
  };
  const inRange = (r: Row, { from, to }: { from: number; to: number }, assignee?: string) => r.at >= from && r.at < to && (assignee === undefined || r.assignee === assignee);
  const stats = (matching: Row[]) => ratingStatistics([1, 2, 3, 4, 5].map((s) => matching.filter((r) => r.rating === s).length) as unknown as Distribution, 0);
  const pct = (v: number) => new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 0 }).format(v);

  it('ready: tiles, distribution, trend with a point per day and its table, ranking, unhappy list with ticket links; axe; first render measured', async () => {
    const page = await newPage();
    const sent = requests(page);
    const el = await reports(page);
    expect(sent).toHaveLength(1);
    const range = last(30);
    const expected = stats(rows.filter((r) => inRange(r, range)));
    const tiles = el.locator('[part="tile"] .value');
    expect(await tiles.allTextContents()).toEqual([pct(expected.satisfiedShare!), expected.average!.toFixed(2), expect.any(String), String(expected.count)]);
    expect(await el.locator('[part="tile"] .sub').first().textContent()).toBe(`95 % interval ${pct(expected.satisfiedInterval!.low)}–${pct(expected.satisfiedInterval!.high)}`);
    // The distribution, 5 stars first.
    const bars = await el.locator('[part="bar"]').evaluateAll((els) => els.map((e: Any) => e.getAttribute('aria-label')));
    expect(bars).toEqual(expected.distribution.toReversed().map((b) => `${b.rating} stars: ${b.count} (${pct(b.share!)})`));
    // The trend: 30 days, 30 points, 30 rows in the hidden table.
    expect(await el.locator('circle.point').count()).toBe(30);
    expect(await el.locator('table tbody tr').count()).toBe(30);
    const table = el.locator('[part="table"]');
    expect(await table.evaluate((t: Any) => t.getBoundingClientRect().width)).toBeLessThanOrEqual(1);
    // The ranking: the good agent first, the bad one after, the new one not ranked.
    const ranking = await el.locator('[part="agent"]').evaluateAll((els) => els.map((e: Any) => e.textContent.replace(/\s+/g, ' ').trim()));
    expect(ranking[0]).toMatch(/^No\. 1 Gwen Good/);
    expect(ranking.findIndex((t) => t.includes('Bart Bad'))).toBeGreaterThan(0);
    expect(ranking.find((t) => t.includes('Nina New'))).toMatch(/not enough ratings yet \(3 of 10\)$/);
    expect(ranking.find((t) => t.includes('Nina New'))).not.toMatch(/No\./);
    // Unhappy and vocal: the longest 1-star comment first, linked through ticket-href.
    const first = rows.filter((r) => inRange(r, range) && r.rating === 1 && r.comment).sort((a, b) => b.comment!.length - a.comment!.length)[0]!;
    expect(await el.locator('.unhappy li').first().locator('[part="comment"]').textContent()).toBe(first.comment);
    expect(await el.locator('.unhappy li').first().locator('a').getAttribute('href')).toBe(`/agent?ticket=${first.ticket}`);
    expect(await axe(page)).toEqual([]);
    await shot(el, 'insights');
    await page.screenshot({ path: path.join(SHOTS, 'reports-page.png'), fullPage: true });
    const render = await page.evaluate(() => (globalThis as Any).performance.getEntriesByName('csat-insights-render').map((e: Any) => e.duration));
    expect(render.length).toBeGreaterThan(0);
    console.log(`<csat-insights> first render after its data arrived (performance.measure, Chromium): ${render[0].toFixed(1)} ms`);
  });

  it('changing the period refetches once (weeks past 60 days), picking an agent refetches once, and clearing it once more', async () => {
    const page = await newPage();
    const el = await reports(page);
    const sent = requests(page);
    const changes: Any[] = [];
    await page.exposeFunction('onChange', (d: Any) => changes.push(d));
    await page.evaluate(() => (globalThis as Any).document.querySelector('csat-insights').addEventListener('csat-change', (e: Any) => (globalThis as Any).onChange(e.detail)));
    await el.locator('select#period').selectOption('last90');
    await page.locator('csat-insights[period="last90"][state="ready"]').waitFor({ state: 'attached' });
    expect(sent).toHaveLength(1);
    expect(sent[0].variables).toMatchObject({ interval: 'WEEK', timeZone: 'UTC', filter: { ratedFrom: new Date(last(90).from).toISOString(), ratedTo: new Date(last(90).to).toISOString() } });
    expect(await el.locator('[part="tile"] .value').nth(3).textContent()).toBe(String(rows.filter((r) => inRange(r, last(90))).length));
    expect(await el.locator('circle.point').count()).toBeGreaterThanOrEqual(13);

    await el.locator('[part="agent-button"]', { hasText: 'Bart Bad' }).click();
    await page.locator(`csat-insights[assignee-ids="${bad}"][state="ready"]`).waitFor({ state: 'attached' });
    expect(sent).toHaveLength(2);
    expect(sent[1].variables.filter.assigneeIds).toEqual([bad]);
    // The ranking still lists every agent (the period only), the picked one marked.
    expect(sent[1].variables.period.assigneeIds).toBeUndefined();
    expect(await el.locator('[part="agent"][aria-current="true"]').textContent()).toContain('Bart Bad');
    expect(await el.locator('[part="agent-filter"]').textContent()).toContain('Only Bart Bad');
    expect(await el.locator('[part="tile"] .value').nth(3).textContent()).toBe(String(rows.filter((r) => inRange(r, last(90), bad)).length));
    await shot(el, 'insights-agent');
    await el.locator('[part="clear-agent"]').click();
    await expect.poll(() => sent.length).toBe(3);
    await page.locator('csat-insights:not([assignee-ids])[state="ready"]').waitFor({ state: 'attached' });
    expect(changes.map((c) => [c.period, c.assigneeIds])).toEqual([['last90', []], ['last90', [bad]], ['last90', []]]);
    expect(changes[0]).toMatchObject({ ratedFrom: new Date(last(90).from).toISOString(), ratedTo: new Date(last(90).to).toISOString() });

    // A custom range asks nothing until applied, then once.
    await el.locator('select#period').selectOption('custom');
    await el.locator('#from').fill(new Date(Date.now() - 9 * DAY).toISOString().slice(0, 10));
    await el.locator('[part="apply"]').click();
    await expect.poll(() => sent.length).toBe(4);
    await page.locator('csat-insights[state="ready"]').waitFor({ state: 'attached' });
    expect(await el.locator('circle.point').count()).toBe(10);
  });

  it('the tooltip of each point by keyboard: one tab stop, arrows move, Escape hides; the time-zone attribute is sent', async () => {
    const page = await newPage();
    const el = await reports(page, '?tz=Europe/Berlin&period=last7');
    const tip = el.locator('[part="tooltip"]');
    expect(await tip.count()).toBe(0);
    const active = () => page.evaluate(() => (globalThis as Any).document.querySelector('csat-insights').shadowRoot.activeElement?.getAttribute('data-i') ?? null);
    // One tab stop for the chart: the last point with ratings.
    const stop = Number(await el.locator('circle.point[tabindex="0"]').getAttribute('data-i'));
    expect(stop).toBeGreaterThan(0);
    await el.locator('select#period').focus();
    for (let i = 0; i < 8 && (await active()) === null; i++) await page.keyboard.press('Tab');
    expect(await active()).toBe(String(stop));
    await expect.poll(() => tip.isVisible()).toBe(true);
    const label = await el.locator(`circle.point[data-i="${stop}"]`).getAttribute('aria-label');
    expect(await tip.textContent()).toBe(label);
    expect(label).toMatch(/^[A-Z][a-z]{2} \d+, \d{4}: CSAT \d+% \(\d+%–\d+%\), average \d\.\d\d, \d+ ratings$/);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(active).toBe(String(stop - 1));
    expect(await tip.textContent()).toBe(await el.locator(`circle.point[data-i="${stop - 1}"]`).getAttribute('aria-label'));
    expect(await el.locator('circle.point[tabindex="0"]').count()).toBe(1);
    await shot(el.locator('[part="chart"]'), 'insights-tooltip');
    await page.keyboard.press('Escape');
    await expect.poll(() => tip.count()).toBe(0);
    await page.keyboard.press('Home');
    await expect.poll(active).toBe('0');
    await expect.poll(() => tip.isVisible()).toBe(true);
    expect(await axe(page)).toEqual([]);
  });

  it('loading, then empty: a period without ratings; axe in both', async () => {
    const page = await newPage();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route(
      (url) => url.href.startsWith(sg.gatewayUrl),
      async (route) => {
        await held;
        await route.continue();
      },
    );
    await page.goto(`${reportsUrl}?period=last7`);
    const el = page.locator('csat-insights[state="loading"]');
    await el.waitFor({ state: 'attached' });
    await expect.poll(() => el.locator('[part="loading"]').textContent()).toBe('Loading the ratings…');
    expect(await el.locator('[part="panel"]').getAttribute('aria-busy')).toBe('true');
    expect(await axe(page)).toEqual([]);
    await shot(el, 'insights-loading');
    release();
    await page.locator('csat-insights[state="ready"]').waitFor({ state: 'attached' });
    await page.unrouteAll();
    await page.evaluate(() => {
      const x = (globalThis as Any).document.querySelector('csat-insights');
      x.from = '2001-03-01';
      x.to = '2001-03-31';
      x.period = 'custom';
    });
    const empty = page.locator('csat-insights[state="empty"]');
    await empty.waitFor({ state: 'attached' });
    expect(await empty.locator('[part="empty"]').textContent()).toBe('No ratings in this period yet.');
    expect(await axe(page)).toEqual([]);
    await shot(empty, 'insights-empty');
  });

  it('error with a retry in place; forbidden for a customer, without a retry', async () => {
    const page = await newPage();
    let down = true;
    await page.route(
      (url) => url.href.startsWith(sg.gatewayUrl),
      (route) => (down ? route.abort('connectionrefused') : route.continue()),
    );
    const el = await reports(page, '', 'error');
    expect(await el.locator('[part="error"]').getAttribute('data-code')).toBe('NETWORK');
    expect(await el.locator('[part="error"] span').textContent()).toBe('We could not reach the server. Check your connection and try again.');
    expect(await axe(page)).toEqual([]);
    await shot(el, 'insights-error');
    down = false;
    await el.locator('[part="retry"]').click();
    await page.locator('csat-insights[state="ready"]').waitFor({ state: 'attached' });

    const other = await newPage();
    const forbidden = await reports(other, '?as=customer', 'forbidden');
    expect(await forbidden.locator('[part="forbidden"]').textContent()).toBe('Satisfaction reports are for agents and admins.');
    expect(await forbidden.locator('[part="retry"], select').count()).toBe(0);
    expect(await axe(other)).toEqual([]);
    await shot(forbidden, 'insights-forbidden');
  });

  it('themes: each term with its z-score as a bar, counts and examples linked through ticket-href, as the API answered; by keyboard; empty; axe', async () => {
    const page = await newPage();
    // The dashboard's request (the follow-up queue on the same page sends its own, in either order).
    const answer = page.waitForResponse((r) => r.url().startsWith(sg.gatewayUrl) && r.request().method() === 'POST' && (r.request().postData() ?? '').includes('csatCommentThemes'));
    const el = await reports(page);
    const themes: Any[] = (await (await answer).json()).data.themes;
    // The corpus's unhappy comments ("Slow.", the long complaint) against the happy "Thanks!": their words stand out.
    expect(themes.length).toBeGreaterThan(1);
    expect(themes.map((t) => t.term)).toContain('slow');
    const items = el.locator('[part="theme"]');
    expect(await items.count()).toBe(themes.length);
    const z = (v: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(v);
    for (const [i, t] of themes.entries()) {
      const item = items.nth(i);
      expect(await item.locator('[part="theme-term"]').textContent()).toBe(t.term);
      expect(await item.locator('[role="img"]').getAttribute('aria-label')).toBe(`z-score ${z(t.zScore)}`);
      const width = await item.locator('[part="theme-bar"]').evaluate((b: Any) => b.style.width);
      expect(width).toBe(`${Math.max(4, Math.round((t.zScore / themes[0].zScore) * 100))}%`);
      expect((await item.locator('.meta').textContent())!.replace(/\s+/g, ' ')).toContain(`${t.unhappyComments} unhappy · ${t.happyComments} happy comments`);
      const links = await item.locator('[part="theme-example"]').evaluateAll((as) => as.map((a: Any) => [a.getAttribute('href'), a.getAttribute('aria-label')]));
      expect(links).toEqual(t.exampleTicketIds.map((id: string, k: number) => [`/agent?ticket=${id}`, `Open example ${k + 1} for “${t.term}”`]));
    }
    // Every example is a 1-2 star rating of the period whose comment holds the word.
    const firstExample = themes[0].exampleTicketIds[0];
    const row = rows.find((r) => r.ticket === firstExample)!;
    expect(row.rating).toBeLessThanOrEqual(2);
    expect(await el.locator('[part="theme-bar"]').first().evaluate((b: Any) => b.style.width)).toBe('100%');
    // By keyboard: Tab reaches the first example link, Enter opens its ticket.
    const focused = () => page.evaluate(() => (globalThis as Any).document.querySelector('csat-insights').shadowRoot.activeElement?.getAttribute('part') ?? null);
    for (let i = 0; i < 80 && (await focused()) !== 'theme-example'; i++) await page.keyboard.press('Tab');
    expect(await focused()).toBe('theme-example');
    await shot(el.locator('[part="themes"]'), 'insights-themes');
    expect(await axe(page)).toEqual([]);
    await Promise.all([page.waitForURL(`**/agent?ticket=${firstExample}`), page.keyboard.press('Enter')]);
    // Empty: an agent whose comments are all happy has no theme.
    const empty = await reports(page, `?agent=${fresh}`);
    await page.locator('csat-insights[state="ready"] [part="themes-empty"]').waitFor();
    expect(await empty.locator('[part="themes-empty"]').textContent()).toBe('No word stands out in this period.');
    expect(await empty.locator('[part="theme"]').count()).toBe(0);
    expect(await axe(page)).toEqual([]);
  });

  describe('languages: no rendered text stays English', () => {
    /** Every text a user meets in an element's shadow tree: text nodes and the names, labels and placeholders. */
    const texts = (page: Page, selector: string) =>
      page.evaluate((sel: string) => {
        const out: string[] = [];
        const walk = (node: Any) => {
          if (node.nodeType === 3) {
            const t = node.textContent.replace(/\s+/g, ' ').trim();
            if (t) out.push(t);
            return;
          }
          if (node.nodeType === 1) {
            for (const a of ['aria-label', 'placeholder', 'title', 'alt']) if (node.getAttribute(a)) out.push(node.getAttribute(a).trim());
            // translate="no": data such as the themes' terms (lexemes of the comments), the same in every language.
            if (node.localName === 'style' || node.getAttribute('translate') === 'no') return;
          }
          for (const child of [...(node.shadowRoot?.childNodes ?? []), ...node.childNodes]) walk(child);
        };
        for (const el of (globalThis as Any).document.querySelectorAll(sel)) walk(el);
        return out;
      }, selector);
    // Data, not texts: comments, names; and words that are the same on purpose (web/src/catalogue.ts's test).
    const data = () => new Set([...rows.map((r) => r.comment?.replace(/\s+/g, ' ').trim()).filter(Boolean), ...Object.values(NAMES), 'Quick and friendly, thank you!', 'CSAT', 'Agents']);
    const wordy = (t: string) => /\p{L}/u.test(t) && !data().has(t);

    async function renderAll(lang: string): Promise<string[]> {
      const page = await newPage();
      const out: string[] = [];
      // The dashboard, ready; then in its error state.
      await reports(page, `?lang=${lang}`);
      out.push(...(await texts(page, 'csat-insights')));
      await page.route((url) => url.href.startsWith(sg.gatewayUrl), (route) => route.abort('connectionrefused'));
      await page.evaluate(() => (globalThis as Any).document.querySelector('csat-insights').reload());
      await page.locator('csat-insights[state="error"]').waitFor({ state: 'attached' });
      out.push(...(await texts(page, 'csat-insights')));
      await page.unrouteAll();
      // The prompt with a rating chosen, and after the rating; the card; the chip.
      const t = await createTicket(pool, { workspace: ws, requester: customer, status: 'resolved' });
      await page.goto(`${sg.demo!.url}portal?ticket=${t.id}&lang=${lang}`);
      await page.locator('csat-prompt[state="prompt"]').waitFor({ state: 'attached' });
      await page.locator('csat-prompt [role="radio"]').nth(3).click();
      out.push(...(await texts(page, 'csat-prompt')));
      await page.locator('csat-prompt textarea').fill('Quick and friendly, thank you!');
      await page.locator('csat-prompt button[part="submit"]').click();
      await page.locator('csat-prompt[state="done"]').waitFor({ state: 'attached' });
      out.push(...(await texts(page, 'csat-prompt')));
      await page.goto(`${sg.demo!.url}agent?ticket=${t.id}&lang=${lang}`);
      await page.locator('csat-card[state="rated"]').waitFor({ state: 'attached' });
      out.push(...(await texts(page, 'csat-card')));
      await page.evaluate((l: string) => {
        const chip = (globalThis as Any).document.createElement('csat-chip');
        chip.setAttribute('rating', '4');
        chip.lang = l;
        (globalThis as Any).document.body.append(chip);
      }, lang);
      await page.locator('csat-chip [part="chip"]').waitFor();
      out.push(...(await texts(page, 'csat-chip')));
      await page.close();
      return out.filter(wordy);
    }

    let english: Set<string>;
    beforeAll(async () => {
      english = new Set(await renderAll('en'));
    });

    it.each(['de', 'fr', 'es'])('%s: the dashboard (ready and error), the prompt (rating and done), the card and the chip', async (lang) => {
      expect(english.size).toBeGreaterThan(60);
      const shown = await renderAll(lang);
      expect(shown.length).toBeGreaterThan(60);
      expect(shown.filter((t) => english.has(t))).toEqual([]);
      // "rated vor 2 Monaten" no more: the card's line is the language's own.
      const card = shown.find((t) => /^(bewertet|noté|valorado) /.test(t));
      expect(card).toBeDefined();
    });
  });
});

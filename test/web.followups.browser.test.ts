// The follow-up queue of <csat-insights> (<csat-follow-ups>, issue 22 item 3) in real Chromium on the demo
// "Reports" page of a local supergraph (real gateway, both subgraphs, PostgreSQL): open and contacted follow-ups
// with owner and age, "Assign to me", "Mark done" with a note, by keyboard, what is stored, axe, screenshots
// (.data/screenshots/, or docs/screenshots/ with CSAT_SCREENSHOTS=docs). Without Chromium: skipped, unless
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
import { testPool } from './helpers/fixtures.js';

const CHROMIUM = process.env.CSAT_CHROMIUM ?? '/usr/bin/chromium';
const REQUIRED = process.env.CSAT_BROWSER_TESTS === 'required';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM && REQUIRED) throw new Error(`CSAT_BROWSER_TESTS=required but there is no Chromium at ${CHROMIUM} (apt-get install chromium, or set CSAT_CHROMIUM)`);
if (!HAVE_CHROMIUM) console.log(`follow-up queue browser tests skipped: no Chromium at ${CHROMIUM}`);

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SHOTS = process.env.CSAT_SCREENSHOTS === 'docs' ? 'docs/screenshots' : '.data/screenshots';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const HOUR = 3_600_000;

type Any = any;

const ws = randomUUID();
const customer = randomUUID();
const agent = randomUUID();
const colleague = randomUUID();
const NAMES = { [agent]: 'Ada Agent', [colleague]: 'Carl Colleague' };
// Oldest first, as the queue lists them: [ticket, stars, comment, hours ago].
const RATINGS: [string, number, string | null, number][] = [
  [randomUUID(), 1, 'Three days without an answer.', 75],
  [randomUUID(), 2, 'The fix broke the export.', 30],
  [randomUUID(), 1, null, 5],
  [randomUUID(), 5, 'Great!', 4], // no follow-up
];

let sg: Supergraph;
let pool: pg.Pool;
let browser: Browser;
let reportsUrl: string;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

describe.skipIf(!HAVE_CHROMIUM)('the follow-up queue on the dashboard, in Chromium', () => {
  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    const config = supergraphConfig(inject('databaseUrl'));
    sg = await startSupergraph({ config, logger: pino({ level: 'warn' }), ports: { gateway: 0, csat: 0, tickets: 0, demo: 0 }, seed: false, demoIdentities: { workspace: ws, customer, agent } });
    reportsUrl = sg.demo!.reportsUrl;
    pool = testPool();
    const now = Date.now();
    await pool.query(
      `insert into ticket (id, workspace_id, ref, subject, status, requester_id, assignee_id) select id, $2, 'F-' || left(id::text, 6), 'follow-up ticket', 'closed', $3, $4 from unnest($1::uuid[]) as x(id)`,
      [RATINGS.map((r) => r[0]), ws, customer, colleague],
    );
    // The ratings' trigger opens the follow-ups (1-2 stars, the default threshold).
    await pool.query(
      `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_at, rated_by, assignee_id)
       select $1, id, rating, comment, to_timestamp(at / 1000.0), $5, $6 from unnest($2::uuid[], $3::smallint[], $4::text[], $7::float8[]) as x(id, rating, comment, at)`,
      [ws, RATINGS.map((r) => r[0]), RATINGS.map((r) => r[1]), RATINGS.map((r) => r[2]), customer, colleague, RATINGS.map((r) => now - r[3] * HOUR)],
    );
    // The second is contacted already, by the colleague who owns it.
    await pool.query(`update csat_follow_up set state = 'CONTACTED', owner_id = $2, updated_by = $2, note = 'Left a voicemail.' where ticket_id = $1`, [RATINGS[1]![0], colleague]);
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

  async function queue(page: Page): Promise<Locator> {
    await page.goto(reportsUrl);
    await page.evaluate((names: Record<string, string>) => {
      (globalThis as Any).document.querySelector('csat-insights').agentNames = names;
    }, NAMES);
    const q = page.locator('csat-follow-ups[state="ready"]');
    await q.waitFor({ state: 'attached' });
    return q;
  }

  async function axe(page: Page): Promise<string[]> {
    if (!(await page.evaluate(() => Boolean((globalThis as Any).axe)))) await page.addScriptTag({ path: AXE });
    return page.evaluate(async () => {
      const g = globalThis as Any;
      const root = g.document.querySelector('csat-insights');
      const result = await g.axe.run(root, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
      return result.violations.map((v: Any) => `${v.id}: ${v.nodes.map((n: Any) => JSON.stringify(n.target)).join(', ')}`);
    });
  }

  const stored = async (ticket: string) => (await pool.query(`select state, owner_id, note, updated_by from csat_follow_up where ticket_id = $1`, [ticket])).rows[0];
  const rowsText = (q: Locator) => q.locator('[part="follow-up"]').evaluateAll((els) => els.map((e: Any) => e.textContent.replace(/\s+/g, ' ').trim()));

  it('lists open and contacted follow-ups, oldest first, with state, stars, owner and age, linked to the ticket; axe', async () => {
    const page = await newPage();
    const q = await queue(page);
    expect(await q.locator('[part="follow-up"]').evaluateAll((els) => els.map((e: Any) => e.dataset.ticket))).toEqual(RATINGS.slice(0, 3).map((r) => r[0]));
    const text = await rowsText(q);
    expect(text[0]).toMatch(/^Open .*Ticket [0-9a-f]{8} opened 3 days ago Owner: nobody yet Three days without an answer\./);
    expect(text[1]).toMatch(/^Contacted .*opened yesterday Owner: Carl Colleague The fix broke the export\./);
    expect(text[2]).toMatch(/^Open .*opened 5 hours ago Owner: nobody yet/);
    expect(await q.locator('[part="follow-up-count"]').textContent()).toBe('3 to follow up');
    expect(await q.locator('[part="follow-up"]').first().locator('[part="stars"]').getAttribute('aria-label')).toBe('1 of 5 stars');
    expect(await q.locator('[part="follow-up"]').first().locator('a').getAttribute('href')).toBe(`/agent?ticket=${RATINGS[0]![0]}`);
    // Only the open ones offer "Mark contacted"; every one "Assign to me" (nobody owns them as this agent).
    expect(await q.locator('[part="mark-contacted"]').count()).toBe(2);
    expect(await q.locator('[part="assign-to-me"]').count()).toBe(3);
    expect(await axe(page)).toEqual([]);
    await q.locator('[part="follow-ups"]').screenshot({ path: path.join(SHOTS, 'insights-follow-ups.png'), animations: 'disabled', caret: 'hide' });
  });

  it('assign to me: the owner is the signed-in agent, stored and shown; the button goes, focus stays on the row', async () => {
    const page = await newPage();
    const q = await queue(page);
    const first = q.locator(`[part="follow-up"][data-ticket="${RATINGS[0]![0]}"]`);
    await first.locator('[part="assign-to-me"]').click();
    await expect.poll(() => first.locator('[part="follow-up-owner"]').textContent()).toBe('Owner: Ada Agent');
    expect(await stored(RATINGS[0]![0])).toMatchObject({ state: 'OPEN', owner_id: agent, updated_by: agent });
    expect(await first.locator('[part="assign-to-me"]').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as Any).document.querySelector('csat-insights').shadowRoot.querySelector('csat-follow-ups').shadowRoot.activeElement?.getAttribute('part'))).toBe('mark-contacted');
  });

  it('mark done with a note, by keyboard only: the form opens focused, Escape cancels, Enter on "Mark done" stores it and the row leaves the queue', async () => {
    const page = await newPage();
    const q = await queue(page);
    const ticket = RATINGS[1]![0];
    const row = q.locator(`[part="follow-up"][data-ticket="${ticket}"]`);
    const active = () => page.evaluate(() => (globalThis as Any).document.querySelector('csat-insights').shadowRoot.querySelector('csat-follow-ups').shadowRoot.activeElement?.getAttribute('part') ?? null);
    await row.locator('[part="mark-done"]').focus();
    await page.keyboard.press('Enter');
    await expect.poll(active).toBe('note');
    await page.keyboard.press('Escape');
    await expect.poll(active).toBe('mark-done');
    expect(await row.locator('[part="done-form"]').count()).toBe(0);
    await page.keyboard.press('Enter');
    await expect.poll(active).toBe('note');
    // The note already there is offered to edit.
    expect(await row.locator('textarea').inputValue()).toBe('Left a voicemail.');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('Called back; refund agreed.');
    expect(await axe(page)).toEqual([]);
    await row.screenshot({ path: path.join(SHOTS, 'insights-follow-up-note.png'), animations: 'disabled', caret: 'hide' });
    await page.keyboard.press('Tab');
    await expect.poll(active).toBe('save-done');
    await page.keyboard.press('Enter');
    await expect.poll(() => q.locator(`[part="follow-up"][data-ticket="${ticket}"]`).count()).toBe(0);
    expect(await stored(ticket)).toMatchObject({ state: 'DONE', owner_id: colleague, note: 'Called back; refund agreed.', updated_by: agent });
    expect(await q.locator('.sr[role="status"]').textContent()).toBe('Marked done.');
    // Focus moved to the next row's first button, not lost to the page.
    expect(await active()).toMatch(/^(assign-to-me|mark-contacted|mark-done)$/);
    const { rows } = await pool.query(`select version, by, from_state, to_state from csat_follow_up_change where ticket_id = $1 order by version`, [ticket]);
    expect(rows.map((r) => [r.from_state, r.to_state, r.by])).toEqual([[null, 'OPEN', null], ['OPEN', 'CONTACTED', colleague], ['CONTACTED', 'DONE', agent]]);
  });
});

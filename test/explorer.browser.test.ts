// The GraphQL explorer the banners point to works offline: GraphiQL served from npm by the demo server, in real
// Chromium with every request that leaves loopback refused, runs its first query through the gateway as the
// demo agent. (Apollo Sandbox, what a browser gets at /graphql, loads from a CDN: a blank page offline.)
import { existsSync } from 'node:fs';
import { pino } from 'pino';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSupergraph, type Supergraph } from '../dev/supergraph.js';
import { supergraphConfig } from './helpers/test.supergraph.js';

const CHROMIUM = process.env.CSAT_CHROMIUM ?? '/usr/bin/chromium';
const REQUIRED = process.env.CSAT_BROWSER_TESTS === 'required';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM && REQUIRED) throw new Error(`CSAT_BROWSER_TESTS=required but there is no Chromium at ${CHROMIUM} (apt-get install chromium, or set CSAT_CHROMIUM)`);
if (!HAVE_CHROMIUM) console.log(`explorer browser test skipped: no Chromium at ${CHROMIUM}`);
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let sg: Supergraph;
let browser: Browser;

describe.skipIf(!HAVE_CHROMIUM)('the GraphQL explorer, offline', () => {
  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    const config = supergraphConfig(inject('databaseUrl'));
    sg = await startSupergraph({ config, logger: pino({ level: 'warn' }), ports: { gateway: 0, csat: 0, tickets: 0, demo: 0 }, seed: false });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await sg?.stop();
  });

  it('GraphiQL loads from loopback alone and runs its first query through the gateway as the demo agent', async () => {
    const context = await browser.newContext();
    const outside: string[] = [];
    // Offline: anything that is not this machine fails, as it would without a network.
    await context.route(
      (url) => !['127.0.0.1', 'localhost'].includes(url.hostname),
      (route) => {
        outside.push(route.request().url());
        return route.abort('internetdisconnected');
      },
    );
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(sg.demo!.explorerUrl);
    await page.locator('.graphiql-container').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator('.graphiql-query-editor').innerText()).toContain('query Inbox');

    await page.locator('.graphiql-execute-button').click();
    const result = page.locator('.result-window');
    await expect.poll(() => result.innerText(), { timeout: 20_000 }).toContain('"csatSummary"');
    const text = await result.innerText();
    expect(text).toContain('"tickets"');
    expect(text).not.toContain('"errors"');
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the explorer forwards a query without a token as it is: the gateway answers UNAUTHENTICATED for staff data', async () => {
    const res = await fetch(new URL('/explorer/graphql', sg.demo!.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ csatSummary { count } }' }),
    });
    const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

// The web components' build and the demo pages' server, without a browser (test/web.browser.test.ts drives
// them in Chromium): the bundle is one ES module with Lit inside and within its size goal, the declarations
// are emitted, and `npm run supergraph` serves the demo pages and prints their URLs.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { supergraphBanner } from '../dev/demo.banner.js';
import { startSupergraph, type Supergraph } from '../dev/supergraph.js';
import { bundleWebComponents, INSIGHTS_ENTRY, RATE_PAGE_ENTRY, ROOT } from '../dev/web.bundle.js';
import { supergraphConfig } from './helpers/test.supergraph.js';

describe('the web components bundle', () => {
  it('is one self-contained ES module (Lit included) under 25 KB gzipped, defining the three elements', async () => {
    const bundle = await bundleWebComponents();
    expect(bundle.gzip).toBeLessThan(25 * 1024);
    expect(bundle.code).not.toMatch(/^\s*import\s|from\s*["']lit/m);
    expect(bundle.code).toMatch(/export\s*\{/);
    for (const tag of ['csat-prompt', 'csat-card', 'csat-chip']) expect(bundle.code).toContain(`"${tag}"`);
    // Never a token kept: no storage API in the components.
    expect(bundle.code).not.toMatch(/localStorage|sessionStorage|indexedDB|document\.cookie/);
  });

  it('the dashboard is its own self-contained ES module under 40 KB gzipped; the components module does not carry it', async () => {
    const insights = await bundleWebComponents(INSIGHTS_ENTRY);
    console.log(`csat-insights.js: ${insights.raw} bytes, ${insights.gzip} bytes gzipped`);
    expect(insights.gzip).toBeLessThan(40 * 1024);
    expect(insights.code).not.toMatch(/^\s*import\s|from\s*["']lit|from\s*["']d3/m);
    expect(insights.code).toContain('"csat-insights"');
    expect(insights.code).not.toMatch(/localStorage|sessionStorage|indexedDB|document\.cookie/);
    const components = await bundleWebComponents();
    expect(components.code).not.toContain('csat-insights');
    // Its texts stay out too: the components module has the prompt's, card's and chip's, in four languages.
    expect(components.code).not.toContain('Unhappy and vocal');
    expect(components.code).toContain('Wie war unser Service?');
  });

  it('the rating page\'s enhancer is its own module, without Lit and without texts, under 2 KiB gzipped; the other modules do not carry it', async () => {
    const [enhancer, components, insights] = await Promise.all([bundleWebComponents(RATE_PAGE_ENTRY), bundleWebComponents(), bundleWebComponents(INSIGHTS_ENTRY)]);
    console.log(`csat-rate-page.js: ${enhancer.raw} bytes, ${enhancer.gzip} bytes gzipped`);
    expect(enhancer.gzip).toBeLessThan(2 * 1024);
    expect(enhancer.code).toContain('"csat-rate-page"');
    expect(enhancer.code).not.toMatch(/^\s*import\s/m);
    // Lit leaves its version on globalThis; the components module has it, the enhancer not.
    expect(components.code).toContain('litHtmlVersions');
    expect(enhancer.code).not.toContain('litHtmlVersions');
    // Its texts come from the page (the server renders them from the catalogue), so one module serves every language.
    expect(enhancer.code).not.toMatch(/Sending…|Wie war unser Service\?/);
    expect(enhancer.code).not.toMatch(/localStorage|sessionStorage|indexedDB|document\.cookie/);
    for (const other of [components, insights]) expect(other.code).not.toContain('csat-rate-page');
  });

  it('npm run build:web writes web/dist/csat-components.js, web/dist/csat-insights.js and their declarations, and prints the sizes', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-web.ts'], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toMatch(/csat-components\.js: \d+ bytes .*, \d+ bytes gzipped/);
    expect(out).toMatch(/csat-insights\.js: \d+ bytes .*, \d+ bytes gzipped/);
    expect(out).toMatch(/csat-rate-page\.js: \d+ bytes .*, \d+ bytes gzipped/);
    const dts = path.join(ROOT, 'web/dist/types/index.d.ts');
    return Promise.all([
      readFile(path.join(ROOT, 'web/dist/csat-components.d.ts'), 'utf8').then((t) => expect(t).toContain('./types/index.js')),
      readFile(path.join(ROOT, 'web/dist/csat-insights.d.ts'), 'utf8').then((t) => expect(t).toContain('./types/insights.js')),
      readFile(path.join(ROOT, 'web/dist/types/csat-insights.d.ts'), 'utf8').then((t) => expect(t).toMatch(/class CsatInsights extends LitElement/)),
      readFile(path.join(ROOT, 'web/dist/csat-insights.js'), 'utf8').then((t) => expect(t).toContain('"csat-insights"')),
      readFile(path.join(ROOT, 'web/dist/csat-rate-page.js'), 'utf8').then((t) => expect(t).toContain('"csat-rate-page"')),
      readFile(dts, 'utf8').then((t) => expect(t).toMatch(/CsatPrompt[\s\S]*CsatCard[\s\S]*CsatChip/)),
      // The prompt's and the card's shared properties are declared on their base class.
      readFile(path.join(ROOT, 'web/dist/types/csat-prompt.d.ts'), 'utf8').then((t) => expect(t).toMatch(/class CsatPrompt extends TicketElement</)),
      readFile(path.join(ROOT, 'web/dist/types/ticket-element.d.ts'), 'utf8').then((t) => expect(t).toMatch(/token: string \| null/)),
    ]);
  });
});

describe('the demo pages of npm run supergraph', () => {
  let sg: Supergraph;
  const identities = { workspace: randomUUID(), customer: randomUUID(), agent: randomUUID() };
  const config = supergraphConfig(inject('databaseUrl'));
  beforeAll(async () => {
    sg = await startSupergraph({ config, logger: pino({ level: 'warn' }), ports: { gateway: 0, csat: 0, tickets: 0, demo: 0 }, seed: false, demoIdentities: identities });
  });
  afterAll(() => sg?.stop());

  it('serves the portal and agent pages, the components module and the demo tokens', async () => {
    const demo = sg.demo!;
    const get = async (p: string) => {
      const res = await fetch(new URL(p, demo.url));
      return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
    };
    const portal = await get('/portal');
    expect(portal).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(portal.body).toContain('<csat-prompt');
    const reports = await get('/reports');
    expect(reports.body).toContain('csat-insights');
    expect(reports.body).toContain('/csat-insights.js');
    const dashboard = await get('/csat-insights.js');
    expect(dashboard).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8' });
    expect(dashboard.body).toBe(demo.insightsBundle.code);
    const agent = await get('/agent');
    expect(agent.body).toContain('<csat-card');
    expect(agent.body).toContain('csat-chip');
    const js = await get('/csat-components.js');
    expect(js).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8' });
    expect(js.body).toBe(demo.bundle.code);
    const cfg = await get('/demo-config.js');
    const parsed = JSON.parse(cfg.body.replace(/^export default /, '').replace(/;\s*$/, ''));
    expect(parsed.gatewayUrl).toBe(sg.gatewayUrl);
    const claims = (t: string) => JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString());
    expect(claims(parsed.tokens.customer)).toMatchObject({ sub: identities.customer, role: 'customer', workspace: identities.workspace });
    expect(claims(parsed.tokens.agent)).toMatchObject({ sub: identities.agent, role: 'agent', workspace: identities.workspace });
    expect((await get('/nothing-here')).status).toBe(404);
    expect((await fetch(new URL('/portal', demo.url), { method: 'POST' })).status).toBe(405);
  });

  it('the banner prints the demo pages URLs', async () => {
    const text = await supergraphBanner(sg, { created: false, rateableTicket: randomUUID() }, config, 'test');
    expect(text).toContain(sg.demo!.portalUrl);
    expect(text).toContain(sg.demo!.agentUrl);
    expect(text).toContain(sg.demo!.reportsUrl);
  });

  it('without a demo port (as the other end-to-end tests start it) no demo pages are served', async () => {
    const plain = await startSupergraph({ config, logger: pino({ level: 'warn' }), ports: { gateway: 0, csat: 0, tickets: 0 }, seed: false });
    try {
      expect(plain.demo).toBeUndefined();
      expect(await supergraphBanner(plain, { created: false, rateableTicket: randomUUID() }, config, 'test')).not.toContain('Web components demo');
    } finally {
      await plain.stop();
    }
  });
});

// The demo pages of `npm run supergraph`: a customer portal ticket page with <csat-prompt>, an agent inbox
// (a <csat-chip> per row) with a ticket page (<csat-card>), and the "Reports" page with <csat-insights>, all
// talking to the running gateway with development tokens. A small static server on loopback; development only.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { signDevToken } from '../../src/auth/token.signer.js';
import type { AuthConfig } from '../../src/config/config.js';
import { DEMO_AGENTS } from '../demo.seed.js';
import { EXPLORER_PATH, handleExplorer, type ExplorerOptions } from '../explorer.js';
import { bundleWebComponents, INSIGHTS_ENTRY, ROOT, type WebBundle } from '../web.bundle.js';

export interface DemoIdentities {
  workspace: string;
  /** The customer of the portal page. */
  customer: string;
  /** The agent of the inbox. */
  agent: string;
}

export interface DemoServer {
  url: string;
  portalUrl: string;
  agentUrl: string;
  reportsUrl: string;
  /** GraphiQL through the gateway, as the demo agent (works offline). */
  explorerUrl: string;
  bundle: WebBundle;
  insightsBundle: WebBundle;
  stop(): Promise<void>;
}

export interface DemoOptions {
  gatewayUrl: string;
  auth: AuthConfig;
  identities: DemoIdentities;
  /** The portal page's ticket when the URL names none. */
  ticket?: string;
  port: number;
  host: string;
}

/** The explorer's first query: the agent inbox with CSAT chips, then the workspace's summary. */
const EXPLORER_QUERY = `# GraphiQL through the gateway, as the demo agent (the token is in Headers below).
# Run with Ctrl-Enter; the Docs button lists every field.
query Inbox {
  tickets(first: 10, filter: { status: [resolved, closed] }) {
    edges { node { ref subject status csatRating csatComment csatRatedAt } }
  }
  csatSummary { count average satisfiedShare responseRate }
}
`;

const PAGES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/portal': { file: 'portal.html', type: 'text/html; charset=utf-8' },
  '/agent': { file: 'agent.html', type: 'text/html; charset=utf-8' },
  '/reports': { file: 'reports.html', type: 'text/html; charset=utf-8' },
  '/demo.css': { file: 'demo.css', type: 'text/css; charset=utf-8' },
};

/** Undefined when the tokens cannot be signed here (JWKS mode): the pages would have no one to act as. */
export async function startDemoServer(opts: DemoOptions): Promise<DemoServer | undefined> {
  if (opts.auth.mode !== 'hs256') return undefined;
  const { secret, issuer, audience } = opts.auth;
  const sign = (sub: string, role: 'customer' | 'agent') => signDevToken({ sub, role, workspace: opts.identities.workspace }, secret, { issuer, audience });
  // The tokens are the page's to hand to the components' `token` property; the components keep none.
  const demoConfig = `export default ${JSON.stringify({
    gatewayUrl: opts.gatewayUrl,
    workspace: opts.identities.workspace,
    ticket: opts.ticket ?? null,
    tokens: { customer: await sign(opts.identities.customer, 'customer'), agent: await sign(opts.identities.agent, 'agent') },
    agentNames: Object.fromEntries(DEMO_AGENTS.map((a) => [a.id, a.name])),
  })};\n`;
  const explorer: ExplorerOptions = {
    endpoint: opts.gatewayUrl,
    headers: { authorization: `Bearer ${await sign(opts.identities.agent, 'agent')}` },
    query: EXPLORER_QUERY,
  };
  const [bundle, insightsBundle] = await Promise.all([bundleWebComponents(), bundleWebComponents(INSIGHTS_ENTRY)]);
  const dir = path.join(ROOT, 'dev/demo');

  const server: Server = createServer(async (req, res) => {
    if (await handleExplorer(req, res, explorer).catch(() => false)) return;
    const pathname = new URL(req.url ?? '/', 'http://demo.invalid').pathname.replace(/\.html$/, '').replace(/\/$/, '') || '/';
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed');
    if (pathname === '/csat-components.js') return send(200, 'text/javascript; charset=utf-8', bundle.code);
    if (pathname === '/csat-insights.js') return send(200, 'text/javascript; charset=utf-8', insightsBundle.code);
    if (pathname === '/demo-config.js') return send(200, 'text/javascript; charset=utf-8', demoConfig);
    const page = PAGES[pathname];
    if (!page) return send(404, 'text/plain', 'not found');
    try {
      send(200, page.type, await readFile(path.join(dir, page.file), 'utf8'));
    } catch {
      send(500, 'text/plain', 'demo page missing');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${opts.host}:${port}/`;
  return {
    url,
    portalUrl: `${url}portal${opts.ticket ? `?ticket=${opts.ticket}` : ''}`,
    agentUrl: `${url}agent`,
    reportsUrl: `${url}reports`,
    explorerUrl: `${url}${EXPLORER_PATH.slice(1)}`,
    bundle,
    insightsBundle,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

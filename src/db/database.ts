import { createPostgreSqlTypeParsers, MikroORM } from '@mikro-orm/postgresql';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { StartupError } from '../errors/startup.error.js';
import type { Logger } from '../server/logger.js';
import { ormConfig } from './orm.config.js';
import { PreparingPool } from './prepared.statements.js';
import { StatementCounter } from './statement.counter.js';

export interface Database {
  orm: MikroORM;
  url: string;
  statements: StatementCounter;
  close(): Promise<void>;
}

/** pg's pool with MikroORM's type parsers (dates stay text until the ORM converts them), as MikroORM would build it. */
function createPool(url: string): pg.Pool {
  const types = new pg.TypeOverrides();
  const textArray = pg.types.getTypeParser(1009 as Parameters<typeof pg.types.getTypeParser>[0]); // text[]: each element stays text
  for (const [oid, parse] of Object.entries(createPostgreSqlTypeParsers((s) => textArray(s)))) types.setTypeParser(Number(oid), parse);
  return new pg.Pool({
    // pg parses the whole URL, so sslmode=…, host=/path/to/socket and application_name=… work too.
    connectionString: url,
    max: 10,
    // A host that drops packets must fail a start or a request in seconds, not after the OS's TCP timeout.
    connectionTimeoutMillis: 10_000,
    types,
  });
}

/** Connects MikroORM to `url` through one pool and one Kysely instance, which count every statement. */
export async function openDatabase(url: string, logger: Logger): Promise<Database> {
  const statements = new StatementCounter();
  const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new PreparingPool(createPool(url)) }), log: statements.count });
  const ormLog = logger.child({ component: 'mikro-orm' });
  const orm = await MikroORM.init(ormConfig({ databaseUrl: url, kysely, log: (m) => ormLog.debug(m) }));
  // MikroORM 7 connects lazily: check now, so an unreachable database fails the start with a message naming it.
  await assertReachable(orm, url);
  return { orm, url, statements, close: () => orm.close(true) };
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

async function assertReachable(orm: MikroORM, url: string): Promise<void> {
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
  throw new StartupError(
    `Cannot connect to PostgreSQL at ${describeUrl(url)}: ${reason}. ` +
      'Check DATABASE_URL and that the server is running and reachable, or unset DATABASE_URL to use an embedded PostgreSQL (development).',
  );
}

/** One key for every replica of this service: pg_advisory_lock(bigint). 'csat' in ASCII. */
const MIGRATION_LOCK = 0x63736174;

/**
 * Applies this subgraph's pending migrations; returns their names. Replicas that start together take
 * turns on a session advisory lock, so one migrates and the others find nothing pending (without it, two
 * instances on an empty database race on `create table` and one fails).
 */
export async function migrate(orm: MikroORM): Promise<string[]> {
  return orm.em.getKysely().connection().execute(async (lockConnection) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(lockConnection);
    try {
      const done = await orm.migrator.up();
      return done.map((m) => m.name);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(lockConnection);
    }
  });
}

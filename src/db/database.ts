import { createPostgreSqlTypeParsers, MikroORM } from '@mikro-orm/postgresql';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { LRUCache } from 'lru-cache';
import pg from 'pg';
import { StartupError } from '../errors/startup.error.js';
import { connectionLost } from './connection.lost.js';
import type { Timeouts } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import { FaultLog } from './fault.log.js';
import { guardedPool, type ConnectionState } from './guarded.pool.js';
import { ormConfig, type OrmSchema } from './orm.config.js';
import { PreparingPool } from './prepared.statements.js';
import { StatementCounter } from './statement.counter.js';

export interface Database {
  orm: MikroORM;
  url: string;
  statements: StatementCounter;
  /** Database faults in the log: each message at most once a second, with the count of the others. */
  faults: FaultLog;
  /** Readiness: does the database answer? Within about a second, on a connection of its own, never waiting on the pool. */
  ping(): Promise<boolean>;
  /** Cancels the statements still running on the pool's connections (the drain's grace is over). */
  cancelRunning(): Promise<void>;
  close(): Promise<void>;
}

/** A readiness answer is reused this long (one in flight is shared), so a probe storm costs one statement a second. */
const PING_CACHE_MS = 1000;
const PING_TIMEOUT_MS = 900;

/**
 * pg's pool with MikroORM's type parsers (dates stay text until the ORM converts them), as MikroORM would
 * build it, and with this service's timeouts set per connection (none for migrations and dev tools).
 */
function createPool(
  url: string,
  max: number,
  onLost: (err: Error & { code?: string }, state: ConnectionState) => void,
  timeouts?: Pick<Timeouts, 'statementMs' | 'lockMs' | 'poolMs' | 'requestMs'>,
): pg.Pool {
  const types = new pg.TypeOverrides();
  const textArray = pg.types.getTypeParser(1009 as Parameters<typeof pg.types.getTypeParser>[0]); // text[]: each element stays text
  for (const [oid, parse] of Object.entries(createPostgreSqlTypeParsers((s) => textArray(s)))) types.setTypeParser(Number(oid), parse);
  return guardedPool({
    // pg parses the whole URL, so sslmode=…, host=/path/to/socket and application_name=… work too.
    connectionString: url,
    max,
    // Waiting for a pooled connection or a new one; a host that drops packets fails in seconds, not after TCP's timeout.
    connectionTimeoutMillis: timeouts?.poolMs ?? 10_000,
    types,
    ...(timeouts && {
      statement_timeout: timeouts.statementMs,
      lock_timeout: timeouts.lockMs,
      // A transaction left open by a bug holds its locks no longer than a request may last.
      idle_in_transaction_session_timeout: timeouts.requestMs,
      // The server cancels at statement_timeout; this ends the wait when the server itself is unreachable.
      query_timeout: timeouts.statementMs + 1000,
      // No JIT: this service's statements run in milliseconds, and a plan whose estimate crosses jit_above_cost
      // (csatTrend's parameterised ranges: docs/insights.md) would spend 0.1-4 s compiling it.
      options: '-c jit=off',
    }),
  }, onLost);
}

/**
 * Connects MikroORM to `url` through one pool and one Kysely instance, which count every statement.
 * `timeouts` bound every statement, lock wait and pool wait; without them (migrations, dev tools) nothing is bounded.
 */
export async function openDatabase(url: string, schema: OrmSchema, logger: Logger, timeouts?: Timeouts): Promise<Database> {
  const statements = new StatementCounter();
  const faults = new FaultLog();
  // A connection the server ends (restart, failover, pg_terminate_backend) never ends the process (guarded.pool.ts):
  // pg-pool drops it and the next request gets a new one. One line a second at most, however many connections went.
  const pgPool = createPool(url, 10, (err, state) =>
    faults.warn(logger, { err: connectionLost(err) }, state === 'idle' ? 'database: idle connection lost' : 'database: connection lost while in use'),
    timeouts,
  );
  const pool = new PreparingPool(pgPool);
  const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }), log: statements.count });
  const ormLog = logger.child({ component: 'mikro-orm' });
  const orm = await MikroORM.init(ormConfig({ databaseUrl: url, schema, kysely, log: (m) => ormLog.debug(m) }));
  // MikroORM 7 connects lazily: check now, so an unreachable database fails the start with a message naming it.
  await assertReachable(orm, url);

  // Readiness has a connection of its own: a saturated pool is busy, not down, and must not make /readyz wait.
  // A probe connection the server ends is not worth a line: the next ping reconnects, and /readyz says it.
  const probe = createPool(url, 1, () => {}, { statementMs: PING_TIMEOUT_MS, lockMs: PING_TIMEOUT_MS, poolMs: PING_TIMEOUT_MS, requestMs: PING_TIMEOUT_MS });
  const answers = new LRUCache<'ping', boolean>({ max: 1, ttl: PING_CACHE_MS, fetchMethod: () => probe.query('select 1').then(() => true, () => false) });
  const ping = async () => (await answers.fetch('ping'))!;
  return {
    orm,
    url,
    statements,
    faults,
    ping,
    async cancelRunning() {
      const pids = pool.busyProcessIds();
      if (pids.length) await probe.query('select pg_cancel_backend(pid) from unnest($1::int[]) as pid', [pids]).catch(() => {});
    },
    async close() {
      await orm.close(true);
      await probe.end();
      faults.flush();
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
 * Applies this subgraph's pending migrations, then `after` (what else a schema needs once they have committed:
 * src/schema.database.ts); returns their names. Replicas that start together take turns on a session advisory
 * lock, so one migrates and the others find nothing pending (without it, two instances on an empty database race
 * on `create table` and one fails).
 */
export async function migrateUnderLock(orm: MikroORM, after: (orm: MikroORM) => Promise<void>): Promise<string[]> {
  return orm.em.getKysely().connection().execute(async (lockConnection) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(lockConnection);
    try {
      const done = await orm.migrator.up();
      await after(orm);
      return done.map((m) => m.name);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(lockConnection);
    }
  });
}

import { createPostgreSqlTypeParsers, MikroORM } from '@mikro-orm/postgresql';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { LRUCache } from 'lru-cache';
import pg from 'pg';
import { StartupError } from '../errors/startup.error.js';
import { connectionLost } from './connection.lost.js';
import type { ReplicaConfig, Timeouts } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import { FaultLog } from './fault.log.js';
import { guardedPool, type ConnectionState } from './guarded.pool.js';
import { assertRoleSettings, sessionSettings, setStatement, type SessionSettings } from './session.settings.js';
import { ormConfig, type OrmSchema } from './orm.config.js';
import { PreparingPool } from './prepared.statements.js';
import { Replica } from './replica.health.js';
import { ReplicaRouter } from './replica.router.js';
import { StatementCounter } from './statement.counter.js';

export interface Database {
  orm: MikroORM;
  url: string;
  statements: StatementCounter;
  /** The read replicas' router (DATABASE_REPLICA_URLS), when there are any: its counts of reads by destination. */
  replicas?: ReplicaRouter;
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
 * build it, and with `settings` SET as each new connection's first statement (session.settings.ts; none behind a
 * transaction pooler, where they are the role's). No startup parameters: PgBouncer refuses them.
 */
function createPool(
  url: string,
  max: number,
  onLost: (err: Error & { code?: string }, state: ConnectionState) => void,
  settings: SessionSettings | undefined,
  timeouts?: Pick<Timeouts, 'statementMs' | 'poolMs'>,
): pg.Pool {
  const types = new pg.TypeOverrides();
  const textArray = pg.types.getTypeParser(1009 as Parameters<typeof pg.types.getTypeParser>[0]); // text[]: each element stays text
  for (const [oid, parse] of Object.entries(createPostgreSqlTypeParsers((s) => textArray(s)))) types.setTypeParser(Number(oid), parse);
  const set = settings && setStatement(settings);
  return guardedPool({
    // pg parses the whole URL, so sslmode=…, host=/path/to/socket and application_name=… work too.
    connectionString: url,
    max,
    // Waiting for a pooled connection or a new one; a host that drops packets fails in seconds, not after TCP's timeout.
    connectionTimeoutMillis: timeouts?.poolMs ?? 10_000,
    types,
    // The server cancels at statement_timeout; this ends the wait when the server itself is unreachable.
    ...(timeouts && { query_timeout: timeouts.statementMs + 1000 }),
    // pg-pool hands the connection out only once this has run; a failure discards it and fails the checkout.
    ...(set && { onConnect: (client: pg.PoolClient) => client.query(set).then(() => {}) }),
  }, onLost);
}

/** How this process reaches PostgreSQL (config.ts, PoolingConfig); default: directly, named prepared statements. */
export interface DatabaseOptions {
  poolMode?: 'session' | 'transaction';
  preparedStatements?: boolean;
}

/**
 * The read replicas: per standby a pool like the primary's (prepared statements, the same timeouts, but a wait for
 * a connection of at most a second, so a standby that drops packets leaves time for the primary within the request)
 * and a connection of its own polling its lag. Returns the pool MikroORM's 'read' connection runs on.
 */
async function openReplicas(primary: PreparingPool, replicas: ReplicaConfig, logger: Logger, faults: FaultLog, timeouts: Timeouts, options: DatabaseOptions): Promise<ReplicaRouter> {
  // A standby is reached the way the primary is (DB_POOL_MODE, DB_PREPARED_STATEMENTS): behind a transaction pooler,
  // no session SET (the role's settings hold there too).
  const pooled = options.poolMode === 'transaction';
  const settings = pooled ? undefined : sessionSettings(timeouts);
  const probeTimeouts = { statementMs: PING_TIMEOUT_MS, lockMs: PING_TIMEOUT_MS, poolMs: PING_TIMEOUT_MS, requestMs: PING_TIMEOUT_MS };
  const pollMs = Math.min(1000, Math.max(100, Math.floor(replicas.maxLagMs / 4)));
  const standbys = replicas.urls.map((replicaUrl) => {
    const name = describeUrl(replicaUrl); // how logs name a standby: no password
    const pool = createPool(replicaUrl, 10, (err, state) => faults.warn(logger, { err: connectionLost(err), replica: name }, `database replica: ${state === 'idle' ? 'idle ' : ''}connection lost`), settings, {
      ...timeouts,
      poolMs: Math.min(timeouts.poolMs, 1000),
    });
    const probe = createPool(replicaUrl, 1, () => {}, pooled ? undefined : sessionSettings(probeTimeouts), probeTimeouts);
    return new Replica(name, new PreparingPool(pool, options.preparedStatements ?? true), probe, replicas.maxLagMs, logger);
  });
  // One poll before the first request, so a healthy standby serves from the start; one that is down does not stop it.
  await Promise.all(standbys.map((r) => r.poll()));
  for (const r of standbys) r.start(pollMs);
  return new ReplicaRouter(primary, standbys);
}

/**
 * Connects MikroORM to `url` through one pool and one Kysely instance, which count every statement.
 * `timeouts` bound every statement, lock wait and pool wait; without them (migrations, dev tools) nothing is bounded.
 * `replicas` (with `timeouts`): MikroORM's 'read' connection (`em.getKysely({ type: 'read' })`) goes to them.
 */
export async function openDatabase(url: string, schema: OrmSchema, logger: Logger, timeouts?: Timeouts, options: DatabaseOptions = {}, replicas?: ReplicaConfig): Promise<Database> {
  const pooled = options.poolMode === 'transaction';
  const settings = sessionSettings(timeouts);
  const statements = new StatementCounter();
  const faults = new FaultLog();
  // A connection the server ends (restart, failover, pg_terminate_backend) never ends the process (guarded.pool.ts):
  // pg-pool drops it and the next request gets a new one. One line a second at most, however many connections went.
  const pgPool = createPool(url, 10, (err, state) =>
    faults.warn(logger, { err: connectionLost(err) }, state === 'idle' ? 'database: idle connection lost' : 'database: connection lost while in use'),
    pooled ? undefined : settings,
    timeouts,
  );
  const pool = new PreparingPool(pgPool, options.preparedStatements ?? true);
  const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }), log: statements.count });
  const router = timeouts && replicas?.urls.length ? await openReplicas(pool, replicas, logger, faults, timeouts, options) : undefined;
  const reads = router && new Kysely<unknown>({ dialect: new PostgresDialect({ pool: router }), log: statements.count });
  const ormLog = logger.child({ component: 'mikro-orm' });
  const orm = await MikroORM.init(ormConfig({ databaseUrl: url, schema, kysely, reads, log: (m) => ormLog.debug(m) })).catch(async (err: unknown) => {
    await router?.end();
    throw err;
  });
  // MikroORM 7 connects lazily: check now, so an unreachable database fails the start with a message naming it.
  await assertReachable(orm, url);
  if (pooled) await assertRoleSettings(pgPool, settings).catch(async (err: unknown) => {
    await orm.close(true).catch(() => {});
    throw err;
  });

  // Readiness has a connection of its own: a saturated pool is busy, not down, and must not make /readyz wait.
  // A probe connection the server ends is not worth a line: the next ping reconnects, and /readyz says it.
  const probeTimeouts = { statementMs: PING_TIMEOUT_MS, lockMs: PING_TIMEOUT_MS, poolMs: PING_TIMEOUT_MS, requestMs: PING_TIMEOUT_MS };
  const probe = createPool(url, 1, () => {}, pooled ? undefined : sessionSettings(probeTimeouts), probeTimeouts);
  const answers = new LRUCache<'ping', boolean>({ max: 1, ttl: PING_CACHE_MS, fetchMethod: () => probe.query('select 1').then(() => true, () => false) });
  const ping = async () => (await answers.fetch('ping'))!;
  return {
    orm,
    url,
    replicas: router,
    statements,
    faults,
    ping,
    async cancelRunning() {
      // Behind a transaction pooler the pids pg knows are the pooler's (made up), not the server's: nothing to
      // cancel by pid; statement_timeout (the role's) ends what still runs.
      if (pooled) return;
      const pids = pool.busyProcessIds();
      await Promise.all([
        pids.length ? probe.query('select pg_cancel_backend(pid) from unnest($1::int[]) as pid', [pids]).catch(() => {}) : undefined,
        router?.cancelRunning(),
      ]);
    },
    async close() {
      await orm.close(true);
      await router?.end();
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

import type { PostgresClientConstructor, PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import { isDatabaseFault } from '../errors/error.formatter.js';
import type { PreparingPool } from './prepared.statements.js';
import type { Replica } from './replica.health.js';

type Client = PostgresPoolClient & { processID?: number };

/**
 * Worth the same read on the primary: the standby is unreachable or went away (isDatabaseFault), or cancelled the
 * read for a conflict with recovery (40001). Not statement_timeout (57014): a read that slow is as slow on the
 * primary and would outlive the request; nor the drain's own cancel (also 57014).
 */
function worthPrimary(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (code === '57014') return false;
  return code === '40001' || isDatabaseFault(err);
}

/**
 * A connection from a standby that moves to the primary when a read on it fails for the database's reasons: the
 * same statement runs again there, so the client gets its answer, never the standby's fault. Only reads come
 * here (the ORM's 'read' connection, outside transactions: db/database.ts), so running one again is safe.
 */
class RoutedClient implements PostgresPoolClient {
  constructor(
    private current: Client,
    private replica: Replica | undefined,
    private readonly primary: PreparingPool,
    private readonly reads: ReplicaRouter['reads'],
  ) {}

  get processID(): number | undefined {
    return this.current.processID;
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(sqlOrCursor: string | PostgresCursor<R>, parameters?: ReadonlyArray<unknown>): unknown {
    if (typeof sqlOrCursor !== 'string') return this.current.query(sqlOrCursor);
    return this.current.query<R>(sqlOrCursor, parameters ?? []).catch(async (err: unknown) => {
      const replica = this.replica;
      if (!replica || !worthPrimary(err)) throw err;
      if ((err as { code?: unknown }).code !== '40001') replica.fail(err);
      // A connection that ended is discarded by pg-pool on release (it is no longer queryable).
      this.current.release();
      this.replica = undefined;
      this.current = await this.primary.connect();
      this.reads.fallbacks++;
      return this.current.query<R>(sqlOrCursor, parameters ?? []);
    });
  }

  release(): void {
    this.current.release();
  }
}

/**
 * Kysely's pool for reads that may be a little stale (insights, the badge, staff `_entities` pages): a connection
 * from a usable standby, taken in turn, else from the primary. A standby is usable while its background poll
 * answers within REPLICA_MAX_LAG_MS (replica.health.ts); one that refuses a connection or fails a read is skipped
 * until its next poll answers, and that read goes to the primary in the same request.
 */
export class ReplicaRouter implements PostgresPool {
  private next = 0;
  private ended: Promise<void> | undefined;
  /** Connections for reads taken from a standby, from the primary (no standby usable), and reads moved from a failing standby to the primary. */
  readonly reads = { replica: 0, primary: 0, fallbacks: 0 };

  constructor(
    private readonly primary: PreparingPool,
    readonly replicas: Replica[],
  ) {}

  /** Kysely builds a control connection from these to cancel a query; this service never cancels through Kysely. */
  get options(): pg.PoolOptions {
    return this.primary.options;
  }

  get Client(): PostgresClientConstructor {
    return this.primary.Client;
  }

  async connect(): Promise<PostgresPoolClient> {
    const n = this.replicas.length;
    const start = this.next++ % Math.max(n, 1);
    for (let i = 0; i < n; i++) {
      const replica = this.replicas[(start + i) % n]!;
      if (!replica.usable) continue;
      try {
        const client = await replica.pool.connect();
        this.reads.replica++;
        return new RoutedClient(client, replica, this.primary, this.reads);
      } catch (err) {
        replica.fail(err);
      }
    }
    this.reads.primary++;
    return new RoutedClient(await this.primary.connect(), undefined, this.primary, this.reads);
  }

  async cancelRunning(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.cancelRunning()));
  }

  /** Ends the standbys' pools and polls; the primary's pool belongs to the primary's Kysely. */
  end(): Promise<void> {
    return (this.ended ??= Promise.all(this.replicas.map((r) => r.end())).then(() => {}));
  }
}

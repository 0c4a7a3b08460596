import type { PostgresClientConstructor, PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import { rethrowAsDatabaseError } from '../errors/error.formatter.js';

/**
 * Named prepared statements under Kysely. Kysely sends every statement unnamed, so PostgreSQL plans it
 * on every call, with a custom plan per parameter set; pg prepares a *named* statement once per
 * connection and PostgreSQL then reuses a generic plan. For the `_entities` page that is the difference
 * between an index scan and a sequential scan of the ratings (docs/performance.md).
 * `prepared(name, text)` registers a statement; this pool adapter, Kysely's own `PostgresPool`
 * interface over pg's Pool, sends registered texts under their name.
 */
const names = new Map<string, string>();

/** Registers `text` as the prepared statement `name`; returns the text, to run through Kysely as usual. */
export function prepared(name: string, text: string): string {
  const known = names.get(text);
  if (known !== undefined && known !== name) throw new Error(`statement registered twice: ${known} and ${name}`);
  names.set(text, name);
  return text;
}

/** The name `text` was registered under, if any (the benchmark's floor prepares the same statements). */
export function preparedName(text: string): string | undefined {
  return names.get(text);
}

class PreparingClient implements PostgresPoolClient {
  constructor(
    readonly client: pg.PoolClient,
    private readonly busy: Set<PreparingClient>,
    private readonly named: boolean,
  ) {}

  /** Kysely reads it to cancel a running query (an undocumented member of pg's Client). */
  get processID(): number | undefined {
    return (this.client as unknown as { processID?: number }).processID;
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(sqlOrCursor: string | PostgresCursor<R>, parameters?: ReadonlyArray<unknown>): unknown {
    if (typeof sqlOrCursor !== 'string') return this.client.query(sqlOrCursor as never);
    const name = this.named ? names.get(sqlOrCursor) : undefined;
    const values = parameters as unknown[];
    const result = name === undefined ? this.client.query(sqlOrCursor, values) : this.client.query({ name, text: sqlOrCursor, values });
    // A socket error here is the database's (error.formatter.ts: SERVICE_UNAVAILABLE, not an internal error).
    return result.catch(rethrowAsDatabaseError);
  }

  release(): void {
    this.busy.delete(this);
    this.client.release();
  }
}

/** pg's Pool as Kysely's pool, one adapter per pooled client (Kysely caches its connection by client). */
export class PreparingPool implements PostgresPool {
  private readonly clients = new WeakMap<pg.PoolClient, PreparingClient>();
  /** Checked-out connections, so a shutdown can cancel what they still run. */
  private readonly busy = new Set<PreparingClient>();

  constructor(
    readonly pool: pg.Pool,
    /**
     * false (DB_PREPARED_STATEMENTS=off): every statement unnamed, planned on each call. For a transaction pooler
     * that does not keep named statements (PgBouncer before 1.21): a name prepared on one server connection is
     * unknown on the next ("prepared statement … does not exist") or already there ("… already exists").
     */
    private readonly named = true,
  ) {}

  /** Kysely opens a control connection from these to cancel a query. */
  get options(): pg.PoolOptions {
    return this.pool.options;
  }

  get Client(): PostgresClientConstructor {
    return (this.pool as unknown as { Client: PostgresClientConstructor }).Client;
  }

  async connect(): Promise<PreparingClient> {
    const client = await this.pool.connect().catch(rethrowAsDatabaseError);
    let adapter = this.clients.get(client);
    if (!adapter) this.clients.set(client, (adapter = new PreparingClient(client, this.busy, this.named)));
    this.busy.add(adapter);
    return adapter;
  }

  /** The PostgreSQL backend pids of the connections checked out now. */
  busyProcessIds(): number[] {
    return [...this.busy].map((c) => c.processID).filter((pid): pid is number => pid !== undefined);
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}

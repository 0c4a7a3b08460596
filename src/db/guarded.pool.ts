import pg from 'pg';

export type ConnectionState = 'idle' | 'in use';

/**
 * A pg pool whose connections can all be lost without ending the process. pg emits 'error' on a client whose
 * connection ends (a restart, a failover, pg_terminate_backend, a dropped network), and Node ends the process on
 * an 'error' event nobody listens to. pg-pool listens only while a client is idle; a client checked out (a query
 * in flight, or between two statements of a transaction) has no listener. Here every client listens from its
 * construction, so also a connection still being opened and the control connections Kysely opens to cancel a
 * query (it builds them from `pool.Client`). The query in flight is rejected by pg itself (the request gets
 * SERVICE_UNAVAILABLE, errors/error.formatter.ts), and pg-pool discards the broken client when it is released.
 * `report` hears of every loss, idle or in use, once.
 */
export function guardedPool(config: pg.PoolConfig, report: (err: Error & { code?: string }, state: ConnectionState) => void): pg.Pool {
  const inUse = new WeakSet<object>();
  class GuardedClient extends pg.Client {
    constructor(options?: string | pg.ClientConfig) {
      super(options);
      // An idle client's loss is reported by the pool's 'error' event below; a client never checked out
      // (connecting, or a control connection) fails its own promise instead.
      this.on('error', (err) => inUse.has(this) && report(err, 'in use'));
    }
  }
  const pool = new pg.Pool({ ...config, Client: GuardedClient });
  pool.on('acquire', (client) => inUse.add(client));
  pool.on('release', (_err, client) => inUse.delete(client));
  pool.on('error', (err) => report(err, 'idle'));
  return pool;
}

import pg from 'pg';
import { connectionLost } from '../../db/connection.lost.js';
import { backoffDelay, type Backoff } from '../../retry/backoff.js';
import type { Logger } from '../../config/logger.js';

interface Session {
  client: pg.Client;
  /** The pools whose lock this connection holds. */
  locked: Set<string>;
  /** Resolves with the reason once the connection is gone. */
  ended: Promise<Error>;
}

/** Reconnection delays: 100 ms doubling to 5 s, with jitter (replicas that lost the server together do not return in step). */
const RECONNECT_BACKOFF: Backoff = { baseMs: 100, maxMs: 5000, jitter: 'equal' };

/**
 * The session advisory locks that say "these worker pools are alive" (delivery.worker.ts), held on a connection
 * of their own. PostgreSQL drops them with that connection: when the server ends it (a restart, a failover,
 * pg_terminate_backend), this reconnects with backoff and takes every lock again. Until then other workers'
 * sweeps may take these pools for dead; the fence in delivery.task.ts makes that safe (no job runs twice at once).
 */
export class LivenessLock {
  private readonly ids = new Set<string>();
  private session: Session | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly url: string,
    /** The first key of every lock (the second is hashtext(pool id)). */
    private readonly classId: number,
    private readonly logger: Logger,
  ) {}

  /** Connects; a failure fails the worker's start. Then keeps the locks for as long as the worker runs. */
  async start(): Promise<void> {
    this.session = await this.open();
    void this.keep(this.session);
  }

  /** True while the connection holding the locks is up. */
  get held(): boolean {
    return this.session !== undefined;
  }

  /** Holds the lock of a worker pool from now on (and again after every reconnection). */
  async hold(poolId: string): Promise<void> {
    this.ids.add(poolId);
    // A failure here is the connection's loss, which keep() handles: it takes this lock again with the others.
    if (this.session) await this.lockAll(this.session).catch(() => {});
  }

  /** A pool that has ended: its lock is let go, so its leftovers (jobs it could not hand back) can be swept. */
  async release(poolId: string): Promise<void> {
    this.ids.delete(poolId);
    const session = this.session;
    if (!session?.locked.delete(poolId)) return;
    await session.client.query('select pg_advisory_unlock($1::int, hashtext($2))', [this.classId, poolId]).catch(() => {});
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.session?.client.end().catch(() => {});
  }

  /** Takes the locks this connection does not hold yet (a pool may have been added while it was opening). */
  private async lockAll(session: Session): Promise<void> {
    for (const id of this.ids) {
      if (session.locked.has(id)) continue;
      session.locked.add(id);
      await session.client.query('select pg_advisory_lock($1::int, hashtext($2))', [this.classId, id]);
    }
  }

  private async open(): Promise<Session> {
    const client = new pg.Client({ connectionString: this.url });
    let end!: (reason: Error) => void;
    const ended = new Promise<Error>((resolve) => (end = resolve));
    // Always listened to: an 'error' nobody hears would end the process.
    client.on('error', end);
    client.on('end', () => end(new Error('Connection ended')));
    const session = { client, ended, locked: new Set<string>() };
    try {
      await client.connect();
      await this.lockAll(session);
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    return session;
  }

  private async keep(first: Session): Promise<void> {
    for (let session = first; ; ) {
      const reason = await session.ended;
      this.session = undefined;
      if (this.stopped) return;
      this.logger.warn({ err: connectionLost(reason), pools: this.ids.size }, 'webhook worker: liveness connection lost; reconnecting');
      for (let attempt = 1; ; attempt++) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, backoffDelay(attempt - 1, RECONNECT_BACKOFF));
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        if (this.stopped) return;
        try {
          session = await this.open();
        } catch (err) {
          this.logger.debug({ err: connectionLost(err as Error), attempt }, 'webhook worker: liveness reconnection failed');
          continue;
        }
        if (this.stopped) {
          await session.client.end().catch(() => {});
          return;
        }
        this.session = session;
        await this.lockAll(session).catch(() => {});
        this.logger.info({ attempts: attempt, pools: this.ids.size }, 'webhook worker: liveness locks held again');
        break;
      }
    }
  }
}

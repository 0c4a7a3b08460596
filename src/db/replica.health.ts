import type pg from 'pg';
import type { Logger } from '../config/logger.js';
import type { PreparingPool } from './prepared.statements.js';

/**
 * How far behind the primary a standby is, in milliseconds: `now() - pg_last_xact_replay_timestamp()` while it
 * has WAL received and not yet replayed. A standby that has replayed all it received is current (0), however
 * long ago the primary last committed: else an idle primary would make every standby look hours behind.
 * Replay paused (pg_wal_replay_pause()) with writes arriving: received > replayed, and the lag grows with the
 * clock. A server that is not a standby (pg_is_in_recovery() false) is current too.
 */
const LAG_SQL = `select case
    when not pg_is_in_recovery() then 0
    when pg_last_wal_receive_lsn() is not distinct from pg_last_wal_replay_lsn() then 0
    else coalesce(extract(epoch from now() - pg_last_xact_replay_timestamp()) * 1000, 1e12)
  end::float8 as lag_ms`;

/** One standby: its pool for reads, its own connection for the lag poll, and whether reads may go to it now. */
export class Replica {
  /** Unusable until the first poll answers. */
  private up = false;
  lagMs = Number.POSITIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Why it is skipped, for one log line on each change. */
  private state: 'in use' | 'down' | 'lagging' | 'not polled yet' = 'not polled yet';

  constructor(
    readonly name: string,
    readonly pool: PreparingPool,
    private readonly probe: pg.Pool,
    private readonly maxLagMs: number,
    private readonly logger: Logger,
  ) {}

  /** Reads may go here: it answered its last poll, within the lag allowed, and no read has failed on it since. */
  get usable(): boolean {
    return this.up && this.lagMs <= this.maxLagMs;
  }

  /** A read on it failed for the database's reasons: skipped until a poll answers again. */
  fail(err: unknown): void {
    this.up = false;
    this.report('down', err instanceof Error ? err.message : String(err));
  }

  async poll(): Promise<void> {
    try {
      const { rows } = await this.probe.query<{ lag_ms: number }>(LAG_SQL);
      this.lagMs = rows[0]!.lag_ms;
      this.up = true;
      if (this.lagMs > this.maxLagMs) this.report('lagging', `${Math.round(this.lagMs)} ms behind, over REPLICA_MAX_LAG_MS=${this.maxLagMs}`);
      else this.report('in use');
    } catch (err) {
      this.fail(err);
    }
  }

  /** Polls every `everyMs` in the background (never per request), until `stop`. */
  start(everyMs: number): void {
    const tick = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => void this.poll().finally(tick), everyMs);
      this.timer.unref();
    };
    tick();
  }

  /** Cancels what this standby's checked-out connections still run (the drain's grace is over). */
  async cancelRunning(): Promise<void> {
    const pids = this.pool.busyProcessIds();
    if (pids.length) await this.probe.query('select pg_cancel_backend(pid) from unnest($1::int[]) as pid', [pids]).catch(() => {});
  }

  async end(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all([this.pool.end().catch(() => {}), this.probe.end().catch(() => {})]);
  }

  private report(state: Replica['state'], reason?: string): void {
    if (state === this.state) return;
    this.state = state;
    if (state === 'in use') this.logger.info({ replica: this.name, lagMs: Math.round(this.lagMs) }, 'database replica: in use for reads');
    else this.logger.warn({ replica: this.name, state, reason }, 'database replica: skipped, its reads go to the primary');
  }
}

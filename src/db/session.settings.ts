import type pg from 'pg';
import type { Timeouts } from '../config/config.js';
import { StartupError } from '../errors/startup.error.js';

/**
 * The PostgreSQL settings every connection of the service runs with. They used to be startup parameters
 * (`statement_timeout=…`, `options=-c jit=off`), which PgBouncer refuses ("unsupported startup parameter").
 * - A direct connection or a session pooler: one `SET` as each new connection's first statement (`setStatement`).
 * - A transaction pooler: a session `SET` would land on whichever server connection ran it, stay there for
 *   other clients, and be missing on the others; `SET LOCAL` would need a transaction around every statement
 *   (three round trips for one). So they are the role's defaults (`ALTER ROLE … IN DATABASE … SET`), which
 *   PostgreSQL applies to every server connection the pooler opens; the start checks them (`assertRoleSettings`).
 */
export type SessionSettings = Record<'statement_timeout' | 'lock_timeout' | 'idle_in_transaction_session_timeout', number> & { jit?: 'off' };

/** The service's settings; without timeouts (migrations, dev tools) nothing is bounded, whatever the role's defaults. */
export function sessionSettings(timeouts?: Pick<Timeouts, 'statementMs' | 'lockMs' | 'requestMs'>): SessionSettings {
  if (!timeouts) return { statement_timeout: 0, lock_timeout: 0, idle_in_transaction_session_timeout: 0 };
  return {
    statement_timeout: timeouts.statementMs,
    lock_timeout: timeouts.lockMs,
    // A transaction left open by a bug holds its locks no longer than a request may last.
    idle_in_transaction_session_timeout: timeouts.requestMs,
    // No JIT: this service's statements run in milliseconds, and a plan whose estimate crosses jit_above_cost
    // (csatTrend's parameterised ranges: docs/insights.md) would spend 0.1-4 s compiling it.
    jit: 'off',
  };
}

/** One simple-protocol statement (numbers and `off` only: nothing to quote). */
export function setStatement(settings: SessionSettings): string {
  return Object.entries(settings)
    .map(([name, value]) => `set ${name} = ${value}`)
    .join('; ');
}

/**
 * Behind a transaction pooler: the role's defaults must be the service's settings, else statements run
 * unbounded (or with JIT). One line naming what differs and the statements that fix it.
 */
export async function assertRoleSettings(pool: pg.Pool, settings: SessionSettings): Promise<void> {
  const { rows } = await pool.query<{ name: string; setting: string; role: string; db: string }>(
    `select name, setting, current_user as role, current_database() as db from pg_settings where name = any($1::text[])`,
    [Object.keys(settings)],
  );
  const found = new Map(rows.map((r) => [r.name, r.setting]));
  const wrong = Object.entries(settings).filter(([name, value]) => found.get(name) !== String(value));
  if (!wrong.length) return;
  const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const role = ident(rows[0]!.role);
  const db = ident(rows[0]!.db);
  throw new StartupError(
    `DB_POOL_MODE=transaction: a session SET does not hold behind a transaction pooler, so the role's settings must be the service's; ` +
      `found ${wrong.map(([n]) => `${n}=${found.get(n)}`).join(', ')}; run on PostgreSQL ` +
      wrong.map(([n, v]) => `ALTER ROLE ${role} IN DATABASE ${db} SET ${n} = ${v};`).join(' ') +
      ` then let the pooler open new server connections (PgBouncer: RECONNECT)`,
  );
}

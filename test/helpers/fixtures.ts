import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export type TicketStatus = 'new' | 'open' | 'pending' | 'resolved' | 'closed';

export interface TicketFixture {
  id: string;
  workspace: string;
  requester: string;
  assignee: string | null;
  status: TicketStatus;
}

/** A direct connection for arranging tickets and reading what was stored, apart from the app's pool and counter. */
export function testPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 4 });
  // Some tests end every connection of the database (pg_terminate_backend), this pool's idle ones too: without a
  // listener that is an unhandled 'error' event, and vitest fails the run.
  pool.on('error', () => {});
  return pool;
}

export async function createTicket(pool: pg.Pool | pg.Client, t: Partial<TicketFixture> & { workspace: string; requester: string }): Promise<TicketFixture> {
  const ticket: TicketFixture = { id: randomUUID(), assignee: randomUUID(), status: 'resolved', ...t };
  await pool.query(
    `insert into ticket (id, workspace_id, ref, subject, status, requester_id, assignee_id) values ($1, $2, $3, 'fixture', $4, $5, $6)`,
    [ticket.id, ticket.workspace, `T-${ticket.id.slice(0, 8)}`, ticket.status, ticket.requester, ticket.assignee],
  );
  return ticket;
}

export async function setStatus(pool: pg.Pool, id: string, status: TicketStatus): Promise<void> {
  await pool.query('update ticket set status = $2, updated_at = now() where id = $1', [id, status]);
}

export async function storedRatings(pool: pg.Pool, ticketId: string) {
  const { rows } = await pool.query(
    `select workspace_id, ticket_id, rating, comment, rated_at, rated_by, assignee_id from csat_rating where ticket_id = $1`,
    [ticketId],
  );
  return rows as { workspace_id: string; ticket_id: string; rating: number; comment: string | null; rated_at: Date; rated_by: string; assignee_id: string | null }[];
}

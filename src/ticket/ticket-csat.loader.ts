import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { isUuid, type Viewer } from '../auth/viewer.js';
import { query } from '../db/sql.js';
import { ratedAtSql, type CsatRow } from './ticket-csat.row.js';

// One statement for any number of tickets: the ids travel as one uuid[] parameter.

/** A customer's page: the ticket brings its requester and status (csatCanRate, "only their own tickets"). */
export const REQUESTER_BATCH_SQL = `
select t.id, t.workspace_id, t.requester_id, t.status, r.rating, r.comment, ${ratedAtSql('r.rated_at')} as rated_at
  from ticket t
  left join csat_rating r on r.workspace_id = t.workspace_id and r.ticket_id = t.id
 where t.id = any($1::uuid[])`;

/**
 * An agent's or admin's page: they see every rating of their workspace and never rate, so the ratings table
 * alone answers, on its primary key (workspace_id, ticket_id). Less than half the database time of the join
 * (README, Operations); a ticket without a row here is unrated or not theirs, null either way.
 */
export const STAFF_BATCH_SQL = `
select r.ticket_id as id, r.workspace_id, r.rating, r.comment, ${ratedAtSql('r.rated_at')} as rated_at
  from csat_rating r
 where r.workspace_id = $1 and r.ticket_id = any($2::uuid[])`;

/** The statement (and its prepared name) that answers this viewer's batch; none for an anonymous caller, who sees nothing. */
export function batchStatement(viewer: Viewer | null, ids: string[]): { name: string; text: string; values: unknown[] } | null {
  if (!viewer || !ids.length) return null;
  return viewer.role === 'customer'
    ? { name: 'csat_ticket_batch', text: REQUESTER_BATCH_SQL, values: [ids] }
    : { name: 'csat_staff_batch', text: STAFF_BATCH_SQL, values: [viewer.workspace, ids] };
}

/** Ticket id -> its CSAT row, in key order; null for an id with nothing this viewer may see. */
export function createTicketCsatLoader(em: EntityManager, viewer: Viewer | null): DataLoader<string, CsatRow | null> {
  return new DataLoader<string, CsatRow | null>(async (ids) => {
    // An id that is not a UUID names no ticket: keep it out of the uuid[] cast (its key stays null).
    const keys = ids.map((id) => (isUuid(id) ? id.toLowerCase() : null));
    const statement = batchStatement(viewer, keys.filter((k): k is string => k !== null));
    const rows = statement ? await query<CsatRow>(em, statement.text, statement.values, statement.name) : [];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return keys.map((k) => (k === null ? null : (byId.get(k) ?? null)));
  });
}

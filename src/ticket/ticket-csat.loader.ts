import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { isUuid } from '../auth/viewer.js';
import { query } from '../db/sql.js';
import { ratedAtSql, type TicketCsatRow } from './ticket-csat.row.js';

// One statement for any number of tickets: the ids travel as one uuid[] parameter.
export const BATCH_SQL = `
select t.id, t.workspace_id, t.requester_id, t.status, r.rating, r.comment, ${ratedAtSql('r.rated_at')} as rated_at
  from ticket t
  left join csat_rating r on r.workspace_id = t.workspace_id and r.ticket_id = t.id
 where t.id = any($1::uuid[])`;

/** Ticket id -> its CSAT row, in key order; null for an id that names no ticket. */
export function createTicketCsatLoader(em: EntityManager): DataLoader<string, TicketCsatRow | null> {
  return new DataLoader<string, TicketCsatRow | null>(async (ids) => {
    // An id that is not a UUID names no ticket: keep it out of the uuid[] cast (its key stays null).
    const keys = ids.map((id) => (isUuid(id) ? id.toLowerCase() : null));
    const wanted = keys.filter((k): k is string => k !== null);
    const rows = wanted.length ? await query<TicketCsatRow>(em, BATCH_SQL, [wanted], 'csat_ticket_batch') : [];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return keys.map((k) => (k === null ? null : (byId.get(k) ?? null)));
  });
}

import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid, type Viewer } from '../auth/viewer.js';
import { query } from '../db/sql.js';
import { NotFoundError, TicketNotResolvedError, UnauthenticatedError } from '../errors/domain.errors.js';
import { RATEABLE_STATUSES, ratedAtSql, type TicketCsatRow } from '../ticket/ticket-csat.row.js';
import { normaliseRatingInput } from './rating.rules.js';

/**
 * One statement: find the ticket, insert the rating if this requester may rate and nobody has,
 * and return the stored rating. The primary key makes "first call wins" the database's rule.
 */
const RATE_SQL = `
with t as (
  select id, workspace_id, requester_id, assignee_id, status from ticket where id = $1::uuid
), ins as (
  insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_by, assignee_id)
  select t.workspace_id, t.id, $2, $3, $4::uuid, t.assignee_id
    from t
   where t.requester_id = $4::uuid and t.workspace_id = $5::uuid and t.status = any($6::text[])
  on conflict (workspace_id, ticket_id) do nothing
  returning rating, comment, rated_at
)
select t.id, t.workspace_id, t.requester_id, t.status,
       coalesce(ins.rating, r.rating) as rating,
       case when ins.rating is null then r.comment else ins.comment end as comment,
       ${ratedAtSql('coalesce(ins.rated_at, r.rated_at)')} as rated_at
  from t
  left join ins on true
  left join csat_rating r on r.workspace_id = t.workspace_id and r.ticket_id = t.id`;

// A concurrent first rating commits after our statement's snapshot: ON CONFLICT sees it, the
// snapshot does not. A fresh statement does; this is the second and last round trip.
const STORED_SQL = `
select rating, comment, ${ratedAtSql('rated_at')} as rated_at from csat_rating where workspace_id = $1::uuid and ticket_id = $2::uuid`;

/**
 * rateTicket: stores the first rating and returns the ticket's row; every later call returns the
 * stored rating unchanged (the silent no-op). At most two SQL round trips.
 */
export async function rateTicket(
  em: EntityManager,
  viewer: Viewer | null,
  ticketId: string,
  rating: number,
  comment: string | null | undefined,
): Promise<TicketCsatRow> {
  if (!viewer) throw new UnauthenticatedError('rateTicket needs a customer token');
  const input = normaliseRatingInput(rating, comment);
  // Only the requester may rate; everyone else learns nothing about the ticket, not even that it exists.
  if (viewer.role !== 'customer' || !isUuid(ticketId)) throw new NotFoundError('ticket not found');

  const [row] = await query<TicketCsatRow>(em, RATE_SQL, [ticketId, input.rating, input.comment, viewer.sub, viewer.workspace, [...RATEABLE_STATUSES]], 'csat_rate');
  if (!row || row.requester_id !== viewer.sub || row.workspace_id !== viewer.workspace) throw new NotFoundError('ticket not found');
  if (row.rating !== null) return row;
  if (!RATEABLE_STATUSES.has(row.status)) throw new TicketNotResolvedError('the ticket can be rated once it is resolved or closed');

  const [stored] = await query<Pick<TicketCsatRow, 'rating' | 'comment' | 'rated_at'>>(em, STORED_SQL, [row.workspace_id, row.id], 'csat_stored_rating');
  if (!stored) throw new Error(`rateTicket: no rating stored for ticket ${row.id} after a conflicting insert`);
  return { ...row, ...stored };
}

import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid, type Viewer } from '../auth/viewer.js';
import { CsatDisabledError, NotFoundError, TicketNotResolvedError } from '../errors/domain.errors.js';
import { RATEABLE_STATUSES, type TicketCsatRow } from '../ticket/ticket-csat.row.js';
import { CsatRating } from './rating.entity.js';
import { normaliseRatingInput } from './rating.rules.js';
import type { RatingChannel } from './rating.repository.js';

/**
 * rateTicket: stores the first rating and returns the ticket's row; every later call returns the
 * stored rating unchanged (the silent no-op). At most two SQL round trips (rating.repository.ts). The caller is
 * signed in (`@Authorized`, rating.resolver.ts).
 */
export async function rateTicket(
  em: EntityManager,
  viewer: Viewer,
  ticketId: string,
  rating: number,
  comment: string | null | undefined,
  // issue 20: a rating link's page rates through EMAIL; rateTicket (GraphQL) is the portal's.
  channel: RatingChannel = 'PORTAL',
): Promise<TicketCsatRow> {
  const input = normaliseRatingInput(rating, comment);
  // Only the requester may rate; everyone else learns nothing about the ticket, not even that it exists.
  if (viewer.role !== 'customer' || !isUuid(ticketId)) throw new NotFoundError('ticket not found');

  const ratings = em.getRepository(CsatRating);
  const row = await ratings.rate(viewer, ticketId, input, channel);
  if (!row || row.requester_id !== viewer.sub || row.workspace_id !== viewer.workspace) throw new NotFoundError('ticket not found');
  if (row.rating !== null) return row;
  // The stored rating stays the answer (the no-op); only a new one is refused.
  if (row.csat_enabled === false) throw new CsatDisabledError('CSAT is turned off for this workspace');
  if (!RATEABLE_STATUSES.has(row.status)) throw new TicketNotResolvedError('the ticket can be rated once it is resolved or closed');

  const stored = await ratings.findStored(row.workspace_id, row.id);
  if (!stored) throw new Error(`rateTicket: no rating stored for ticket ${row.id} after a conflicting insert`);
  return { ...row, ...stored };
}

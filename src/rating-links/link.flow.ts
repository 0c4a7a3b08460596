import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer.js';
import { BadUserInputError, CsatDisabledError, NotFoundError, TicketNotResolvedError } from '../errors/domain.errors.js';
import { rateTicket } from '../rating/rating.service.js';
import { RATEABLE_STATUSES } from '../ticket/ticket-csat.row.js';
import type { PageState } from './link.page.js';
import { ticketOfLink, type LinkPageRow } from './link.repository.js';
import type { LinkClaims } from './link.token.js';

/** The ticket's state as the page shows it, in the order the checks run (docs/email-links.md). */
function stateOf(claims: LinkClaims, row: LinkPageRow | undefined): PageState | undefined {
  if (!row) return { kind: 'message', message: 'notFound' };
  if (row.requester_id !== claims.requesterId) return { kind: 'message', message: 'requesterChanged' };
  // The first rating is final: shown read-only whatever happened to the ticket since (reopened, CSAT turned off).
  if (row.rating !== null) return { kind: 'done', rating: row.rating, comment: row.comment };
  if (!row.csat_enabled) return { kind: 'message', message: 'disabled' };
  if (!RATEABLE_STATUSES.has(row.status)) return { kind: 'message', message: 'notResolved' };
  return undefined;
}

/** GET: what the link shows now. One read; never a write (a mail scanner opening every link rates nothing). */
export async function showLink(em: EntityManager, claims: LinkClaims, rating: number | undefined): Promise<PageState> {
  return stateOf(claims, await ticketOfLink(em, claims.workspaceId, claims.ticketId)) ?? { kind: 'prompt', rating };
}

/**
 * POST: rateTicket itself, as the link's requester (its statement checks that they still are the ticket's
 * requester, the status, the settings, the first-rating-wins key): no second copy of the rating's rules.
 * A refusal is told apart by one more read, off the hot path.
 */
export async function rateByLink(em: EntityManager, claims: LinkClaims, rating: number | undefined, comment: string): Promise<PageState> {
  if (rating === undefined) {
    const state = await showLink(em, claims, undefined);
    return state.kind === 'prompt' ? { kind: 'prompt', comment, problem: 'chooseRating' } : state;
  }
  const requester: Viewer = { sub: claims.requesterId, role: 'customer', workspace: claims.workspaceId };
  try {
    const row = await rateTicket(em, requester, claims.ticketId, rating, comment, 'EMAIL');
    return { kind: 'done', rating: row.rating!, comment: row.comment };
  } catch (err) {
    if (err instanceof BadUserInputError) {
      // The stored rating, if any, still wins over a bad comment: the same check order as rateTicket's answer.
      const state = await showLink(em, claims, rating);
      return state.kind === 'prompt' ? { kind: 'prompt', rating, comment, problem: err.field === 'comment' && /at most/.test(err.message) ? 'tooLong' : err.field === 'comment' ? 'invalidComment' : 'chooseRating' } : state;
    }
    if (err instanceof CsatDisabledError) return { kind: 'message', message: 'disabled' };
    if (err instanceof TicketNotResolvedError) return { kind: 'message', message: 'notResolved' };
    if (err instanceof NotFoundError) return stateOf(claims, await ticketOfLink(em, claims.workspaceId, claims.ticketId)) ?? { kind: 'message', message: 'notFound' };
    throw err;
  }
}

import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid, type Viewer } from '../auth/viewer.js';
import { AlreadyRatedError, CsatDisabledError, NotFoundError, TicketNotResolvedError } from '../errors/domain.errors.js';
import { RATEABLE_STATUSES } from '../ticket/ticket-csat.row.js';
import { languageOf } from '../../web/src/catalogue.js';
import { emailFragment } from './link.email.js';
import { offerByLink } from './link.repository.js';
import type { LinkSigner } from './link.token.js';
import type { CsatRatingLinksType } from './link.type.js';

/** What csatRatingLinks holds for the life of the service (app.ts). */
export interface RatingLinkDeps {
  signer: LinkSigner;
  /** PUBLIC_URL, or the listener's own address outside production (known once it listens). */
  publicUrl: () => string;
}

export const RATINGS = [1, 2, 3, 4, 5] as const;

/** The page's path for a token; the rating (when chosen) is the only query parameter. */
export function rateUrl(publicUrl: string, token: string, rating?: number): string {
  return `${publicUrl}/rate/${token}${rating ? `?rating=${rating}` : ''}`;
}

/**
 * csatRatingLinks: a staff or service caller of the ticket's workspace asks for the links of a ticket that can be
 * rated now; the ticket is recorded as offered (through EMAIL) in the same statement. One statement.
 */
export async function issueRatingLinks(em: EntityManager, viewer: Viewer, deps: RatingLinkDeps, ticketId: string, locale: string | null | undefined): Promise<CsatRatingLinksType> {
  // Another workspace's ticket is as unknown as a missing one.
  if (!isUuid(ticketId)) throw new NotFoundError('ticket not found');
  const row = await offerByLink(em, viewer.workspace, ticketId.toLowerCase());
  if (!row) throw new NotFoundError('ticket not found');
  if (row.rated) throw new AlreadyRatedError('the ticket has been rated already');
  if (!row.csat_enabled) throw new CsatDisabledError('CSAT is turned off for this workspace');
  if (!RATEABLE_STATUSES.has(row.status)) throw new TicketNotResolvedError('the ticket can be rated once it is resolved or closed');

  const lang = languageOf(locale);
  const { token, expiresAt } = await deps.signer.sign({ ticketId: row.id, workspaceId: row.workspace_id, requesterId: row.requester_id, locale: locale ? lang : undefined });
  const base = deps.publicUrl();
  const url = rateUrl(base, token);
  const ratingUrls = RATINGS.map((n) => rateUrl(base, token, n));
  const expires = new Date(expiresAt * 1000);
  return { url, ratingUrls, expiresAt: expires.toISOString(), ...emailFragment(lang, url, ratingUrls, expires) };
}

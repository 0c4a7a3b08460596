import type { EntityManager } from '@mikro-orm/postgresql';
import { prepared } from '../db/prepared.statements.js';
import { instantSql, sqlRows } from '../db/sql.helpers.js';
import { DEFAULT_SETTINGS } from '../settings/settings.rules.js';
import { RATEABLE_STATUSES, type TicketCsatRow } from '../ticket/ticket-csat.row.js';

// Hand-written statements of the rating links (prepared, like the rating path): one round trip each. The rating
// itself is rateTicket's own statement (src/rating/rate.statement.ts), never a second copy of its rules.

/**
 * csatRatingLinks: the ticket in the caller's workspace with what decides whether it can be rated, and its offer
 * recorded in the same statement when it can (docs/insights.md: an email's rating links are an offer; a link
 * issued twice is one offer, the offer's primary key).
 */
const LINK_OFFER_SQL = prepared(
  'csat_link_offer',
  `with t as (
     select t.id, t.workspace_id, t.requester_id, t.status, t.assignee_id, (r.ticket_id is not null) as rated,
            coalesce(s.enabled, ${DEFAULT_SETTINGS.enabled}) as csat_enabled -- settings: no row = the defaults
       from ticket t
       left join csat_rating r on r.workspace_id = t.workspace_id and r.ticket_id = t.id
       left join csat_settings s on s.workspace_id = t.workspace_id
      where t.id = $1::uuid and t.workspace_id = $2::uuid
   ), offered as (
     insert into csat_offer (workspace_id, ticket_id, assignee_id, channel)
     select t.workspace_id, t.id, t.assignee_id, 'EMAIL'
       from t
      where not t.rated and t.csat_enabled and t.status = any($3::text[])
     -- One offer per ticket: the first one's channel stays (a portal page's prompt seen before the email: PORTAL).
     on conflict (workspace_id, ticket_id) do nothing
   )
   select id, workspace_id, requester_id, status, rated, csat_enabled from t`,
);

/** The rating page's read (GET /rate/<token>): never writes. */
const LINK_PAGE_SQL = prepared(
  'csat_link_page',
  `select t.id, t.workspace_id, t.requester_id, t.status, r.rating, r.comment, ${instantSql('r.rated_at')} as rated_at,
          coalesce(s.enabled, ${DEFAULT_SETTINGS.enabled}) as csat_enabled
     from ticket t
     left join csat_rating r on r.workspace_id = t.workspace_id and r.ticket_id = t.id
     left join csat_settings s on s.workspace_id = t.workspace_id
    where t.id = $1::uuid and t.workspace_id = $2::uuid`,
);

export interface LinkOfferRow {
  id: string;
  workspace_id: string;
  requester_id: string;
  status: string;
  rated: boolean;
  csat_enabled: boolean;
}

/** The page's ticket: the CSAT columns every ticket row brings (ticket-csat.row.ts), and the workspace's switch. */
export type LinkPageRow = Omit<TicketCsatRow, 'csat_enabled'> & { csat_enabled: boolean };

export async function offerByLink(em: EntityManager, workspaceId: string, ticketId: string): Promise<LinkOfferRow | undefined> {
  return (await sqlRows<LinkOfferRow>(em.getKysely(), LINK_OFFER_SQL, [ticketId, workspaceId, [...RATEABLE_STATUSES]]))[0];
}

export async function ticketOfLink(em: EntityManager, workspaceId: string, ticketId: string): Promise<LinkPageRow | undefined> {
  return (await sqlRows<LinkPageRow>(em.getKysely(), LINK_PAGE_SQL, [ticketId, workspaceId]))[0];
}

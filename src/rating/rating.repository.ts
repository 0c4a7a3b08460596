import { EntityRepository } from '@mikro-orm/postgresql';
import { isUuid, type Viewer } from '../auth/viewer.js';
import { prepared } from '../db/prepared.statements.js';
import { RATEABLE_STATUSES, type CsatRow, type TicketCsatRow } from '../ticket/ticket-csat.row.js';
import { instantSql, sqlRows } from '../db/sql.helpers.js';
import type { CsatRating } from './rating.entity.js';
import type { RatingInput } from './rating.rules.js';
import { RATE_SQL, STORED_SQL } from './rate.statement.js';

// Hand-written, prepared statements: the hot path (docs/performance.md), each with its measured figure. Each is one
// round trip whatever the page size: the ids travel as one uuid[] parameter. rateTicket's: rate.statement.ts.
// The `_entities` page as a whole (bench/README.md, run (a), 50 representations): 735 requests/s on the quiet
// machine at `f295795`, 0.45-0.46 ms of this process's CPU per page at `4442bd3`.

/**
 * An agent's or admin's page: they see every rating of their workspace and never rate, so the ratings
 * table alone answers on its primary key. 90-100 µs of PostgreSQL CPU per 50-ticket page vs 210-240 µs for the join.
 */
const STAFF_BATCH_SQL = prepared(
  'csat_staff_batch',
  `select r.ticket_id as id, r.workspace_id, r.rating, r.comment, ${instantSql('r.rated_at')} as rated_at
     from csat_rating r
    where r.workspace_id = $1 and r.ticket_id = any($2::uuid[])`,
);

/** A customer's page: the ticket brings its requester and status (csatCanRate, "only their own tickets"). Prepared: a generic index plan instead of a sequential scan per page, ~2x faster. */
const REQUESTER_BATCH_SQL = prepared(
  'csat_ticket_batch',
  `select t.id, t.workspace_id, t.requester_id, t.status, r.rating, r.comment, ${instantSql('r.rated_at')} as rated_at,
          coalesce(s.enabled, true) as csat_enabled -- settings: a disabled workspace offers no rating (csatCanRate)
     from ticket t
     left join csat_rating r on r.workspace_id = t.workspace_id and r.ticket_id = t.id
     left join csat_settings s on s.workspace_id = t.workspace_id -- settings: no row = the defaults (enabled)
    where t.id = any($1::uuid[])`,
);

/**
 * The offer. Issue 10 (insights): a customer's page that selects csatCanRate records the prompts it shows, in the same one
 * statement: the offer of every ticket in $2 this customer can rate now (csat_offer; a trigger keeps the rollup).
 * Kept apart from csat_ticket_batch so pages without csatCanRate (and staff) never write. No figure of its own yet:
 * bench/README.md measures the staff page (a) and the customer's rating (d); a customer's page with csatCanRate is
 * the one hot statement the bench does not isolate.
 */
const REQUESTER_OFFER_BATCH_SQL = prepared(
  'csat_ticket_batch_offer',
  `with t as (
     select t.id, t.workspace_id, t.requester_id, t.status, t.assignee_id, r.rating, r.comment, ${instantSql('r.rated_at')} as rated_at,
            coalesce(s.enabled, true) as csat_enabled -- settings: as csat_ticket_batch
       from ticket t
       left join csat_rating r on r.workspace_id = t.workspace_id and r.ticket_id = t.id
       left join csat_settings s on s.workspace_id = t.workspace_id
      where t.id = any($1::uuid[])
   ), offered as (
     insert into csat_offer (workspace_id, ticket_id, assignee_id)
     select t.workspace_id, t.id, t.assignee_id
       from t
      where t.id = any($2::uuid[]) and t.requester_id = $3::uuid and t.workspace_id = $4::uuid and t.rating is null and t.status = any($5::text[])
        and t.csat_enabled -- settings: a disabled workspace shows no prompt, so offers none
      -- One order for every page: two pages at once take the offers' and rollups' row locks in the same order, no deadlock.
      order by t.assignee_id, t.id
     on conflict (workspace_id, ticket_id) do nothing
   )
   select id, workspace_id, requester_id, status, rating, comment, rated_at, csat_enabled from t`,
);

/**
 * The statement (and its parameters) that answers this viewer's page; none for an anonymous caller, who sees
 * nothing. `offerIds`: the tickets whose csatCanRate was asked for, whose prompts a customer's page records.
 */
export function batchStatement(viewer: Viewer | null, ids: string[], offerIds: string[] = []): { text: string; values: unknown[]; replica?: true } | null {
  if (!viewer || !ids.length) return null;
  // Staff pages may be a moment stale (a standby within REPLICA_MAX_LAG_MS); a customer's never: they read their own rating at once.
  if (viewer.role !== 'customer') return { text: STAFF_BATCH_SQL, values: [viewer.workspace, ids], replica: true };
  if (!offerIds.length) return { text: REQUESTER_BATCH_SQL, values: [ids] };
  return { text: REQUESTER_OFFER_BATCH_SQL, values: [ids, offerIds, viewer.sub, viewer.workspace, [...RATEABLE_STATUSES]] };
}

export class CsatRatingRepository extends EntityRepository<CsatRating> {
  /**
   * Through the EntityManager's Kysely: the request's connection (or transaction), counted like every statement.
   * `replica`: a read that may go to a read replica (db/replica.router.ts); inside a transaction it stays on it.
   */
  private rows<Row>(text: string, values: unknown[], replica = false): Promise<Row[]> {
    return sqlRows<Row>(this.em.getKysely(replica ? { type: 'read' } : {}), text, values);
  }

  /**
   * Ticket id -> its CSAT row, in key order; null for an id with nothing this viewer may see. One statement at
   * most. `offerIds`: ids whose csatCanRate was selected (a customer's page records those prompts).
   */
  async findPage(viewer: Viewer | null, ids: readonly string[], offerIds: readonly string[] = []): Promise<(CsatRow | null)[]> {
    // An id that is not a UUID names no ticket: keep it out of the uuid[] cast (its key stays null).
    const keys = ids.map((id) => (isUuid(id) ? id.toLowerCase() : null));
    const offers = [...new Set(offerIds.filter(isUuid).map((id) => id.toLowerCase()))];
    const statement = batchStatement(viewer, [...new Set(keys.filter((k): k is string => k !== null))], offers);
    const found = statement ? await this.rows<CsatRow>(statement.text, statement.values, statement.replica) : [];
    const byId = new Map(found.map((r) => [r.id, r]));
    return keys.map((k) => (k === null ? null : (byId.get(k) ?? null)));
  }

  /** Stores the first rating of a ticket this customer requested; returns the ticket's row with the stored rating (or none: no such ticket). */
  async rate(viewer: Viewer, ticketId: string, input: RatingInput): Promise<TicketCsatRow | undefined> {
    const [row] = await this.rows<TicketCsatRow>(RATE_SQL, [ticketId, input.rating, input.comment, viewer.sub, viewer.workspace, [...RATEABLE_STATUSES]]);
    return row;
  }

  /**
   * A concurrent first rating commits after the rate statement's snapshot: ON CONFLICT sees it, the
   * snapshot does not. A fresh statement does; this is the second and last round trip.
   */
  async findStored(workspaceId: string, ticketId: string): Promise<Pick<TicketCsatRow, 'rating' | 'comment' | 'rated_at'> | undefined> {
    const [row] = await this.rows<Pick<TicketCsatRow, 'rating' | 'comment' | 'rated_at'>>(STORED_SQL, [workspaceId, ticketId]);
    return row;
  }
}

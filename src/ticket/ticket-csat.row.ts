/** What one SQL row brings for a ticket: its CSAT columns and what visibility needs. */
export interface TicketCsatRow {
  id: string;
  workspace_id: string;
  requester_id: string;
  status: string;
  rating: number | null;
  comment: string | null;
  /** RFC 3339 UTC text, as instantSql (db/sql.helpers.ts) formats it. */
  rated_at: string | null;
  /** The workspace's settings switch (true without a settings row); customers' pages and rateTicket bring it. */
  csat_enabled?: boolean;
}

/** What a page's batch gives for a ticket: staff rows come from the ratings alone, with no requester or status (staff never rate). */
export type CsatRow = Omit<TicketCsatRow, 'requester_id' | 'status'> & Partial<Pick<TicketCsatRow, 'requester_id' | 'status'>>;

export const RATEABLE_STATUSES: ReadonlySet<string> = new Set(['resolved', 'closed']);

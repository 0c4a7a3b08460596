/** What one SQL row brings for a ticket: its CSAT columns and what visibility needs. */
export interface TicketCsatRow {
  id: string;
  workspace_id: string;
  requester_id: string;
  status: string;
  rating: number | null;
  comment: string | null;
  /** RFC 3339 UTC text, as ratedAtSql formats it. */
  rated_at: string | null;
  /** The workspace's settings switch (true without a settings row); customers' pages and rateTicket bring it. */
  csat_enabled?: boolean;
}

/** What a page's batch gives for a ticket: staff rows come from the ratings alone, with no requester or status (staff never rate). */
export type CsatRow = Omit<TicketCsatRow, 'requester_id' | 'status'> & Partial<Pick<TicketCsatRow, 'requester_id' | 'status'>>;

/** rated_at as RFC 3339 UTC with milliseconds, whatever the session's TimeZone. */
export const ratedAtSql = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export const RATEABLE_STATUSES: ReadonlySet<string> = new Set(['resolved', 'closed']);

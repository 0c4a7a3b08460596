import type { Viewer } from '../auth/viewer.js';
import type { Ticket } from './ticket.type.js';
import { RATEABLE_STATUSES, type CsatRow } from './ticket-csat.row.js';

/** Agents and admins see their workspace's tickets; a customer sees the tickets they requested. Never across workspaces. */
export function canSeeCsat(viewer: Viewer | null, row: CsatRow): boolean {
  if (!viewer || viewer.workspace !== row.workspace_id) return false;
  return viewer.role !== 'customer' || viewer.sub === row.requester_id;
}

/** Only the requester, only once, only on a resolved or closed ticket, only while the workspace has CSAT enabled. */
export function canRate(viewer: Viewer | null, row: CsatRow): boolean {
  return (
    viewer?.role === 'customer' &&
    canSeeCsat(viewer, row) &&
    row.rating === null &&
    row.csat_enabled !== false &&
    row.status !== undefined &&
    RATEABLE_STATUSES.has(row.status)
  );
}

/** The Ticket as this viewer may see it: CSAT fields or nulls, never an error. */
export function ticketView(id: string, row: CsatRow | null, viewer: Viewer | null): Ticket {
  if (!row || !canSeeCsat(viewer, row)) {
    return { id, csatRating: null, csatComment: null, csatRatedAt: null, csatCanRate: false };
  }
  return {
    id,
    csatRating: row.rating,
    csatComment: row.comment,
    csatRatedAt: row.rated_at,
    csatCanRate: canRate(viewer, row),
  };
}

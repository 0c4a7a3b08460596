import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { isUuid, type Viewer } from '../auth/viewer.js';
import { sqlRows } from '../db/sql.helpers.js';
import { FOLLOW_UP_PAGE_SQL } from './followup.sql.js';
import type { CsatFollowUpState } from './followup.state.js';
import type { CsatFollowUpChangeType, CsatFollowUpType } from './followup.types.js';

interface FollowUpRow {
  ticket_id: string;
  state: CsatFollowUpState;
  owner_id: string | null;
  note: string | null;
  opened_at: string;
  updated_at: string;
  updated_by: string | null;
  done_at: string | null;
  history: CsatFollowUpChangeType[];
}

export type FollowUpLoader = DataLoader<string, CsatFollowUpType | null, string>;

declare module '../context/request.context.js' {
  interface Loaders {
    followUp: FollowUpLoader;
  }
}

const view = (r: FollowUpRow): CsatFollowUpType => ({
  state: r.state,
  owner: r.owner_id,
  note: r.note,
  openedAt: r.opened_at,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
  doneAt: r.done_at,
  history: r.history,
});

/**
 * Ticket id -> its follow-up, for staff of the workspace: every Ticket.csatFollowUp of one request in one batch,
 * one statement (so a page that selects it costs one statement more, whatever its size, and a page that does
 * not select it costs none). Anyone else gets null without SQL.
 */
export function createFollowUpLoader(em: EntityManager, viewer: Viewer | null): FollowUpLoader {
  return new DataLoader<string, CsatFollowUpType | null, string>(
    async (ids) => {
      const keys = ids.map((id) => (isUuid(id) ? id.toLowerCase() : null));
      const wanted = [...new Set(keys.filter((k): k is string => k !== null))];
      if (!viewer || viewer.role === 'customer' || !wanted.length) return ids.map(() => null);
      const rows = await sqlRows<FollowUpRow>(em.getKysely(), FOLLOW_UP_PAGE_SQL, [viewer.workspace, wanted]);
      const byId = new Map(rows.map((r) => [r.ticket_id, view(r)]));
      return keys.map((k) => (k === null ? null : (byId.get(k) ?? null)));
    },
    { cacheKeyFn: (id) => id.toLowerCase() },
  );
}

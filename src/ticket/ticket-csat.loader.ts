import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { Viewer } from '../auth/viewer.js';
import { CsatRating } from '../rating/rating.entity.js';
import type { CsatRow } from './ticket-csat.row.js';

/** Ticket id -> its CSAT row for this viewer: every `_entities` representation of one request in one batch, one statement. */
export function createTicketCsatLoader(em: EntityManager, viewer: Viewer | null): DataLoader<string, CsatRow | null> {
  const ratings = em.getRepository(CsatRating);
  return new DataLoader<string, CsatRow | null>((ids) => ratings.findPage(viewer, ids));
}

import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { Viewer } from '../auth/viewer.js';
import { CsatRating } from '../rating/rating.entity.js';
import type { CsatRow } from './ticket-csat.row.js';

/** A ticket to load, and whether its csatCanRate was selected (then a customer's page records the prompt shown). */
export interface CsatKey {
  id: string;
  offer: boolean;
}

/** Ticket id -> its CSAT row for this viewer: every `_entities` representation of one request in one batch, one statement. */
export function createTicketCsatLoader(em: EntityManager, viewer: Viewer | null): DataLoader<CsatKey, CsatRow | null, string> {
  const ratings = em.getRepository(CsatRating);
  return new DataLoader<CsatKey, CsatRow | null, string>(
    (keys) => ratings.findPage(viewer, keys.map((k) => k.id), keys.filter((k) => k.offer).map((k) => k.id)),
    { cacheKeyFn: (k) => `${k.offer ? 'o' : 'r'}:${k.id}` },
  );
}

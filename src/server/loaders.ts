import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer.js';
import type DataLoader from 'dataloader';
import { createTicketCsatLoader, type CsatKey } from '../ticket/ticket-csat.loader.js';
import type { CsatRow } from '../ticket/ticket-csat.row.js';

export interface Loaders {
  ticketCsat: DataLoader<CsatKey, CsatRow | null, string>;
}

/** Every DataLoader of one request, on that request's EntityManager fork and for its viewer: the cache lives exactly one request. */
export function createLoaders(em: EntityManager, viewer: Viewer | null): Loaders {
  return { ticketCsat: createTicketCsatLoader(em, viewer) };
}

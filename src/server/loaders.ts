import type { EntityManager } from '@mikro-orm/postgresql';
import type DataLoader from 'dataloader';
import { createTicketCsatLoader } from '../ticket/ticket-csat.loader.js';
import type { TicketCsatRow } from '../ticket/ticket-csat.row.js';

export interface Loaders {
  ticketCsat: DataLoader<string, TicketCsatRow | null>;
}

/** Every DataLoader of one request, on that request's EntityManager fork. */
export function createLoaders(em: EntityManager): Loaders {
  return { ticketCsat: createTicketCsatLoader(em) };
}

import DataLoader from 'dataloader';
import type { Viewer } from '../auth/viewer.js';
import type { CsatRow } from './ticket-csat.row.js';

/** A ticket to load, and whether its csatCanRate was selected (then a customer's page records the prompt shown). */
export interface CsatKey {
  id: string;
  offer: boolean;
}

export type TicketCsatLoader = DataLoader<CsatKey, CsatRow | null, string>;

declare module '../context/request.context.js' {
  interface Loaders {
    ticketCsat: TicketCsatLoader;
  }
}

/** Where a page's CSAT rows come from: the ratings repository's one statement (rating.repository.ts, handed over by app.ts). */
export interface CsatPageSource {
  /** Ticket id -> its CSAT row for this viewer, in key order (null: nothing it may see); `offerIds`: prompts to record. */
  findPage(viewer: Viewer | null, ids: readonly string[], offerIds: readonly string[]): Promise<(CsatRow | null)[]>;
}

/** Ticket id -> its CSAT row for this viewer: every `_entities` representation of one request in one batch, one statement. */
export function createTicketCsatLoader(ratings: CsatPageSource, viewer: Viewer | null): TicketCsatLoader {
  return new DataLoader<CsatKey, CsatRow | null, string>(
    (keys) => ratings.findPage(viewer, keys.map((k) => k.id), keys.filter((k) => k.offer).map((k) => k.id)),
    { cacheKeyFn: (k) => `${k.offer ? 'o' : 'r'}:${k.id}` },
  );
}

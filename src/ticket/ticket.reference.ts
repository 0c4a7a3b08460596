import type { RequestContext } from '../server/context.js';
import type { Ticket } from './ticket.type.js';
import { ticketView } from './ticket.visibility.js';

/** The router's entry point: every Ticket representation of one `_entities` call goes through one loader batch. */
export const ticketReferenceResolvers = {
  Ticket: {
    __resolveReference(ref: { id?: unknown }, ctx: RequestContext): Promise<Ticket | null> | null {
      // A representation without a usable id names no ticket: null in place, never an error for the page.
      if (typeof ref.id !== 'string' && typeof ref.id !== 'number') return null;
      const id = String(ref.id);
      return ctx.loaders.ticketCsat.load(id).then((row) => ticketView(id, row, ctx.viewer));
    },
  },
};

import type { RequestContext } from '../server/context.js';
import type { Ticket } from './ticket.type.js';
import { ticketView } from './ticket.visibility.js';

/** The router's entry point: every Ticket representation of one `_entities` call goes through one loader batch. */
export const ticketReferenceResolvers = {
  Ticket: {
    __resolveReference(ref: { id: string }, ctx: RequestContext): Promise<Ticket> {
      return ctx.loaders.ticketCsat.load(ref.id).then((row) => ticketView(ref.id, row, ctx.viewer));
    },
  },
};

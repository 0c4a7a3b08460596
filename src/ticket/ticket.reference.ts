import type { RequestContext } from '../server/context.js';
import type { Ticket } from './ticket.type.js';
import { ticketView } from './ticket.visibility.js';

/** The router's entry point: every Ticket representation of one `_entities` call goes through one loader batch. */
export const ticketReferenceResolvers = {
  Ticket: {
    async __resolveReference(ref: { id: string }, ctx: RequestContext): Promise<Ticket> {
      const row = await ctx.loaders.ticketCsat.load(ref.id);
      return ticketView(ref.id, row, ctx.viewer);
    },
  },
};

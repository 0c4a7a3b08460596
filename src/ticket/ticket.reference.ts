import type { GraphQLResolveInfo } from 'graphql';
import type { RequestContext } from '../context/request.context.js';
import { recordsOffers } from './ticket.selection.js';
import type { Ticket } from './ticket.type.js';
import { ticketView } from './ticket.visibility.js';

/** A representation's ticket id; none (null in place, never an error for the page) without a usable id. */
function idOf(ref: { id?: unknown }): string | null {
  return typeof ref.id === 'string' || typeof ref.id === 'number' ? String(ref.id) : null;
}

/** The router's entry point per representation: every Ticket of one `_entities` call goes through one loader batch. */
export const ticketReferenceResolvers = {
  Ticket: {
    __resolveReference(ref: { id?: unknown }, ctx: RequestContext, info?: GraphQLResolveInfo): Promise<Ticket | null> | null {
      const id = idOf(ref);
      return id === null ? null : ctx.loaders.ticketCsat.load({ id, offer: recordsOffers(ctx.viewer, info) }).then((row) => ticketView(id, row, ctx.viewer));
    },
  },
};

/**
 * A whole `_entities` page of Tickets at once: one load for the page, then plain values. The same answer as
 * `__resolveReference` per representation, without a promise per entity for graphql-js to settle.
 * Undefined when a representation is not a Ticket object: the general resolver then answers (and refuses it).
 */
export function resolveTicketPage(representations: unknown, ctx: RequestContext, info?: GraphQLResolveInfo): Promise<(Ticket & { __typename: 'Ticket' } | null)[]> | undefined {
  if (!Array.isArray(representations)) return undefined;
  const ids: (string | null)[] = [];
  for (const ref of representations as { __typename?: unknown; id?: unknown }[]) {
    if (typeof ref !== 'object' || ref === null || ref.__typename !== 'Ticket') return undefined;
    ids.push(idOf(ref));
  }
  const wanted = ids.filter((id): id is string => id !== null);
  const offer = recordsOffers(ctx.viewer, info);
  return ctx.loaders.ticketCsat.loadMany(wanted.map((id) => ({ id, offer }))).then((rows) => {
    let next = 0;
    return ids.map((id) => {
      if (id === null) return null;
      const row = rows[next++];
      if (row instanceof Error) throw row;
      return { __typename: 'Ticket' as const, ...ticketView(id, row ?? null, ctx.viewer) };
    });
  });
}

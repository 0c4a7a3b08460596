// The one way the components talk to the GraphQL endpoint (the gateway): a POST with the host's token or
// through the host's own fetch. Nothing is kept between calls: no token, no answer.

/** The host's fetch, for its own auth (cookies, refreshed tokens, headers) or for tests. Same contract as window.fetch. */
export type CsatFetch = (input: string, init: RequestInit) => Promise<Response>;

export interface Transport {
  endpoint: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token?: string | null;
  fetch?: CsatFetch | null;
}

/** A ticket's CSAT fields, as `csatTicket` and `rateTicket` answer them. */
export interface TicketCsat {
  id: string;
  csatRating: number | null;
  csatComment: string | null;
  /** RFC 3339, UTC. */
  csatRatedAt: string | null;
  csatCanRate: boolean;
}

/** Codes the components tell apart; any other `extensions.code` of the server is kept as it is. */
export type CsatErrorCode = 'NETWORK' | 'TICKET_NOT_RESOLVED' | 'CSAT_DISABLED' | 'SERVICE_UNAVAILABLE' | 'UNAUTHENTICATED' | 'NOT_FOUND' | 'BAD_USER_INPUT' | (string & {});

export class CsatError extends Error {
  constructor(
    readonly code: CsatErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CsatError';
  }
}

const FIELDS = 'id csatRating csatComment csatRatedAt csatCanRate';

/** What `<csat-prompt>` and `<csat-card>` send by default: this subgraph's own root field, never a helpdesk's. */
export const TICKET_QUERY = `query CsatTicket($id: ID!) { csatTicket(id: $id) { ${FIELDS} } }`;

export const RATE_MUTATION = `mutation CsatRate($id: ID!, $rating: Int!, $comment: String) { rateTicket(ticketId: $id, rating: $rating, comment: $comment) { ${FIELDS} } }`;

/** One GraphQL call; its data, or a CsatError with the server's code (NETWORK when no GraphQL answer came back). */
export async function graphql(t: Transport, query: string, variables: Record<string, unknown>): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (t.token) headers.authorization = `Bearer ${t.token}`;
  const init: RequestInit = { method: 'POST', headers, body: JSON.stringify({ query, variables }), credentials: 'same-origin' };
  let res: Response;
  try {
    res = await (t.fetch ? t.fetch(t.endpoint, init) : fetch(t.endpoint, init));
  } catch (err) {
    throw new CsatError('NETWORK', err instanceof Error ? err.message : String(err));
  }
  let body: { data?: Record<string, unknown> | null; errors?: { message?: string; extensions?: { code?: unknown } }[] };
  try {
    body = await res.json();
  } catch {
    // A proxy's HTML error page or a cut connection: no GraphQL server answered.
    throw new CsatError('NETWORK', `HTTP ${res.status} without a GraphQL answer`);
  }
  const first = body?.errors?.[0];
  if (first) throw new CsatError(typeof first.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL_SERVER_ERROR', first.message ?? 'error');
  if (!body?.data) throw new CsatError(res.ok ? 'INTERNAL_SERVER_ERROR' : 'NETWORK', `HTTP ${res.status} without data`);
  return body.data;
}

/** The ticket a query answers: its first root field (a host's own query may name it as it likes). */
export function ticketOf(data: Record<string, unknown>): TicketCsat | null {
  const value = Object.values(data)[0];
  return value && typeof value === 'object' ? (value as TicketCsat) : null;
}

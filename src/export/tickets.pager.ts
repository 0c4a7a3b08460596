// Cursor paging through the listing connection: page N+1 is requested as soon as page N arrives, so the
// network and the CSV writing overlap; at most two pages are in memory at a time.
import { ExportError } from './export.errors.js';
import type { ListingQuery } from './export.query.js';
import type { GatewayClient } from './gateway.client.js';

/** The reference listing's filter (`TicketFilter`); passed as $filter when the query declares it. */
export interface TicketFilter {
  status?: string[];
  assigneeId?: string;
  createdSince?: string;
  createdUntil?: string;
}

export interface Page {
  /** 1-based. */
  number: number;
  nodes: Record<string, unknown>[];
  /** The connection's totalCount when the query selects it. */
  totalCount?: number;
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface PagerOptions {
  client: GatewayClient;
  query: ListingQuery;
  /** Dot path of the connection inside `data` (`tickets`, `viewer.workspace.tickets`). */
  connectionPath: string;
  pageSize: number;
  filter: TicketFilter;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads one page out of `data`, checking the connection's shape (the contract in the README). */
export function readConnection(data: Record<string, unknown>, connectionPath: string, number: number): Page {
  let at: unknown = data;
  for (const key of connectionPath.split('.')) at = isObject(at) ? at[key] : undefined;
  const where = `data.${connectionPath}`;
  if (!isObject(at)) {
    throw new ExportError(`the answer has no connection at ${where}; set --connection-path to the path of the query's connection`);
  }
  let nodes: unknown[];
  if (Array.isArray(at.edges)) {
    nodes = at.edges.map((e) => (isObject(e) ? e.node : undefined));
  } else if (Array.isArray(at.nodes)) {
    nodes = at.nodes;
  } else {
    throw new ExportError(`${where} has no edges { node { … } } (nor nodes) list`);
  }
  if (!nodes.every(isObject)) throw new ExportError(`${where}: every edge must have a node object (a null node means the listing failed for that ticket)`);
  const pageInfo = at.pageInfo;
  if (!isObject(pageInfo) || typeof pageInfo.hasNextPage !== 'boolean') {
    throw new ExportError(`${where} must select pageInfo { hasNextPage endCursor }`);
  }
  const endCursor = pageInfo.endCursor;
  if (endCursor !== null && endCursor !== undefined && typeof endCursor !== 'string') throw new ExportError(`${where}.pageInfo.endCursor must be a string`);
  const totalCount = typeof at.totalCount === 'number' ? at.totalCount : undefined;
  return { number, nodes: nodes as Record<string, unknown>[], totalCount, hasNextPage: pageInfo.hasNextPage, endCursor: endCursor ?? null };
}

/** Every page of the listing, in order. Stops (and cancels the request in flight) when the consumer stops. */
export async function* fetchPages(opts: PagerOptions): AsyncGenerator<Page, void, undefined> {
  const { client, query, connectionPath, pageSize, filter } = opts;
  const cancel = new AbortController();
  const fetchPage = async (number: number, after: string | null): Promise<Page> => {
    const variables: Record<string, unknown> = { first: pageSize, after };
    if (query.variables.has('filter')) variables.filter = filter;
    // A query that declares $withTotal asks for totalCount on the first page only (a count per page costs).
    if (query.variables.has('withTotal')) variables.withTotal = number === 1;
    const data = await client.request(query.text, variables, `page ${number}`, cancel.signal);
    return readConnection(data, connectionPath, number);
  };
  let after: string | null = null;
  let next = fetchPage(1, after);
  try {
    for (;;) {
      const page = await next;
      if (page.hasNextPage) {
        if (!page.endCursor) throw new ExportError(`page ${page.number} says there is a next page but gives no endCursor`);
        if (page.endCursor === after) throw new ExportError(`page ${page.number} gives the same endCursor as the page before; stopping rather than looping`);
        after = page.endCursor;
        next = fetchPage(page.number + 1, after);
        // Awaited on the next turn; until then a rejection must not count as unhandled.
        next.catch(() => {});
      }
      yield page;
      if (!page.hasNextPage) return;
    }
  } finally {
    cancel.abort(new ExportError('cancelled'));
  }
}

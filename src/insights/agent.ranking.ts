import { isUuid } from '../auth/viewer.js';
import { decodeCursor, encodeCursor } from '../federation/cursor.codec.js';
import { insightsCursor } from './insights.filter.js';
import { CsatAgentOrder, type CsatAgentSummary, type CsatAgentSummaryConnection } from './insights.types.js';

/**
 * The per-agent ranking, over the computed rows (one per assignee at rating time: a few hundred per
 * workspace at most), with a keyset cursor on (the order's value, assignee id): **Decision**, docs/insights.md.
 */
type Key = [number, string | null];

/** A key is a finite number: NaN would break the sort and make a cursor readAgentCursor refuses. */
const finite = (x: number | null | undefined) => (x !== null && x !== undefined && Number.isFinite(x) ? x : 0);

const VALUE: Record<CsatAgentOrder, { of(s: CsatAgentSummary): number; desc: boolean }> = {
  // Wilson's lower bound: 3 five-star ratings do not outrank 300 averaging 4.8.
  [CsatAgentOrder.SATISFIED_LOWER_BOUND_DESC]: { of: (s) => finite(s.satisfiedInterval?.low), desc: true },
  [CsatAgentOrder.AVERAGE_DESC]: { of: (s) => finite(s.average), desc: true },
  [CsatAgentOrder.AVERAGE_ASC]: { of: (s) => finite(s.average), desc: false },
  [CsatAgentOrder.COUNT_DESC]: { of: (s) => finite(s.count), desc: true },
};

/** Negative when `a` comes first: the order's value, then the row without an assignee last, then assignee id ascending (uuid order is the lower-case text order). */
export function compareKeys(order: CsatAgentOrder, a: Key, b: Key): number {
  if (a[0] !== b[0]) return VALUE[order].desc ? b[0] - a[0] : a[0] - b[0];
  if (a[1] === b[1]) return 0;
  if (a[1] === null) return 1;
  if (b[1] === null) return -1;
  return a[1] < b[1] ? -1 : 1;
}

export function readAgentCursor(after: string | null | undefined, order: CsatAgentOrder, hash: string): Key | null {
  if (after === null || after === undefined) return null;
  const k = decodeCursor(after, insightsCursor(order, hash), (k) => k.length === 2 && typeof k[0] === 'number' && Number.isFinite(k[0]) && (k[1] === null || isUuid(k[1])));
  return k as Key;
}

export function rankAgents(rows: CsatAgentSummary[], order: CsatAgentOrder, hash: string, minCount: number, first: number, after: Key | null): CsatAgentSummaryConnection {
  const keyOf = (s: CsatAgentSummary): Key => [VALUE[order].of(s), s.assigneeId];
  const ranked = rows.filter((s) => s.count >= minCount).sort((a, b) => compareKeys(order, keyOf(a), keyOf(b)));
  const rest = after ? ranked.filter((s) => compareKeys(order, keyOf(s), after) > 0) : ranked;
  const page = rest.slice(0, first);
  const at = insightsCursor(order, hash);
  const edges = page.map((node) => ({ cursor: encodeCursor(at, keyOf(node)), node }));
  return { edges, pageInfo: { hasNextPage: rest.length > first, endCursor: edges.at(-1)?.cursor ?? null }, totalCount: ranked.length };
}

// The CSV's columns and how each is read from a listing node. The ticket's own columns come first, then
// the three CSAT columns the product promises on every row.
import { ExportError } from './export.errors.js';

export const CSV_COLUMNS = [
  'id',
  'ref',
  'subject',
  'status',
  'priority',
  'assignee_id',
  'requester_id',
  'created_at',
  'updated_at',
  'csat_rating',
  'csat_comment',
  'csat_rated_at',
] as const;

export type CsvColumn = (typeof CSV_COLUMNS)[number];
/** undefined is an empty cell; numbers are written bare; strings are quoted and neutralised. */
export type CsvCell = string | number | undefined;
export type CsvRow = Record<CsvColumn, CsvCell>;

type Kind = 'text' | 'timestamp' | 'number';

/**
 * Where a column's value is looked for in a node, first match wins: the reference listing's camelCase
 * field, the column's own name (a GraphQL alias can produce either), and for people the `id` of an
 * object field (`assignee { id }`), as many helpdesk schemas have it.
 */
const SOURCES: Record<CsvColumn, { paths: readonly (readonly string[])[]; kind: Kind }> = {
  id: { paths: [['id']], kind: 'text' },
  ref: { paths: [['ref']], kind: 'text' },
  subject: { paths: [['subject']], kind: 'text' },
  status: { paths: [['status']], kind: 'text' },
  priority: { paths: [['priority']], kind: 'text' },
  assignee_id: { paths: [['assigneeId'], ['assignee_id'], ['assignee', 'id']], kind: 'text' },
  requester_id: { paths: [['requesterId'], ['requester_id'], ['requester', 'id']], kind: 'text' },
  created_at: { paths: [['createdAt'], ['created_at']], kind: 'timestamp' },
  updated_at: { paths: [['updatedAt'], ['updated_at']], kind: 'timestamp' },
  csat_rating: { paths: [['csatRating'], ['csat_rating']], kind: 'number' },
  csat_comment: { paths: [['csatComment'], ['csat_comment']], kind: 'text' },
  csat_rated_at: { paths: [['csatRatedAt'], ['csat_rated_at']], kind: 'timestamp' },
};

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 timestamp in UTC (`Z`); already-UTC values keep their precision, offsets are converted. */
export function toUtcTimestamp(value: string): string {
  const m = RFC3339.exec(value);
  if (!m) return value;
  if (m[2] === 'Z' || m[2] === 'z') return value.replace(' ', 'T').replace('t', 'T').replace('z', 'Z');
  const ms = Date.parse(value.replace(' ', 'T'));
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

function lookup(node: Record<string, unknown>, paths: readonly (readonly string[])[]): unknown {
  for (const path of paths) {
    let at: unknown = node;
    for (const key of path) at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
    if (at !== undefined) return at;
  }
  return undefined;
}

function cell(value: unknown, kind: Kind): CsvCell {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string') {
    if (kind === 'timestamp') return toUtcTimestamp(value);
    if (kind === 'number' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
    return value;
  }
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** One CSV row from one listing node. A node without an id means the query does not select it. */
export function toCsvRow(node: Record<string, unknown>): CsvRow {
  const row = {} as CsvRow;
  for (const column of CSV_COLUMNS) {
    const { paths, kind } = SOURCES[column];
    row[column] = cell(lookup(node, paths), kind);
  }
  if (row.id === undefined) throw new ExportError('a ticket without id: the listing query must select each node\'s id');
  return row;
}

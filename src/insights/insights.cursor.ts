import { BadUserInputError } from '../errors/domain.errors.js';
import { isCanonicalInstant } from '../federation/instant.parser.js';

/**
 * An opaque keyset cursor: base64url JSON of the connection's order, the hash of its filter and the row's
 * sort keys. A cursor of another order, filter or connection is refused (`extensions.field: "after"`).
 */
export interface CursorBody {
  o: string;
  f: string;
  k: unknown[];
}

export function encodeCursor(order: string, hash: string, keys: unknown[]): string {
  return Buffer.from(JSON.stringify({ o: order, f: hash, k: keys } satisfies CursorBody)).toString('base64url');
}

const foreign = () => new BadUserInputError('after: not a cursor of this connection, order and filter', 'after');

/** The keys of a cursor for this order and filter; `check` validates each key's type (else the cursor is refused). */
export function decodeCursor(cursor: string, order: string, hash: string, check: (keys: unknown[]) => boolean): unknown[] {
  let body: Partial<CursorBody> | undefined;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw foreign();
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorBody>;
  } catch {
    throw foreign();
  }
  if (!body || typeof body !== 'object' || body.o !== order || body.f !== hash || !Array.isArray(body.k) || !check(body.k)) throw foreign();
  return body.k;
}

/** What ratedAtSql produces, and only instants the DateTime scalar would accept (year 0 is refused here, not by PostgreSQL). */
export const isRatedAt = isCanonicalInstant;
export const isSmallInt = (v: unknown, min: number, max: number): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

import { BadUserInputError } from '../errors/domain.errors.js';
import { isCanonicalInstant } from './instant.parser.js';

/**
 * The one keyset cursor of every connection here (insights lists, webhook deliveries): opaque base64url JSON of
 * the connection's order, the scope it was cut from and the row's sort keys. A cursor is read back only under
 * the same order and scope (insights: the hash of the filter; deliveries: the webhook), so one from another
 * order, filter, connection or webhook is refused as `after` before any SQL runs.
 */
interface CursorBody {
  /** The order. */
  o: string;
  /** The scope: a filter's hash, a webhook's id. */
  f: string;
  /** The row's sort keys, in the order's order. */
  k: unknown[];
}

/** Which cursors a connection reads: its order and scope, and the refusal's words. */
export interface CursorScope {
  order: string;
  scope: string;
  /** BAD_USER_INPUT's message for a cursor that is not of this connection (`extensions.field: "after"`). */
  foreign: string;
}

export function encodeCursor(at: CursorScope, keys: unknown[]): string {
  return Buffer.from(JSON.stringify({ o: at.order, f: at.scope, k: keys } satisfies CursorBody)).toString('base64url');
}

/** The keys of a cursor of this order and scope; `check` validates each key's type (else the cursor is refused). */
export function decodeCursor(cursor: string, at: CursorScope, check: (keys: unknown[]) => boolean): unknown[] {
  const foreign = () => new BadUserInputError(at.foreign, 'after');
  let body: Partial<CursorBody> | undefined;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw foreign();
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorBody>;
  } catch {
    throw foreign();
  }
  if (!body || typeof body !== 'object' || body.o !== at.order || body.f !== at.scope || !Array.isArray(body.k) || !check(body.k)) throw foreign();
  return body.k;
}

/** What instantSql produces, and only instants the DateTime scalar would accept (year 0 is refused here, not by PostgreSQL). */
export const isRatedAt = isCanonicalInstant;
export const isSmallInt = (v: unknown, min: number, max: number): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

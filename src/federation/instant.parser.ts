/**
 * The one reader of instants that come from clients (the DateTime scalar, the insights and deliveries cursors).
 *
 * Accepted: RFC 3339 `date-time` only, `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (`t` and `z` in either case, as
 * RFC 3339 allows; 1-9 fraction digits, cut to milliseconds), a real calendar day, second 00-59, offset hours
 * 00-23, and an instant from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z. That is inside what PostgreSQL's
 * timestamptz stores (4713 BC to 294276 AD) and what RFC 3339 and `Date#toISOString` print with four digits, so
 * nothing accepted here can fail in SQL or come back out in another form.
 * Refused: year 0000 and expanded years (`+275760-…`, `-000001-…`), a missing offset, `+24:00`, leap seconds
 * (`:60`, which JavaScript's Date cannot hold), anything `Date.parse` would guess at (`1`, `2025-1-1`, spaces).
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z. */
export const EARLIEST_INSTANT_MS = -62_135_596_800_000;
export const LATEST_INSTANT_MS = 253_402_300_799_999;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

export type InstantReading = { ok: true; date: Date } | { ok: false; why: string };

const no = (why: string): InstantReading => ({ ok: false, why });

/** The instant a client sent, or why it is refused (a sentence for the error message). */
export function readInstant(value: unknown): InstantReading {
  if (typeof value !== 'string') return no('an instant is an RFC 3339 date-time string');
  const m = RFC3339.exec(value);
  if (!m) return no('not an RFC 3339 date-time with offset, such as 2025-01-31T09:30:00Z');
  const [, ys, mos, ds, hs, mis, ss, frac, , sign, ohs, oms] = m;
  const [y, mo, d, h, mi, s] = [ys, mos, ds, hs, mis, ss].map(Number) as [number, number, number, number, number, number];
  if (y < 1) return no('years start at 0001');
  if (mo < 1 || mo > 12) return no('month must be 01..12');
  if (d < 1 || d > (mo === 2 && leap(y) ? 29 : DAYS_IN_MONTH[mo - 1]!)) return no('no such day in that month');
  if (h > 23 || mi > 59) return no('time must be 00:00..23:59');
  if (s > 59) return no('second must be 00..59 (leap seconds are not accepted)');
  let offsetMinutes = 0;
  if (sign) {
    const oh = Number(ohs);
    const om = Number(oms);
    if (oh > 23 || om > 59) return no('offset must be -23:59..+23:59');
    offsetMinutes = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  // Date.UTC would read years 0-99 as 1900-1999; setUTCFullYear takes the year as it is.
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  const t = date.getTime() - offsetMinutes * 60_000;
  if (t < EARLIEST_INSTANT_MS || t > LATEST_INSTANT_MS) return no('must be from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z');
  return { ok: true, date: new Date(t) };
}

/** The canonical form instantSql prints (RFC 3339, UTC, milliseconds): true only for an accepted instant in it. */
export function isCanonicalInstant(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 24) return false;
  const r = readInstant(value);
  return r.ok && r.date.toISOString() === value;
}

import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type RawBuilder } from 'kysely';
import { isUuid } from '../auth/viewer.js';
import { instantSql } from '../db/sql.helpers.js';
import { decodeCursor, encodeCursor, isRatedAt, isSmallInt } from '../federation/cursor.codec.js';
import { filterHash, insightsCursor, type Filter } from './insights.filter.js';
import { CsatRatingOrder } from './insights.types.js';
import { COMMENT_MAX_CODE_POINTS, RATING_MAX, RATING_MIN } from '../rating/rating.rules.js';

/** One row of the list: the rating, and whether its ticket is open again today. */
export interface RatingRow {
  ticket_id: string;
  rating: number;
  comment: string | null;
  comment_length: number;
  rated_at: string;
  assignee_id: string | null;
  reopened: boolean;
}

interface Key {
  /** The SQL expression, as the order's index has it. */
  expr: string;
  alias: string;
  cast: string;
  of(row: RatingRow): unknown;
  valid(v: unknown): boolean;
}

const RATED_AT: Key = { expr: 'r.rated_at', alias: 'k_rated_at', cast: 'timestamptz', of: (r) => r.rated_at, valid: isRatedAt };
const TICKET: Key = { expr: 'r.ticket_id', alias: 'k_ticket_id', cast: 'uuid', of: (r) => r.ticket_id, valid: isUuid };
const RATING: Key = { expr: 'r.rating', alias: 'k_rating', cast: 'smallint', of: (r) => r.rating, valid: (v) => isSmallInt(v, RATING_MIN, RATING_MAX) };
// Rating ascending is -rating descending: every key of an order then runs one way, and one row comparison is one index range.
const NEG_RATING: Key = { expr: '(- r.rating)', alias: 'k_neg_rating', cast: 'smallint', of: (r) => -r.rating, valid: (v) => isSmallInt(v, -RATING_MAX, -RATING_MIN) };
const COMMENT_LENGTH: Key = { expr: 'r.comment_length', alias: 'k_comment_length', cast: 'int', of: (r) => r.comment_length, valid: (v) => isSmallInt(v, 0, COMMENT_MAX_CODE_POINTS) };

/** The contract's keys per order (docs/contract.md), each order served by its index (Migration20261202000000). */
export const ORDERS: Record<CsatRatingOrder, { dir: 'asc' | 'desc'; keys: Key[] }> = {
  [CsatRatingOrder.RATED_AT_DESC]: { dir: 'desc', keys: [RATED_AT, TICKET] },
  [CsatRatingOrder.RATED_AT_ASC]: { dir: 'asc', keys: [RATED_AT, TICKET] },
  [CsatRatingOrder.RATING_ASC]: { dir: 'desc', keys: [NEG_RATING, RATED_AT, TICKET] },
  [CsatRatingOrder.RATING_DESC]: { dir: 'desc', keys: [RATING, RATED_AT, TICKET] },
  [CsatRatingOrder.UNHAPPY_FIRST]: { dir: 'desc', keys: [NEG_RATING, COMMENT_LENGTH, RATED_AT, TICKET] },
};

const REOPENED_SQL = `coalesce(t.status not in ('resolved', 'closed'), false)`;
const REOPENED = sql.raw(REOPENED_SQL);

/** The filter as SQL conditions on `r` (csat_rating) and `t` (ticket), without the assignee part. */
export function filterConditions(filter: Filter): RawBuilder<unknown>[] {
  const where: RawBuilder<unknown>[] = [];
  if (filter.ratings) where.push(sql`r.rating = any(${filter.ratings}::smallint[])`);
  if (filter.ratedFrom) where.push(sql`r.rated_at >= ${filter.ratedFrom.toISOString()}::timestamptz`);
  if (filter.ratedTo) where.push(sql`r.rated_at < ${filter.ratedTo.toISOString()}::timestamptz`);
  // comment_length is 0 exactly without a comment (the CHECK keeps stored comments non-empty); it is in the indexes.
  if (filter.hasComment !== null) where.push(filter.hasComment ? sql`r.comment_length > 0` : sql`r.comment_length = 0`);
  if (filter.minCommentLength !== null) where.push(sql`r.comment_length >= ${filter.minCommentLength}`);
  if (filter.reopenedSinceRating !== null) where.push(sql`${REOPENED} = ${filter.reopenedSinceRating}`);
  // The follow-up queue: a probe of the follow-up's primary key per rating (few ratings have one, none more than one).
  if (filter.followUp) {
    where.push(sql`exists (select 1 from csat_follow_up f where f.workspace_id = r.workspace_id and f.ticket_id = r.ticket_id and f.state = any(${filter.followUp}::text[]))`);
  }
  return where;
}

export interface RatingPage {
  rows: RatingRow[];
  cursors: string[];
  hasNextPage: boolean;
}

/** The cursor's keys, checked against this order and filter before any SQL. */
export function readRatingsCursor(after: string | null | undefined, order: CsatRatingOrder, hash: string): unknown[] | null {
  if (after === null || after === undefined) return null;
  const spec = ORDERS[order];
  return decodeCursor(after, insightsCursor(order, hash), (k) => k.length === spec.keys.length && spec.keys.every((key, i) => key.valid(k[i])));
}

/**
 * One page, one statement: a row comparison on the order's index after the cursor. With assignees, each one's
 * index range gives its first rows (a lateral per id), merged and cut: at most 100 × (first + 1) rows, at any depth.
 */
export async function findRatingPage(em: EntityManager, workspace: string, filter: Filter, order: CsatRatingOrder, first: number, after: unknown[] | null): Promise<RatingPage> {
  const { rows } = await ratingPageQuery(workspace, filter, order, first, after).execute(em.getKysely({ type: 'read' }));
  const page = rows.slice(0, first);
  const at = insightsCursor(order, filterHash(filter));
  const keys = ORDERS[order].keys;
  return { rows: page, cursors: page.map((r) => encodeCursor(at, keys.map((k) => k.of(r)))), hasNextPage: rows.length > first };
}

/** The page's statement (first + 1 rows: the extra one says whether there is a next page); the benchmark EXPLAINs it. */
export function ratingPageQuery(workspace: string, filter: Filter, order: CsatRatingOrder, first: number, after: unknown[] | null): RawBuilder<RatingRow> {
  const spec = ORDERS[order];
  const dir = sql.raw(spec.dir);
  const where = [sql`r.workspace_id = ${workspace}::uuid`, ...filterConditions(filter)];
  if (after) {
    const tuple = sql.join(spec.keys.map((k) => sql.raw(k.expr)));
    const values = sql.join(after.map((v, i) => sql`${v}::${sql.raw(spec.keys[i]!.cast)}`));
    where.push(sql`(${tuple}) ${sql.raw(spec.dir === 'desc' ? '<' : '>')} (${values})`);
  }
  const columns = sql.raw(
    `r.ticket_id, r.rating, r.comment, r.comment_length, ${instantSql('r.rated_at')} as rated_at, r.assignee_id, ${REOPENED_SQL} as reopened`,
  );
  const limit = first + 1;
  const byKeys = (qualified: boolean) => sql.join(spec.keys.map((k) => sql`${sql.raw(qualified ? k.expr : `p.${k.alias}`)} ${dir}`));
  if (!filter.assigneeIds) {
    return sql<RatingRow>`select ${columns} from csat_rating r left join ticket t on t.id = r.ticket_id
      where ${sql.join(where, sql` and `)} order by ${byKeys(true)} limit ${limit}`;
  }
  const keyColumns = sql.raw(spec.keys.map((k) => `${k.expr} as ${k.alias}`).join(', '));
  return sql<RatingRow>`select p.* from unnest(${filter.assigneeIds}::uuid[]) as a(id) cross join lateral (
        select ${columns}, ${keyColumns} from csat_rating r left join ticket t on t.id = r.ticket_id
         where ${sql.join([...where, sql`r.assignee_id = a.id`], sql` and `)} order by ${byKeys(true)} limit ${limit}
      ) p order by ${byKeys(false)} limit ${limit}`;
}

/** The exact count for the filter (no cursor): only when totalCount is selected. */
export async function countRatings(em: EntityManager, workspace: string, filter: Filter): Promise<number> {
  const where = [sql`r.workspace_id = ${workspace}::uuid`, ...filterConditions(filter)];
  if (filter.assigneeIds) where.push(sql`r.assignee_id = any(${filter.assigneeIds}::uuid[])`);
  const join = filter.reopenedSinceRating !== null ? sql`left join ticket t on t.id = r.ticket_id` : sql``;
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from csat_rating r ${join} where ${sql.join(where, sql` and `)}`.execute(em.getKysely({ type: 'read' }));
  return rows[0]!.n;
}

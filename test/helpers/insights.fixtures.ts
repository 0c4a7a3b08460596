import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { prng } from '../../dev/demo.seed.js';

export interface SeededRating {
  ticket_id: string;
  workspace_id: string;
  rating: number;
  comment: string | null;
  /** Code points. */
  comment_length: number;
  rated_at: string;
  assignee_id: string | null;
  status: string;
}

const WORDS = ['slow', 'great', 'thanks', '😀', 'never again', 'ok', 'ñandú', 'fixed it'];

/**
 * `n` rated tickets in `workspace`, inserted as the helpdesk and rateTicket would leave them (the triggers
 * fill offers and rollups): random ratings, comments (some long, some with emoji), assignees from `assignees`
 * (null among them: none) and times within `days` days before `end`, with repeated instants for ties.
 */
export async function seedRatings(
  pool: pg.Pool,
  opts: { workspace: string; n: number; assignees: (string | null)[]; seed: number; days?: number; end?: number },
): Promise<SeededRating[]> {
  const rand = prng(opts.seed);
  const end = opts.end ?? Date.now() - 3_600_000;
  const days = opts.days ?? 60;
  const rows: SeededRating[] = [];
  let previous = end;
  for (let i = 0; i < opts.n; i++) {
    const r = rand();
    const comment = r < 0.35 ? null : r < 0.45 ? 'x'.repeat(1 + Math.floor(rand() * 1999)) : Array.from({ length: 1 + Math.floor(rand() * 6) }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
    // One in five shares the previous row's instant: the ticket id must break the tie.
    const at = rand() < 0.2 ? previous : Math.floor(end - rand() * days * 86_400_000);
    previous = at;
    rows.push({
      ticket_id: randomUUID(),
      workspace_id: opts.workspace,
      rating: 1 + Math.floor(rand() * 5),
      comment,
      comment_length: comment === null ? 0 : [...comment].length,
      rated_at: new Date(at).toISOString(),
      assignee_id: opts.assignees[Math.floor(rand() * opts.assignees.length)]!,
      status: rand() < 0.15 ? 'open' : 'closed',
    });
  }
  const col = <K extends keyof SeededRating>(k: K) => rows.map((r) => r[k]);
  await pool.query(
    `insert into ticket (id, workspace_id, ref, subject, status, requester_id, assignee_id)
     select id, $2, 'T-' || left(id::text, 8), 'seeded', status, gen_random_uuid(), assignee from unnest($1::uuid[], $3::text[], $4::uuid[]) as x(id, status, assignee)`,
    [col('ticket_id'), opts.workspace, col('status'), col('assignee_id')],
  );
  await pool.query(
    `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_at, rated_by, assignee_id)
     select $1, id, rating, comment, at, gen_random_uuid(), assignee from unnest($2::uuid[], $3::smallint[], $4::text[], $5::timestamptz[], $6::uuid[]) as x(id, rating, comment, at, assignee)`,
    [opts.workspace, col('ticket_id'), col('rating'), col('comment'), col('rated_at'), col('assignee_id')],
  );
  return rows;
}

type Order = 'RATED_AT_DESC' | 'RATED_AT_ASC' | 'RATING_ASC' | 'RATING_DESC' | 'UNHAPPY_FIRST';

/** The contract's order, computed independently: uuid order is the order of the lower-case text. */
export function sortRatings(rows: SeededRating[], order: Order): SeededRating[] {
  const cmp = (a: number | string, b: number | string) => (a < b ? -1 : a > b ? 1 : 0);
  const time = (r: SeededRating) => Date.parse(r.rated_at);
  const newestFirst = (a: SeededRating, b: SeededRating) => cmp(time(b), time(a)) || cmp(b.ticket_id, a.ticket_id);
  const by: Record<Order, (a: SeededRating, b: SeededRating) => number> = {
    RATED_AT_DESC: newestFirst,
    RATED_AT_ASC: (a, b) => cmp(time(a), time(b)) || cmp(a.ticket_id, b.ticket_id),
    RATING_ASC: (a, b) => cmp(a.rating, b.rating) || newestFirst(a, b),
    RATING_DESC: (a, b) => cmp(b.rating, a.rating) || newestFirst(a, b),
    UNHAPPY_FIRST: (a, b) => cmp(a.rating, b.rating) || cmp(b.comment_length, a.comment_length) || newestFirst(a, b),
  };
  return [...rows].sort(by[order]);
}

export const ORDERS: Order[] = ['RATED_AT_DESC', 'RATED_AT_ASC', 'RATING_ASC', 'RATING_DESC', 'UNHAPPY_FIRST'];

/** Ratings with exactly these stars for one assignee (a ticket each), rated `at` (default now). Returns the ticket ids. */
export async function insertRatings(pool: pg.Pool, workspace: string, assignee: string | null, stars: number[], at?: string): Promise<string[]> {
  const ids = stars.map(() => randomUUID());
  await pool.query(
    `insert into ticket (id, workspace_id, ref, subject, status, requester_id, assignee_id)
     select id, $2, 'T-' || left(id::text, 8), 'fixed', 'closed', gen_random_uuid(), $3 from unnest($1::uuid[]) as x(id)`,
    [ids, workspace, assignee],
  );
  await pool.query(
    `insert into csat_rating (workspace_id, ticket_id, rating, rated_at, rated_by, assignee_id)
     select $1, id, rating, coalesce($4::timestamptz, now()), gen_random_uuid(), $5 from unnest($2::uuid[], $3::smallint[]) as x(id, rating)`,
    [workspace, ids, stars, at ?? null, assignee],
  );
  return ids;
}

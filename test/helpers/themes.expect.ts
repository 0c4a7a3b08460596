// What csatCommentThemes must answer for a whole workspace, computed here from the raw comments with PostgreSQL's
// ts_stat and the paper's formula (not by the service's SQL), and the comment fixtures of the recount tests.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { expect } from 'vitest';
import { prng } from '../../dev/demo.seed.js';

export interface Stat {
  nentry: number;
  ndoc: number;
}

/** Occurrences per lexeme of the workspace's comments with a rating in `ratings`, in `language`, by ts_stat. */
export async function tsStat(pool: pg.Pool, workspace: string, ratings: number[], language: string): Promise<Map<string, Stat>> {
  const inner = `select to_tsvector('${language}', comment) from csat_rating where workspace_id = '${workspace}' and comment is not null and rating in (${ratings.join(',')})`;
  const { rows } = await pool.query<{ word: string; nentry: number; ndoc: number }>(`select word, nentry, ndoc from ts_stat($q$${inner}$q$)`);
  return new Map(rows.map((s) => [s.word, { nentry: s.nentry, ndoc: s.ndoc }]));
}

/**
 * Monroe, Colaresi & Quinn (2008), eq. 16 and 22, with the informative prior α_w = y_w^(u) + y_w^(h) (the pooled
 * counts) and α_0 = n^(u) + n^(h):
 *   δ_w = log((y_u + α_w) / (n_u + α_0 − y_u − α_w)) − log((y_h + α_w) / (n_h + α_0 − y_h − α_w)),
 *   Var(δ_w) ≈ 1/(y_u + α_w) + 1/(y_h + α_w),  z = δ_w / √Var.
 *   Listed from z >= 1.96, highest first (ties by term).
 */
export function fightinWords(u: Map<string, Stat>, h: Map<string, Stat>) {
  const nu = [...u.values()].reduce((s, x) => s + x.nentry, 0);
  const nh = [...h.values()].reduce((s, x) => s + x.nentry, 0);
  const out: { term: string; z: number; delta: number; yu: number; yh: number; cu: number; ch: number }[] = [];
  for (const term of new Set([...u.keys(), ...h.keys()])) {
    const yu = u.get(term)?.nentry ?? 0;
    const yh = h.get(term)?.nentry ?? 0;
    const a = yu + yh;
    const a0 = nu + nh;
    const delta = Math.log((yu + a) / (nu + a0 - yu - a)) - Math.log((yh + a) / (nh + a0 - yh - a));
    out.push({ term, z: delta / Math.sqrt(1 / (yu + a) + 1 / (yh + a)), delta, yu, yh, cu: u.get(term)?.ndoc ?? 0, ch: h.get(term)?.ndoc ?? 0 });
  }
  return out.filter((s) => s.z >= 1.96).sort((a, b) => b.z - a.z || (a.term < b.term ? -1 : 1));
}

/** The whole workspace's themes in `language`, the first `first`. */
export async function expectedThemes(pool: pg.Pool, workspace: string, language: string, first = 50) {
  return fightinWords(await tsStat(pool, workspace, [1, 2], language), await tsStat(pool, workspace, [4, 5], language)).slice(0, first);
}

/** The answer equals the expectation: the same terms in the same order, the same counts and scores. */
export function expectThemes(got: { term: string; zScore: number; logOddsRatio: number; unhappyCount: number; happyCount: number; unhappyComments: number; happyComments: number }[], want: Awaited<ReturnType<typeof expectedThemes>>) {
  expect(got.map((t) => t.term)).toEqual(want.map((w) => w.term));
  got.forEach((t, i) => {
    const w = want[i]!;
    expect(t.zScore).toBeCloseTo(w.z, 9);
    expect(t.logOddsRatio).toBeCloseTo(w.delta, 9);
    expect([t.unhappyCount, t.happyCount, t.unhappyComments, t.happyComments]).toEqual([w.yu, w.yh, w.cu, w.ch]);
  });
}

// Words whose lexemes differ between configurations: english stems (refunds → refund) and drops stop words
// ("the", "not"), simple keeps every word as it is, german stems by its own rules.
const COMMON = ['the', 'a', 'and', 'was', 'not', 'my', 'order', 'agent', 'ticket', 'answer', 'answered', 'again', 'day', 'days', 'support', 'reply', 'email', 'emails', 'account', 'very'];
const COMPLAINTS = ['refund', 'refunds', 'refunded', 'charged', 'twice', 'waiting', 'waited', 'ignored', 'nobody', 'never', 'late', 'broken', 'cancelled'];
const PRAISE = ['thanks', 'quick', 'quickly', 'friendly', 'helpful', 'resolved', 'great', 'perfect', 'kind', 'fast'];

export interface CommentRow {
  id: string;
  rating: number;
  comment: string | null;
  at: Date;
}

/**
 * `n` ratings of `workspace` spread over the `days` days before `end` (every star; a fifth without a comment),
 * comments of 6-16 words, the unhappy ones drawing complaints and the happy ones praise.
 */
export function commentRows(n: number, seed: number, end: number, days: number): CommentRow[] {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  return Array.from({ length: n }, () => {
    const rating = 1 + Math.floor(rand() * 5);
    const words = Array.from({ length: 6 + Math.floor(rand() * 11) }, () =>
      rating <= 2 && rand() < 0.3 ? pick(COMPLAINTS) : rating >= 4 && rand() < 0.3 ? pick(PRAISE) : pick(COMMON),
    );
    return { id: randomUUID(), rating, comment: rand() < 0.2 ? null : words.join(' '), at: new Date(end - Math.floor(rand() * days * 86_400_000)) };
  });
}

/** Tickets and their ratings, 2,000 a statement (as an import: the triggers run set-based). */
export async function insertRatings(pool: pg.Pool | pg.PoolClient, workspace: string, rows: CommentRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 2000) {
    const part = rows.slice(i, i + 2000);
    await pool.query(
      `insert into ticket (id, workspace_id, ref, subject, status, requester_id) select id, $2, 'R-' || left(id::text, 8), 'recount', 'closed', gen_random_uuid() from unnest($1::uuid[]) as x(id)`,
      [part.map((r) => r.id), workspace],
    );
    await pool.query(
      `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_at, rated_by)
       select $1, id, rating, comment, at, gen_random_uuid() from unnest($2::uuid[], $3::smallint[], $4::text[], $5::timestamptz[]) as x(id, rating, comment, at)`,
      [workspace, part.map((r) => r.id), part.map((r) => r.rating), part.map((r) => r.comment), part.map((r) => r.at.toISOString())],
    );
  }
}

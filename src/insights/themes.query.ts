// csatCommentThemes' two statements (docs/insights.md, Themes): the terms ranked by the weighted log-odds ratio
// with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words", eq. 16, 20 and 22), then
// up to three example tickets per listed term.
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type RawBuilder } from 'kysely';
import type { Filter } from './insights.filter.js';
import { periodPlan, sqlInstant, type DayRange } from './period.plan.js';
import { filterConditions } from './ratings.query.js';

/** Only terms at least this far from "no difference" are listed (z ≥ 1.96: two-sided 95 %). */
export const THEME_MIN_Z = 1.96;
/** Ratings at or below are the unhappy group, at or above HAPPY_MIN the happy one; 3 is in neither (issue 22). */
export const UNHAPPY_MAX = 2;
export const HAPPY_MIN = 4;

export interface ThemeRow {
  term: string;
  /** Occurrences (tsvector positions) in each group, and the comments holding the term. */
  unhappy_count: number;
  happy_count: number;
  unhappy_comments: number;
  happy_comments: number;
  log_odds_ratio: number;
  z_score: number;
  /** The text search configuration the terms are lexemes of (the same on every row). */
  language: string;
}

const and = (parts: RawBuilder<unknown>[]) => sql.join(parts, sql` and `);

/**
 * The language the workspace's term rollups are complete in (csat_term_language; english without a row), read in
 * the statement itself: the rollups and the rows tokenised at query time are of that one language, also while a
 * recount to another is under way (docs/insights.md, Comment themes).
 */
const languageSql = (workspace: string) => sql`coalesce((select language from csat_term_language where workspace_id = ${workspace}::uuid), 'english')`;
const configSql = (workspace: string) => sql`${languageSql(workspace)}::regconfig`;

/** Whether the term rollups can answer whole days: only the period and the ratings are set (they have no assignee, no follow-up). */
export function termRollupsAnswer(filter: Filter): boolean {
  return filter.assigneeIds === null && filter.minCommentLength === null && filter.reopenedSinceRating === null && filter.followUp === null;
}

/** Conditions on the ratings of the filter that are read from the rows (r, with t the ticket), without the period unless asked. */
function rowConditions(workspace: string, filter: Filter, withPeriod: boolean): RawBuilder<unknown>[] {
  const own = filterConditions(withPeriod ? filter : { ...filter, ratedFrom: null, ratedTo: null });
  return [
    sql`r.workspace_id = ${workspace}::uuid`,
    ...(filter.assigneeIds ? [sql`r.assignee_id = any(${filter.assigneeIds}::uuid[])`] : []),
    sql`r.comment_length > 0`,
    sql`r.rating <> 3`,
    ...own,
  ];
}

const ticketJoin = (filter: Filter) => (filter.reopenedSinceRating !== null ? sql`left join ticket t on t.id = r.ticket_id` : sql``);

/** Terms of the matching comments, tokenised now in the workspace's configuration. */
function rowTerms(workspace: string, filter: Filter, extra: RawBuilder<unknown>[], withPeriod: boolean): RawBuilder<unknown> {
  return sql`select r.rating, l.lexeme as term, cardinality(l.positions)::int as occurrences, 1 as comments
      from csat_rating r ${ticketJoin(filter)}
      cross join lateral unnest(to_tsvector(${configSql(workspace)}, r.comment)) l
     where ${and([...rowConditions(workspace, filter, withPeriod), ...extra])}`;
}

function rollupTerms(workspace: string, filter: Filter, table: 'csat_term_daily' | 'csat_term_monthly', range: DayRange): RawBuilder<unknown> {
  const where = [sql`workspace_id = ${workspace}::uuid`, sql`language = ${languageSql(workspace)}`];
  if (range.from) where.push(sql`day >= ${range.from}::date`);
  if (range.to) where.push(sql`day < ${range.to}::date`);
  if (filter.ratings) where.push(sql`rating = any(${filter.ratings}::smallint[])`);
  return sql`select rating, term, occurrences, comments from ${sql.raw(table)} where ${and(where)}`;
}

/**
 * Where each part of the filter is read (docs/insights.md): with only a period and ratings, whole months from
 * csat_term_monthly, whole days from csat_term_daily, the parts of a day at either end from the rows; with an
 * assignee, minCommentLength, reopenedSinceRating or followUp, all from the rows (the rollups have neither). Null: nothing
 * can match (an empty period, hasComment false).
 */
export function termSources(workspace: string, filter: Filter): RawBuilder<unknown> | null {
  if (filter.hasComment === false) return null;
  const plan = periodPlan(filter.ratedFrom, filter.ratedTo);
  if (plan.empty) return null;
  if (!termRollupsAnswer(filter)) return rowTerms(workspace, filter, [], true);
  const parts: RawBuilder<unknown>[] = [];
  if (plan.months) parts.push(rollupTerms(workspace, filter, 'csat_term_monthly', plan.months));
  for (const range of plan.days) parts.push(rollupTerms(workspace, filter, 'csat_term_daily', range));
  if (plan.edges.length) {
    const edges = sql.join(plan.edges.map(([a, b]) => sql`(r.rated_at >= ${sqlInstant(a)}::timestamptz and r.rated_at < ${sqlInstant(b)}::timestamptz)`), sql` or `);
    parts.push(rowTerms(workspace, filter, [sql`(${edges})`], false));
  }
  return sql.join(parts, sql` union all `);
}

/**
 * The ranking, in one statement. With y the occurrences of term w in the unhappy (u) and happy (h) comments, n
 * each group's total, and the informative prior α_w = y_w(u) + y_w(h) (the pooled counts), α_0 = n(u) + n(h):
 *   δ_w = ln((y_u + α_w) / (n_u + α_0 − y_u − α_w)) − ln((y_h + α_w) / (n_h + α_0 − y_h − α_w))
 *   σ²(δ_w) ≈ 1 / (y_u + α_w) + 1 / (y_h + α_w),   z_w = δ_w / σ(δ_w)
 * Listed: z ≥ THEME_MIN_Z, highest first (ties by term). Nothing when either group is empty.
 */
export function themesQuery(workspace: string, filter: Filter, first: number): RawBuilder<ThemeRow> | null {
  const sources = termSources(workspace, filter);
  if (!sources) return null;
  return sql<ThemeRow>`with src as (${sources}),
  terms as (
    select term,
           coalesce(sum(occurrences) filter (where rating <= ${UNHAPPY_MAX}), 0)::float8 as u,
           coalesce(sum(occurrences) filter (where rating >= ${HAPPY_MIN}), 0)::float8 as h,
           coalesce(sum(comments) filter (where rating <= ${UNHAPPY_MAX}), 0)::int as uc,
           coalesce(sum(comments) filter (where rating >= ${HAPPY_MIN}), 0)::int as hc
      from src group by term
  ),
  totals as (select sum(u) as nu, sum(h) as nh from terms),
  scored as (
    select t.term, t.u, t.h, t.uc, t.hc,
           ln((t.u + (t.u + t.h)) / nullif(n.nu + (n.nu + n.nh) - t.u - (t.u + t.h), 0))
         - ln((t.h + (t.u + t.h)) / nullif(n.nh + (n.nu + n.nh) - t.h - (t.u + t.h), 0)) as delta,
           sqrt(1 / (t.u + (t.u + t.h)) + 1 / (t.h + (t.u + t.h))) as sigma
      from terms t cross join totals n
     where n.nu > 0 and n.nh > 0
  )
  select term, u::int as unhappy_count, h::int as happy_count, uc as unhappy_comments, hc as happy_comments,
         delta as log_odds_ratio, delta / sigma as z_score, ${languageSql(workspace)} as language
    from scored where delta / sigma >= ${THEME_MIN_Z}
   order by z_score desc, term limit ${first}`;
}

/**
 * Up to three unhappy tickets per term, the latest first, from the rows of the same filter, tokenised in the
 * language the ranking was (a recount's switch between the two statements changes nothing here).
 */
export function examplesQuery(workspace: string, filter: Filter, terms: string[], language: string): RawBuilder<{ term: string; ticket_ids: string[] }> {
  const where = [...rowConditions(workspace, filter, true), sql`r.rating <= ${UNHAPPY_MAX}`, sql`x.term = any(tsvector_to_array(to_tsvector(${language}::regconfig, r.comment)))`];
  return sql<{ term: string; ticket_ids: string[] }>`select x.term, coalesce(e.ids, '{}') as ticket_ids
      from unnest(${terms}::text[]) with ordinality as x(term, i)
      cross join lateral (
        select array_agg(p.ticket_id order by p.rated_at desc, p.ticket_id) as ids from (
          select r.ticket_id, r.rated_at from csat_rating r ${ticketJoin(filter)} where ${and(where)}
           order by r.rated_at desc, r.ticket_id limit 3) p
      ) e
     order by x.i`;
}

export async function findThemes(em: EntityManager, workspace: string, filter: Filter, first: number): Promise<{ rows: ThemeRow[]; examples: Map<string, string[]> }> {
  const query = themesQuery(workspace, filter, first);
  if (!query) return { rows: [], examples: new Map() };
  // A read like the other insights: a replica when one is configured (docs/deploy.md, Read replicas).
  const db = em.getKysely({ type: 'read' });
  const { rows } = await query.execute(db);
  if (!rows.length) return { rows, examples: new Map() };
  const found = await examplesQuery(workspace, filter, rows.map((r) => r.term), rows[0]!.language).execute(db);
  return { rows, examples: new Map(found.rows.map((e) => [e.term, e.ticket_ids])) };
}

import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlRows } from '../db/sql.helpers.js';
import { prepared } from '../db/prepared.statements.js';

/** The usual CSAT definition: 4 and 5 of 5 are satisfied. */
export const SATISFIED_MIN_RATING = 4;

export interface BadgeFigures {
  average: number;
  count: number;
  satisfiedShare: number;
}

/**
 * One statement of one shape for every id, summed from the monthly rollup (a few thousand index-only rows for a
 * million ratings, kept by the rating's own trigger: docs/insights.md). The sum runs only for a workspace that
 * published its badge: an unknown workspace and a private one both skip it (the same work), so their timing
 * cannot tell them apart; the answer is figures only when published and at or over the threshold. A hand-edited
 * rollup row (a negative count, a star outside 1..5, counts past 32 bits) is left out or clamped, and flagged.
 */
export const BADGE_SQL = prepared(
  'csat_badge',
  `select least(a.count, 2147483647)::int as count, round(a.total / nullif(a.count, 0), 1)::float8 as average,
          (a.satisfied / nullif(a.count, 0))::float8 as "satisfiedShare",
          coalesce(s.badge_public, false) and a.count >= s.badge_min_count as published, a.inconsistent
     from (select $1::uuid as workspace_id) w
     left join csat_settings s on s.workspace_id = w.workspace_id
     cross join lateral (
       select coalesce(sum(greatest(m.ratings, 0)) filter (where m.rating between 1 and 5), 0)::numeric as count,
              sum(m.rating * greatest(m.ratings, 0)::numeric) filter (where m.rating between 1 and 5) as total,
              coalesce(sum(greatest(m.ratings, 0)) filter (where m.rating >= $2 and m.rating <= 5), 0)::numeric as satisfied,
              coalesce(bool_or(m.ratings < 0 or m.rating not between 1 and 5 or m.commented not between 0 and m.ratings), false) as inconsistent
         from csat_rating_monthly m
        where m.workspace_id = w.workspace_id and s.badge_public
     ) a`,
);

/** The badge's figures, or null for a workspace that is unknown, private or under its threshold; `inconsistent`: its rollup needed clamping. */
// On a read replica when there are any (docs/deploy.md): public figures, cached, a moment stale is fine.
export async function badgeFigures(em: EntityManager, workspaceId: string): Promise<(BadgeFigures & { inconsistent: boolean }) | null> {
  const [row] = await sqlRows<BadgeFigures & { published: boolean | null; inconsistent: boolean }>(em.getKysely({ type: 'read' }), BADGE_SQL, [workspaceId, SATISFIED_MIN_RATING]);
  return row?.published ? { average: row.average, count: row.count, satisfiedShare: row.satisfiedShare, inconsistent: row.inconsistent } : null;
}

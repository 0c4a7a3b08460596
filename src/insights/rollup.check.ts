// Compares every rollup row with the rows it sums (`npm run rollups:check`, the tests), in one snapshot, so a
// rating committed meanwhile is in both sides or in neither (the triggers count it in its own transaction).
import type { RollupSession } from './rollup.session.js';
import { countLabels, differencesSql, offerGapsSql, ROLLUP_TABLE_NAMES, rollupSpec, totalsSql, type RollupTable } from './rollup.sql.js';

export interface RollupDifference {
  table: RollupTable;
  workspaceId: string;
  /** The UTC day (the month's first day in a monthly table), YYYY-MM-DD; the UTC hour in an hourly one, YYYY-MM-DDTHH:00Z; or ±infinity. */
  day: string;
  assigneeId: string | null;
  /** issue 20: PORTAL or EMAIL in a per-channel table (the per-assignee ones); null in a per-workspace grain. */
  channel: string | null;
  rating: number | null;
  /** The lexeme, in a term rollup (csat_term_*), and the language (text search configuration) it is of. */
  term?: string;
  language?: string;
  /** The stored counts (null: no rollup row) and the rows' (null: no rows), as [ratings, commented], [offered, rated] or [occurrences, comments]. */
  rollup: [number, number] | null;
  rows: [number, number] | null;
}

export interface OfferGap {
  workspaceId: string;
  day: string;
  gap: string;
  count: number;
}

export interface RollupCheck {
  differences: RollupDifference[];
  offerGaps: OfferGap[];
  totals: { workspaces: number; ratings: number; offers: number; rollupRows: number };
}

interface DifferenceRow {
  table: RollupTable;
  workspace_id: string;
  day: string;
  assignee_id: string | null;
  channel: string | null;
  rating: number | null;
  term: string | null;
  language: string | null;
  rollup_a: number | null;
  rollup_b: number | null;
  rows_a: number | null;
  rows_b: number | null;
}

/** Every rollup of every workspace (or of `workspaceId`) against its rows, in one repeatable-read snapshot. */
export async function checkRollups(db: RollupSession, workspaceId?: string): Promise<RollupCheck> {
  const one = workspaceId !== undefined;
  const params = one ? [workspaceId] : [];
  return db.transaction(async (tx) => {
    const differences: RollupDifference[] = [];
    for (const table of ROLLUP_TABLE_NAMES) {
      for (const r of await tx.query<DifferenceRow>(differencesSql(table, one), params)) {
        differences.push({
          table: r.table,
          workspaceId: r.workspace_id,
          day: r.day,
          assigneeId: r.assignee_id,
          channel: r.channel,
          rating: r.rating,
          ...(r.term === null ? {} : { term: r.term }),
          ...(r.language === null ? {} : { language: r.language }),
          rollup: r.rollup_a === null ? null : [r.rollup_a, r.rollup_b!],
          rows: r.rows_a === null ? null : [r.rows_a, r.rows_b!],
        });
      }
    }
    const offerGaps = (await tx.query<{ workspace_id: string; day: string; gap: string; n: number }>(offerGapsSql(one), params)).map((g) => ({
      workspaceId: g.workspace_id,
      day: g.day,
      gap: g.gap,
      count: g.n,
    }));
    const [t] = await tx.query<{ workspaces: number; ratings: number; offers: number; rollup_rows: number }>(totalsSql(one), params);
    return { differences, offerGaps, totals: { workspaces: t!.workspaces, ratings: t!.ratings, offers: t!.offers, rollupRows: t!.rollup_rows } };
  }, 'begin isolation level repeatable read read only');
}

/** One line per difference: workspace and day first (what an operator greps), then the bucket and both counts. */
export function describeDifference(d: RollupDifference): string {
  const [a, b] = countLabels(d.table);
  const counts = (c: [number, number] | null) => (c ? `${a} ${c[0]}, ${b} ${c[1]}` : 'no row');
  const bucket = `${rollupSpec(d.table).assignee ? `assignee ${d.assigneeId ?? 'none'}` : 'workspace'}${d.channel === null ? '' : `, ${d.channel}`}${d.rating === null ? '' : `, rating ${d.rating}`}${d.term === undefined ? '' : `, term ${JSON.stringify(d.term)}`}${d.language === undefined ? '' : ` (${d.language})`}`;
  return `workspace ${d.workspaceId} day ${d.day}: ${d.table} (${bucket}) has ${counts(d.rollup)}; the rows sum to ${counts(d.rows)}`;
}

export function describeGap(g: OfferGap): string {
  return `workspace ${g.workspaceId} day ${g.day}: csat_offer: ${g.count} ${g.gap}`;
}

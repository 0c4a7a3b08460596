import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer.js';
import { BadUserInputError } from '../errors/domain.errors.js';
import { normaliseFilter } from './insights.filter.js';
import { findThemes } from './themes.query.js';
import { MAX_THEMES, type CsatCommentTheme, type CsatCommentThemesArgs } from './themes.types.js';

/** csatCommentThemes: every check before any SQL, then two statements (the ranking; the examples of what it lists). */
export async function csatCommentThemes(em: EntityManager, staff: Viewer, args: CsatCommentThemesArgs): Promise<CsatCommentTheme[]> {
  const filter = normaliseFilter(args.filter);
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 1 || first > MAX_THEMES) throw new BadUserInputError(`first: must be 1..${MAX_THEMES}`, 'first');
  const { rows, examples } = await findThemes(em, staff.workspace, filter, first);
  return rows.map((r) => ({
    term: r.term,
    zScore: r.z_score,
    logOddsRatio: r.log_odds_ratio,
    unhappyCount: r.unhappy_count,
    happyCount: r.happy_count,
    unhappyComments: r.unhappy_comments,
    happyComments: r.happy_comments,
    exampleTicketIds: examples.get(r.term) ?? [],
  }));
}

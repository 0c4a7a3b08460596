import type { EntityManager } from '@mikro-orm/postgresql';
import { sqlRows } from '../db/sql.helpers.js';
import { STATUS_SQL } from './term-recount.sql.js';

/** Where a workspace's comment themes stand after commentLanguage changes (CsatSettings.commentLanguageStatus). */
export interface CommentLanguageStatus {
  /** The language asked for: csat_settings.comment_language. */
  requested: string;
  /** The language csatCommentThemes answers in now: the one the term rollups are complete in. */
  effective: string;
  recounting: boolean;
  /** Share of the months with comments counted in `requested`, 0..1; 1 when nothing is under way. */
  progress: number;
}

/**
 * One statement on the primary (a mutation's answer shows its own change): the workspace's csat_term_language row,
 * none meaning english and nothing under way.
 */
export async function commentLanguageStatus(em: EntityManager, workspaceId: string, requested: string): Promise<CommentLanguageStatus> {
  const [row] = await sqlRows<{ language: string; recount_language: string | null; recount_months_done: number; recount_months: number }>(em.getKysely(), STATUS_SQL, [workspaceId]);
  const recounting = !!row?.recount_language;
  const progress = !recounting ? 1 : row!.recount_months > 0 ? Math.min(1, row!.recount_months_done / row!.recount_months) : 0;
  return { requested, effective: row?.language ?? 'english', recounting, progress };
}

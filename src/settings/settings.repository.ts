import { EntityRepository, raw } from '@mikro-orm/postgresql';
import type { CsatSettings } from './settings.entity.js';
import { DEFAULT_SETTINGS, type SettingsChange, type SettingsValues } from './settings.rules.js';

export interface StoredSettings extends SettingsValues {
  workspaceId: string;
  /** RFC 3339 UTC; null for a workspace that never saved settings (the defaults). */
  updatedAt: string | null;
  updatedBy: string | null;
}

/** The stored row as the API gives it (the ORM brings updated_at as a Date, millisecond precision as stored). */
const stored = (row: CsatSettings): StoredSettings => ({
  workspaceId: row.workspaceId,
  enabled: row.enabled,
  badgePublic: row.badgePublic,
  badgeMinCount: row.badgeMinCount,
  unhappyMaxRating: row.unhappyMaxRating,
  vocalMinCommentLength: row.vocalMinCommentLength,
  followUpBelow: row.followUpBelow,
  commentLanguage: row.commentLanguage,
  updatedAt: row.updatedAt.toISOString(),
  updatedBy: row.updatedBy,
});

/** Settings are read and written through MikroORM: not a hot path (docs/settings.md); one statement each. */
export class CsatSettingsRepository extends EntityRepository<CsatSettings> {
  /** The workspace's settings, or the defaults when it has no row. One statement. */
  async findOrDefaults(workspaceId: string): Promise<StoredSettings> {
    const row = await this.findOne({ workspaceId });
    return row ? stored(row) : { workspaceId, ...DEFAULT_SETTINGS, updatedAt: null, updatedBy: null };
  }

  /**
   * A partial change in one statement: the fields given are set, the others keep the stored value (or the default,
   * for a first save: settings.rules.ts is their one source). The database's clock stamps it.
   */
  async change(workspaceId: string, by: string, change: SettingsChange): Promise<StoredSettings> {
    const given = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== null && v !== undefined)) as Partial<SettingsValues>;
    const stamp = { updatedAt: raw('now()'), updatedBy: by };
    const [row] = await this.createQueryBuilder()
      .insert({ workspaceId, ...DEFAULT_SETTINGS, ...given, ...stamp })
      .onConflict('workspaceId')
      .merge({ ...given, ...stamp })
      .returning(['workspaceId', 'enabled', 'badgePublic', 'badgeMinCount', 'unhappyMaxRating', 'vocalMinCommentLength', 'followUpBelow', 'commentLanguage', 'updatedAt', 'updatedBy'])
      .execute<CsatSettings[]>('all');
    return stored(row!);
  }
}

import { EntityRepository } from '@mikro-orm/postgresql';
import { prepared } from '../db/prepared.statements.js';
import { instantSql, sqlRows } from '../db/sql.helpers.js';
import type { CsatSettings } from './settings.entity.js';
import { DEFAULT_SETTINGS, type SettingsChange, type SettingsValues } from './settings.rules.js';

export interface StoredSettings extends SettingsValues {
  workspaceId: string;
  /** RFC 3339 UTC; null for a workspace that never saved settings (the defaults). */
  updatedAt: string | null;
  updatedBy: string | null;
}

const COLUMNS = `workspace_id as "workspaceId", enabled, badge_public as "badgePublic", badge_min_count as "badgeMinCount",
  unhappy_max_rating as "unhappyMaxRating", vocal_min_comment_length as "vocalMinCommentLength",
  ${instantSql('updated_at')} as "updatedAt", updated_by as "updatedBy"`;

const FIND_SQL = prepared('csat_settings_find', `select ${COLUMNS} from csat_settings where workspace_id = $1::uuid`);

/**
 * A partial change in one statement: a null parameter keeps the stored value (or the default, for a
 * first save). The defaults come in as parameters so settings.rules.ts stays their one source.
 */
const UPSERT_SQL = prepared(
  'csat_settings_upsert',
  `insert into csat_settings as s (workspace_id, enabled, badge_public, badge_min_count, unhappy_max_rating, vocal_min_comment_length, updated_at, updated_by)
   values ($1::uuid, coalesce($2::boolean, $8::boolean), coalesce($3::boolean, $9::boolean), coalesce($4::int, $10::int),
           coalesce($5::smallint, $11::smallint), coalesce($6::int, $12::int), now(), $7::uuid)
   on conflict (workspace_id) do update set
     enabled = coalesce($2::boolean, s.enabled),
     badge_public = coalesce($3::boolean, s.badge_public),
     badge_min_count = coalesce($4::int, s.badge_min_count),
     unhappy_max_rating = coalesce($5::smallint, s.unhappy_max_rating),
     vocal_min_comment_length = coalesce($6::int, s.vocal_min_comment_length),
     updated_at = now(),
     updated_by = $7::uuid
   returning ${COLUMNS}`,
);

export class CsatSettingsRepository extends EntityRepository<CsatSettings> {
  /** Through the EntityManager's Kysely: the request's connection (or transaction), counted like every statement. */
  private rows<Row>(text: string, values: unknown[]): Promise<Row[]> {
    return sqlRows<Row>(this.em.getKysely(), text, values);
  }

  /** The workspace's settings, or the defaults when it has no row. One statement. */
  async findOrDefaults(workspaceId: string): Promise<StoredSettings> {
    const [row] = await this.rows<StoredSettings>(FIND_SQL, [workspaceId]);
    return row ?? { workspaceId, ...DEFAULT_SETTINGS, updatedAt: null, updatedBy: null };
  }

  async change(workspaceId: string, by: string, change: SettingsChange): Promise<StoredSettings> {
    const d = DEFAULT_SETTINGS;
    const [row] = await this.rows<StoredSettings>(UPSERT_SQL, [
      workspaceId,
      change.enabled ?? null,
      change.badgePublic ?? null,
      change.badgeMinCount ?? null,
      change.unhappyMaxRating ?? null,
      change.vocalMinCommentLength ?? null,
      by,
      d.enabled,
      d.badgePublic,
      d.badgeMinCount,
      d.unhappyMaxRating,
      d.vocalMinCommentLength,
    ]);
    return row!;
  }
}

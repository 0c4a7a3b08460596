import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer.js';
import { sql } from 'kysely';
import { BadUserInputError } from '../errors/domain.errors.js';
import { CsatSettings } from './settings.entity.js';
import type { StoredSettings } from './settings.repository.js';
import { validateSettingsChange, type SettingsChange } from './settings.rules.js';

// Who may call these is settings.resolver.ts's @Authorized; the workspace is always the token's.

/** The workspace's settings, or the defaults. */
export async function readSettings(em: EntityManager, viewer: Viewer): Promise<StoredSettings> {
  return em.getRepository(CsatSettings).findOrDefaults(viewer.workspace);
}

/** A partial change of the token's workspace's settings, so there is nobody else's to name. */
export async function updateSettings(em: EntityManager, viewer: Viewer, change: SettingsChange): Promise<StoredSettings> {
  validateSettingsChange(change);
  if (change.commentLanguage !== null && change.commentLanguage !== undefined) await checkTextSearchConfig(em, change.commentLanguage);
  return em.getRepository(CsatSettings).change(viewer.workspace, viewer.sub, change);
}

/** A commentLanguage PostgreSQL does not have is the caller's mistake, with its field (the database refuses it too). */
async function checkTextSearchConfig(em: EntityManager, name: string): Promise<void> {
  const { rows } = await sql<{ known: boolean }>`select exists (select 1 from pg_ts_config where cfgname = ${name}) as known`.execute(em.getKysely());
  if (!rows[0]!.known) throw new BadUserInputError(`commentLanguage: PostgreSQL has no text search configuration "${name}" (see pg_ts_config)`, 'commentLanguage');
}

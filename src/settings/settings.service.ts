import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer.js';
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
  return em.getRepository(CsatSettings).change(viewer.workspace, viewer.sub, change);
}

import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer.js';
import { ForbiddenError, UnauthenticatedError } from '../errors/domain.errors.js';
import { CsatSettings } from './settings.entity.js';
import type { StoredSettings } from './settings.repository.js';
import { validateSettingsChange, type SettingsChange } from './settings.rules.js';

/** Staff of the workspace read its settings; customers never (they hold nothing to act on). */
export async function readSettings(em: EntityManager, viewer: Viewer | null): Promise<StoredSettings> {
  if (!viewer) throw new UnauthenticatedError('csatSettings needs a staff token');
  if (viewer.role === 'customer') throw new ForbiddenError('only agents and admins of the workspace read its CSAT settings');
  return em.getRepository(CsatSettings).findOrDefaults(viewer.workspace);
}

/** Admins change their own workspace's settings; always the token's workspace, so there is nobody else's to name. */
export async function updateSettings(em: EntityManager, viewer: Viewer | null, change: SettingsChange): Promise<StoredSettings> {
  if (!viewer) throw new UnauthenticatedError('updateCsatSettings needs an admin token');
  if (viewer.role !== 'admin') throw new ForbiddenError('only admins change CSAT settings');
  validateSettingsChange(change);
  return em.getRepository(CsatSettings).change(viewer.workspace, viewer.sub, change);
}

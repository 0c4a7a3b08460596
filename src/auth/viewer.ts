/**
 * `service`: a workspace-scoped token for back-end callers (the helpdesk's mailer): it reads CSAT fields as staff
 * do and asks for rating links (csatRatingLinks); every other operation refuses it (docs/email-links.md).
 */
export const ROLES = ['customer', 'agent', 'admin', 'service'] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking, from a verified token. `null` in a context means no token was sent. */
export interface Viewer {
  /** User id (token `sub`). */
  sub: string;
  role: Role;
  /** Workspace id (token `workspace`). */
  workspace: string;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(v: unknown): v is string {
  return typeof v === 'string' && UUID_RE.test(v);
}

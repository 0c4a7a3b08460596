import type { AuthChecker } from 'type-graphql';
import { ForbiddenError, UnauthenticatedError } from '../errors/domain.errors.js';
import type { Role, Viewer } from './viewer.js';

/** Who may call a field, and what everyone else is told: the argument of `@Authorized(access)`. */
export interface Access {
  /** The roles allowed; a signed-in caller of another role gets FORBIDDEN. */
  roles: readonly Role[];
  /** UNAUTHENTICATED's message, for a caller without a token. */
  unauthenticated: string;
  /** FORBIDDEN's message (unused when every role is allowed). */
  forbidden?: string;
}

/**
 * type-graphql's authChecker for every `@Authorized` field: it throws the domain's errors itself, so the codes
 * and messages are the ones error.formatter.ts maps (type-graphql's own say "Access denied!"). The rateTicket hot
 * path goes through it too: one async middleware, a few µs beside its SQL (bench (d)).
 */
export const authChecker: AuthChecker<{ viewer: Viewer | null }, Access> = ({ context }, rules) => {
  const viewer = context.viewer;
  if (!rules.length && !viewer) throw new UnauthenticatedError('this field needs a token');
  for (const rule of rules) {
    if (!viewer) throw new UnauthenticatedError(rule.unauthenticated);
    if (!rule.roles.includes(viewer.role)) throw new ForbiddenError(rule.forbidden ?? 'not allowed for this role');
  }
  return true;
};

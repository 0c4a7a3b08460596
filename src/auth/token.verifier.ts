import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from '../config/config.js';
import { UnauthenticatedError } from '../errors/domain.errors.js';
import { VerifiedTokenCache } from './token.cache.js';
import { ROLES, isUuid, type Role, type Viewer } from './viewer.js';

/** Algorithms are pinned per mode: a token cannot pick its own (no `none`, no HS/RS key confusion). */
export const HS_ALGORITHMS = ['HS256'];
export const JWKS_ALGORITHMS = ['RS256', 'ES256'];
const CLOCK_TOLERANCE_S = 5;

export interface TokenVerifier {
  /** Resolves the Viewer of a verified token; throws UnauthenticatedError with a reason a client may see. */
  verify(token: string): Promise<Viewer>;
}

export function createTokenVerifier(auth: AuthConfig): TokenVerifier {
  const secret = auth.mode === 'hs256' ? new TextEncoder().encode(auth.secret) : undefined;
  // One key function for both modes; jose calls it only for tokens the cache has not seen.
  const key: JWTVerifyGetKey = auth.mode === 'hs256' ? async () => secret! : createRemoteJWKSet(new URL(auth.jwksUrl));
  const options = {
    algorithms: auth.mode === 'hs256' ? HS_ALGORITHMS : JWKS_ALGORITHMS,
    issuer: auth.issuer,
    audience: auth.audience,
    clockTolerance: CLOCK_TOLERANCE_S,
    // A token without an expiry would be valid forever.
    requiredClaims: ['exp', 'sub'],
  };
  const cache = new VerifiedTokenCache();
  return {
    async verify(token) {
      const cached = cache.get(token);
      if (cached) return cached;
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, key, options));
      } catch (err) {
        // A token's own fault is the caller's (401); anything else, such as the JWKS endpoint being down,
        // is ours: it reaches the client masked and the log in full (server/plugins/graphql.route.plugin.ts).
        if (!isTokenError(err)) throw err;
        throw new UnauthenticatedError(reason(err));
      }
      // jose checks `iat` only against a maximum age: a token "issued" in the future is someone's clock or forgery.
      if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + CLOCK_TOLERANCE_S) throw new UnauthenticatedError('token claim "iat" is in the future');
      const viewer = viewerFromClaims(payload);
      cache.set(token, viewer, payload.exp!);
      return viewer;
    },
  };
}

const TOKEN_ERRORS = [
  joseErrors.JWTExpired,
  joseErrors.JWTClaimValidationFailed,
  joseErrors.JWTInvalid,
  joseErrors.JWSInvalid,
  joseErrors.JOSEAlgNotAllowed,
  joseErrors.JWSSignatureVerificationFailed,
  joseErrors.JWKSNoMatchingKey,
  joseErrors.JWKSMultipleMatchingKeys,
  joseErrors.JOSENotSupported,
];

function isTokenError(err: unknown): boolean {
  return TOKEN_ERRORS.some((E) => err instanceof E);
}

function reason(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'token expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `token claim "${err.claim}" is invalid`;
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'token algorithm not allowed';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'token signature is invalid';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'token signing key is unknown';
  return 'token is invalid';
}

function viewerFromClaims(p: JWTPayload): Viewer {
  const role = p.role;
  if (!isUuid(p.sub)) throw new UnauthenticatedError('token claim "sub" must be a user id (UUID)');
  if (typeof role !== 'string' || !ROLES.includes(role as Role)) {
    throw new UnauthenticatedError(`token claim "role" must be one of ${ROLES.join(', ')}`);
  }
  if (!isUuid(p.workspace)) throw new UnauthenticatedError('token claim "workspace" must be a workspace id (UUID)');
  return { sub: p.sub.toLowerCase(), role: role as Role, workspace: (p.workspace as string).toLowerCase() };
}

/** `Authorization` header to token: absent is anonymous (null); anything but `Bearer <token>` is an error. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined || header === '') return null;
  const m = /^Bearer\s+([A-Za-z0-9\-_=.]+)\s*$/i.exec(header);
  if (!m) throw new UnauthenticatedError('Authorization header must be "Bearer <token>"');
  return m[1]!;
}

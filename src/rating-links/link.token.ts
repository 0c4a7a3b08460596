import { createHash } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { isUuid } from '../auth/viewer.js';
import type { RatingLinkConfig } from '../config/config.js';

/**
 * A rating link's token: a compact JWS (HS256, HMAC-SHA256) over the ticket, its workspace, the requester at the
 * time the link was issued, the expiry and the page's language. It grants one thing: rating that ticket as that
 * requester (the rating statement then checks that they still are its requester). Its own key
 * (RATING_LINK_SECRET), its own audience and type: it never passes as a sign-in token, nor one as it.
 */
export const LINK_AUDIENCE = 'csat-rating-link';
const LINK_TYPE = 'csat-rate+jwt';

export interface LinkClaims {
  ticketId: string;
  workspaceId: string;
  requesterId: string;
  /** en, de, fr or es; absent: the page follows Accept-Language. */
  locale?: string;
  /** Epoch seconds. */
  expiresAt: number;
}

/** What a token turned out to be. "expired" only for a genuine token: the signature is checked first. */
export type LinkCheck = { ok: true; claims: LinkClaims } | { ok: false; reason: 'expired' | 'invalid' };

export interface LinkSigner {
  sign(claims: Omit<LinkClaims, 'expiresAt'>, now?: number): Promise<{ token: string; expiresAt: number }>;
  verify(token: string): Promise<LinkCheck>;
}

/** A token's shape: three base64url parts; anything else is refused before any HMAC (and never reaches a log). */
export const TOKEN_RE = /^[A-Za-z0-9_-]{10,600}\.[A-Za-z0-9_-]{10,1200}\.[A-Za-z0-9_-]{40,90}$/;

/** What logs carry instead of the token: enough to tell two links apart, nothing to rebuild one. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url').slice(0, 16);
}

export function createLinkSigner(config: Pick<RatingLinkConfig, 'secret' | 'previousSecret' | 'ttlSeconds'>): LinkSigner {
  const encoder = new TextEncoder();
  const current = encoder.encode(config.secret);
  // Rotation: new links are signed with the current key; links signed with the previous one still verify until they expire.
  const keys = config.previousSecret ? [current, encoder.encode(config.previousSecret)] : [current];
  return {
    async sign(claims, now = Date.now()) {
      const expiresAt = Math.floor(now / 1000) + config.ttlSeconds;
      const payload: Record<string, string> = { tid: claims.ticketId, wid: claims.workspaceId };
      if (claims.locale) payload.lng = claims.locale;
      const token = await new SignJWT(payload)
        .setProtectedHeader({ alg: 'HS256', typ: LINK_TYPE })
        .setSubject(claims.requesterId)
        .setAudience(LINK_AUDIENCE)
        .setIssuedAt(Math.floor(now / 1000))
        .setExpirationTime(expiresAt)
        .sign(current);
      return { token, expiresAt };
    },
    async verify(token) {
      if (!TOKEN_RE.test(token)) return { ok: false, reason: 'invalid' };
      for (const key of keys) {
        try {
          const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], audience: LINK_AUDIENCE, typ: LINK_TYPE, requiredClaims: ['exp', 'sub'] });
          const { tid, wid, lng, sub, exp } = payload as Record<string, unknown>;
          if (!isUuid(tid) || !isUuid(wid) || !isUuid(sub)) return { ok: false, reason: 'invalid' };
          return {
            ok: true,
            claims: { ticketId: tid.toLowerCase(), workspaceId: wid.toLowerCase(), requesterId: sub.toLowerCase(), locale: typeof lng === 'string' ? lng : undefined, expiresAt: exp as number },
          };
        } catch (err) {
          // jose checks the signature before the claims: an expired token was signed by one of our keys.
          if (err instanceof joseErrors.JWTExpired) return { ok: false, reason: 'expired' };
          if (err instanceof joseErrors.JWSSignatureVerificationFailed) continue;
          return { ok: false, reason: 'invalid' };
        }
      }
      return { ok: false, reason: 'invalid' };
    },
  };
}

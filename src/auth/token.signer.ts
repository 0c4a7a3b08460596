import { SignJWT } from 'jose';
import type { Viewer } from './viewer.js';

/** Signs an HS256 token for development, tests and demos (`npm run token`). */
export async function signDevToken(viewer: Viewer, secret: string, opts: { ttlSeconds?: number; issuer?: string; audience?: string } = {}): Promise<string> {
  let jwt = new SignJWT({ role: viewer.role, workspace: viewer.workspace })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(viewer.sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (opts.ttlSeconds ?? 24 * 3600));
  if (opts.issuer) jwt = jwt.setIssuer(opts.issuer);
  if (opts.audience) jwt = jwt.setAudience(opts.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}

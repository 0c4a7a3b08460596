import type { MikroORM, EntityManager } from '@mikro-orm/postgresql';
import type { IncomingMessage } from 'node:http';
import { bearerToken, type TokenVerifier } from '../auth/token.verifier.js';
import type { Viewer } from '../auth/viewer.js';
import type { Logger } from './logger.js';
import { createLoaders, type Loaders } from './loaders.js';

/** Everything one GraphQL request owns; built once per request and dropped with it. */
export interface RequestContext {
  requestId: string;
  viewer: Viewer | null;
  em: EntityManager;
  loaders: Loaders;
  log: Logger;
}

export function createContextFactory(orm: MikroORM, verifier: TokenVerifier) {
  return async (req: IncomingMessage, requestId: string, log: Logger): Promise<RequestContext> => {
    const token = bearerToken(req.headers.authorization);
    const viewer = token === null ? null : await verifier.verify(token);
    // A fork per request: the identity map and the loader cache live exactly one request.
    const em = orm.em.fork();
    return { requestId, viewer, em, loaders: createLoaders(em, viewer), log };
  };
}

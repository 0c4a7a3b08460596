import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import { bearerToken, type TokenVerifier } from '../auth/token.verifier.js';
import type { Viewer } from '../auth/viewer.js';
import { BadgeCache } from '../badge/badge.cache.js';
import type { CsatBadge } from '../badge/badge.type.js';
import { systemLookup, type GuardOptions } from '../webhooks/url.guard.js';
import { createLoaders, type Loaders } from './loaders.js';

/** What outlives requests, one per service instance (caches). */
export interface SharedState {
  badges: BadgeCache<CsatBadge | null>;
  /** How endpoint URLs are checked (url.guard.ts). */
  webhooks: GuardOptions;
}

export function createSharedState(webhooks: GuardOptions = { allowLoopback: false, lookup: systemLookup }): SharedState {
  return { badges: new BadgeCache<CsatBadge | null>(), webhooks };
}

/** Everything one GraphQL request owns; built once per request and dropped with it. */
export interface RequestContext {
  requestId: string;
  viewer: Viewer | null;
  em: EntityManager;
  loaders: Loaders;
  /** The request's child of the service logger, carrying `requestId`. */
  log: FastifyBaseLogger;
  shared: SharedState;
  /** The HTTP response: a large answer holds its share of the in-flight budget until it closes (answer.budget.ts). */
  response: ServerResponse;
}

export function createContextFactory(orm: MikroORM, verifier: TokenVerifier, shared: SharedState = createSharedState()) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<RequestContext> => {
    const token = bearerToken(request.headers.authorization);
    const viewer = token === null ? null : await verifier.verify(token);
    // A fork per request: its repositories and the loaders' caches live exactly one request.
    const em = orm.em.fork();
    return { requestId: request.id, viewer, em, loaders: createLoaders(em, viewer), log: request.log, shared, response: reply.raw };
  };
}

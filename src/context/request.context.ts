// What a resolver is handed for one GraphQL request. Types only: features import it, nothing here imports a
// feature (each declares its own loaders below), and app.ts builds it per request.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer.js';
import type { Logger } from '../config/logger.js';

/**
 * The request's DataLoaders, empty here: each feature adds its own by declaration merging, beside the loader
 * (`declare module '../context/request.context.js' { interface Loaders { … } }`), as Fastify's decorators do.
 */
export interface Loaders {}

/** Everything one GraphQL request owns; built once per request (app.ts) and dropped with it. */
export interface RequestContext {
  requestId: string;
  /** From the verified bearer token; null without one. */
  viewer: Viewer | null;
  /** The request's fork: its repositories and the loaders' caches live exactly one request. */
  em: EntityManager;
  loaders: Loaders;
  /** The request's child of the service logger, carrying `requestId`. */
  log: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
}

/** The context of a field behind `@Authorized` (auth/auth.checker.ts): its caller is signed in. */
export type SignedInContext = RequestContext & { viewer: Viewer };

// The service's settings: read from the environment and validated once, at start, into a typed object that
// the rest of the code is handed. (Dev scripts, tests and benchmarks read their own few variables.) Each
// variable is a zod schema below; the rules between variables follow it; every problem names its variable.
import { getHeapStatistics } from 'node:v8';
import { z } from 'zod';
import { parseTrustProxy } from './trust.proxy.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Development-only rating-link key: refused when NODE_ENV=production (where RATING_LINK_SECRET is required). */
export const DEV_RATING_LINK_SECRET = 'csat-subgraph-development-rating-link-secret-do-not-use';

/** Development-only secret: refused when NODE_ENV=production. */
export const DEV_JWT_SECRET = 'csat-subgraph-development-secret-do-not-use-in-production';

export type AuthConfig =
  | { mode: 'hs256'; secret: string; issuer?: string; audience?: string }
  | { mode: 'jwks'; jwksUrl: string; issuer: string; audience: string };

/** Bounded work per request (docs/contract.md, Limits); a request over one is refused with BAD_USER_INPUT. */
export interface Limits {
  /** Aliased fields per operation (LIMIT_ALIASES). */
  aliases: number;
  /** Selection depth (LIMIT_DEPTH). */
  depth: number;
  /** GraphQL Armor's static cost (LIMIT_COST). */
  cost: number;
  /** Lexical tokens of the document (LIMIT_TOKENS). */
  tokens: number;
  /** Directives per operation (LIMIT_DIRECTIVES). */
  directives: number;
  /** `_entities` representations per request, over all `_entities` fields (LIMIT_REPRESENTATIONS). */
  representations: number;
  /** `_entities` fields per operation: a router sends one (LIMIT_ENTITIES_FIELDS). */
  entitiesFields: number;
  /** Mutation fields per operation (LIMIT_MUTATION_FIELDS). */
  mutationFields: number;
  /** Request body bytes (LIMIT_BODY_BYTES). */
  bodyBytes: number;
  /** The largest `_entities` answer a request may ask for, counted before it runs at its worst case (LIMIT_ANSWER_BYTES). */
  answerBytes: number;
  /** Worst-case bytes of the large answers being built or sent at once; past it, SERVICE_UNAVAILABLE (LIMIT_ANSWER_BYTES_IN_FLIGHT). */
  answerBytesInFlight: number;
}

/** Load shedding on /graphql (@fastify/under-pressure): past any of these, 503 SERVICE_UNAVAILABLE; 0 turns one off. */
export interface PressureConfig {
  /** Mean event-loop delay over a sample (PRESSURE_MAX_EVENT_LOOP_DELAY_MS). */
  maxEventLoopDelayMs: number;
  /** V8 heap in use (PRESSURE_MAX_HEAP_USED_BYTES; default 80 % of the heap limit). */
  maxHeapUsedBytes: number;
  /** Resident set (PRESSURE_MAX_RSS_BYTES; off by default: set it below the container's memory limit). */
  maxRssBytes: number;
}

/** Every wait has an end; each is shorter than the one that contains it (validated below). */
export interface Timeouts {
  /** PostgreSQL statement_timeout per connection (DB_STATEMENT_TIMEOUT_MS). */
  statementMs: number;
  /** PostgreSQL lock_timeout per connection (DB_LOCK_TIMEOUT_MS). */
  lockMs: number;
  /** Waiting for a pooled connection, or a new one (DB_POOL_TIMEOUT_MS). */
  poolMs: number;
  /** The whole request (REQUEST_TIMEOUT_MS): past it the client gets SERVICE_UNAVAILABLE. */
  requestMs: number;
  /** After the listener closed: how long in-flight requests may finish (SHUTDOWN_GRACE_MS). */
  shutdownGraceMs: number;
  /** After SIGTERM, before the listener closes: readiness is 503 while a load balancer stops sending (SHUTDOWN_DELAY_MS). */
  shutdownDelayMs: number;
}

/** Rating webhooks (docs/webhooks.md). */
export interface WebhookConfig {
  /** Run the delivery worker inside the service process (CSAT_WORKER=on|off; `npm run worker` runs one alone). */
  worker: boolean;
  /** First retry delay of a failed delivery (WEBHOOK_RETRY_BASE_MS); then doubling, with jitter. */
  retryBaseMs: number;
  /** Retries stop this long after the first attempt, and the delivery is FAILED (WEBHOOK_RETRY_WINDOW_MS, about 24 h). */
  retryWindowMs: number;
  /** http and loopback addresses allowed for endpoints (WEBHOOKS_ALLOW_LOOPBACK=true; development, tests, demos; refused in production). */
  allowLoopback: boolean;
  /** Deliveries at once per worker process (WEBHOOK_CONCURRENCY). */
  concurrency: number;
}

/** Signed rating links in the resolution email (docs/email-links.md). */
export interface RatingLinkConfig {
  /** HMAC-SHA256 key of new links (RATING_LINK_SECRET; a development default outside production). */
  secret: string;
  /** Still accepted for links signed before a rotation, until they expire (RATING_LINK_SECRET_PREVIOUS). */
  previousSecret?: string;
  /** A link's lifetime in seconds (RATING_LINK_TTL: seconds, or a number with s, m, h or d; default 30d). */
  ttlSeconds: number;
  /** Requests per minute to the rating pages from one IP address (RATING_LINK_RATE_LIMIT_IP, default 60). */
  perIpPerMinute: number;
  /** Requests per minute for one link (RATING_LINK_RATE_LIMIT_TOKEN, default 20). */
  perTokenPerMinute: number;
  /** Where customers reach this service's /rate pages (PUBLIC_URL, no trailing slash); unset outside production: the listener's own URL. */
  publicUrl?: string;
}

/**
 * How the service reaches PostgreSQL (docs/deploy.md, The database and a pooler). `transaction`: DATABASE_URL is a
 * transaction pooler (PgBouncer pool_mode=transaction, a managed pooler), which keeps no session state between
 * transactions: no session SET, no session advisory lock, no LISTEN, and (before PgBouncer 1.21) no named
 * prepared statement. The migrations and the webhook worker need all of those: they take their own URLs.
 */
export interface PoolingConfig {
  /** DB_POOL_MODE=session (a direct connection, or a session pooler) | transaction. */
  mode: 'session' | 'transaction';
  /** The hot statements as named prepared statements (DB_PREPARED_STATEMENTS; default on, off with DB_POOL_MODE=transaction). */
  preparedStatements: boolean;
  /** Where migrations (and the rollup rebuild after them) run (MIGRATION_DATABASE_URL; unset: DATABASE_URL). */
  migrationUrl?: string;
  /** Where the webhook worker connects (WORKER_DATABASE_URL; unset: DATABASE_URL). */
  workerUrl?: string;
}

/** Read replicas for the heavy reads (docs/deploy.md, Read replicas). */
export interface ReplicaConfig {
  /** Streaming standbys of DATABASE_URL (DATABASE_REPLICA_URLS, comma-separated); none: every read on the primary. */
  urls: string[];
  /** A standby further behind than this is skipped (REPLICA_MAX_LAG_MS). */
  maxLagMs: number;
}

export interface Config {
  production: boolean;
  /** Unset: start an embedded PostgreSQL (dev/embedded.postgres.ts). */
  databaseUrl?: string;
  port: number;
  host: string;
  /**
   * Proxies whose X-Forwarded-For/-Proto/-Host are believed (TRUST_PROXY: addresses or CIDR ranges); none by
   * default, so `request.ip` is the TCP peer. Behind an ingress, its range: else every customer has its address.
   */
  trustProxy: string[];
  auth: AuthConfig;
  logLevel: LogLevel;
  /** Where the embedded PostgreSQL keeps its data between runs. */
  embeddedDataDir: string;
  limits: Limits;
  timeouts: Timeouts;
  pressure: PressureConfig;
  /** /metrics on its own port (METRICS_PORT); unset: on the public listener outside production, off in production. */
  metricsPort?: number;
  /** `_service { sdl }` answers (SERVICE_SDL=on|off; default on outside production, off in production). */
  serviceSdl: boolean;
  webhooks: WebhookConfig;
  ratingLinks: RatingLinkConfig;
  pooling: PoolingConfig;
  replicas: ReplicaConfig;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Blank and unset are the same: unset. Values are trimmed. */
const text = z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined), z.string().optional());

/** An integer in [min, max], as text. */
function integerText(min: number, max: number) {
  const error = (issue: { input?: unknown }) => `must be an integer ${min}..${max}, got "${String(issue.input)}"`;
  return z.string().regex(/^\d{1,16}$/, { error }).transform(Number).pipe(z.number().min(min, { error }).max(max, { error }));
}

/** An integer in [min, max], or `fallback` when unset. */
const integer = (fallback: number, min: number, max: number) => text.pipe(integerText(min, max).default(fallback));

/** A duration as text: seconds, or a number with s, m, h or d; in seconds, within [min, max]. */
function durationText(min: number, max: number) {
  const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
  const error = (issue: { input?: unknown }) => `must be a duration from ${min}s to ${max / 86_400}d (e.g. 3600, 12h, 30d), got "${String(issue.input)}"`;
  return z
    .string()
    .regex(/^\d{1,9}[smhd]?$/, { error })
    .transform((v) => Number(v.replace(/[smhd]$/, '')) * (UNIT[v.at(-1)!] ?? 1))
    .pipe(z.number().min(min, { error }).max(max, { error }));
}

/** One of `values`, as text. */
const enumText = <const T extends readonly [string, ...string[]]>(values: T, what = `one of ${values.join(', ')}`) =>
  z.enum(values, { error: (issue) => `must be ${what}, got "${String(issue.input)}"` });

/** One of `values`, or `fallback` when unset. */
const oneOf = <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number], what?: string) => text.pipe(enumText(values, what).default(fallback as never));

/** Every variable the service reads, by name: a bad value is a problem naming it. */
/** A postgres:// URL (DATABASE_URL and the URLs beside it). */
const postgresUrl = text.pipe(
  z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// or postgresql:// URL' })
    .refine((url) => !/^postgres(ql)?:\/\//.test(url) || URL.canParse(url), { error: 'is not a valid URL (for a Unix socket: postgres://user@localhost/db?host=/var/run/postgresql)' })
    .optional(),
);

const ENVIRONMENT = z.object({
  NODE_ENV: text,
  PORT: integer(4001, 0, 65535),
  HOST: text.default('127.0.0.1'),
  TRUST_PROXY: text.pipe(
    z
      .string()
      .transform((value, ctx) => {
        const parsed = parseTrustProxy(value);
        if (Array.isArray(parsed)) return parsed;
        ctx.addIssue({ code: 'custom', message: parsed.problem });
        return z.NEVER;
      })
      .optional(),
  ),
  LOG_LEVEL: oneOf(LOG_LEVELS, 'info'),
  DATABASE_URL: postgresUrl,
  MIGRATION_DATABASE_URL: postgresUrl,
  WORKER_DATABASE_URL: postgresUrl,
  DB_POOL_MODE: oneOf(['session', 'transaction'], 'session', 'session or transaction'),
  // Its default depends on DB_POOL_MODE (below).
  DB_PREPARED_STATEMENTS: text.pipe(enumText(['on', 'off'], 'on or off').optional()),
  DATABASE_REPLICA_URLS: text.pipe(
    z
      .string()
      .transform((list) => list.split(',').map((u) => u.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^postgres(ql)?:\/\//, { error: 'must be comma-separated postgres:// or postgresql:// URLs' }).refine(URL.canParse, { error: 'holds a URL that is not valid' })))
      .optional(),
  ),
  REPLICA_MAX_LAG_MS: integer(2000, 0, 3_600_000),
  AUTH_JWKS_URL: text.pipe(z.string().regex(/^https?:\/\//, { error: 'must be an http(s) URL' }).optional()),
  AUTH_ISSUER: text,
  AUTH_AUDIENCE: text,
  // Its problems never quote it (the rules below).
  AUTH_JWT_SECRET: text,
  EMBEDDED_PG_DIR: text.default('.data/postgres'),
  LIMIT_ALIASES: integer(15, 0, 10_000),
  LIMIT_DEPTH: integer(8, 1, 100),
  LIMIT_COST: integer(5000, 1, 10_000_000),
  LIMIT_TOKENS: integer(2000, 10, 1_000_000),
  LIMIT_DIRECTIVES: integer(50, 0, 10_000),
  LIMIT_REPRESENTATIONS: integer(5000, 1, 1_000_000),
  LIMIT_ENTITIES_FIELDS: integer(1, 1, 100),
  LIMIT_MUTATION_FIELDS: integer(5, 1, 1000),
  LIMIT_BODY_BYTES: integer(4 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
  LIMIT_ANSWER_BYTES: integer(16 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024),
  LIMIT_ANSWER_BYTES_IN_FLIGHT: integer(32 * 1024 * 1024, 64 * 1024, 16 * 1024 * 1024 * 1024),
  DB_STATEMENT_TIMEOUT_MS: integer(5000, 1, 3_600_000),
  DB_LOCK_TIMEOUT_MS: integer(2000, 1, 3_600_000),
  DB_POOL_TIMEOUT_MS: integer(2000, 1, 3_600_000),
  REQUEST_TIMEOUT_MS: integer(8000, 1, 3_600_000),
  SHUTDOWN_GRACE_MS: integer(10_000, 1, 3_600_000),
  SHUTDOWN_DELAY_MS: integer(5000, 0, 600_000),
  PRESSURE_MAX_EVENT_LOOP_DELAY_MS: integer(1000, 0, 3_600_000),
  // Shed before V8 runs out of heap (and the process dies); --max-old-space-size moves the limit.
  PRESSURE_MAX_HEAP_USED_BYTES: integer(Math.floor(getHeapStatistics().heap_size_limit * 0.8), 0, 2 ** 50),
  PRESSURE_MAX_RSS_BYTES: integer(0, 0, 2 ** 50),
  METRICS_PORT: text.pipe(integerText(0, 65535).optional()),
  // Its default depends on NODE_ENV (below).
  SERVICE_SDL: text.pipe(enumText(['on', 'off'], 'on or off').optional()),
  CSAT_WORKER: oneOf(['on', 'off'], 'on', 'on or off'),
  WEBHOOK_RETRY_BASE_MS: integer(5000, 1, 3_600_000),
  WEBHOOK_RETRY_WINDOW_MS: integer(24 * 3_600_000, 1, 30 * 24 * 3_600_000),
  WEBHOOK_CONCURRENCY: integer(10, 1, 200),
  WEBHOOKS_ALLOW_LOOPBACK: oneOf(['true', 'false'], 'false', 'true or false'),
  // Their problems never quote them (the rules below).
  RATING_LINK_SECRET: text,
  RATING_LINK_SECRET_PREVIOUS: text,
  RATING_LINK_RATE_LIMIT_IP: integer(60, 1, 1_000_000),
  RATING_LINK_RATE_LIMIT_TOKEN: integer(20, 1, 1_000_000),
  RATING_LINK_TTL: text.pipe(durationText(60, 366 * 86_400).default(30 * 86_400)),
  PUBLIC_URL: text.pipe(
    z
      .string()
      .regex(/^https?:\/\/[^/?#]+(\/[^?#]*)?$/, { error: 'must be an http(s) URL without query or fragment' })
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
  ),
});
type Environment = z.output<typeof ENVIRONMENT>;

/**
 * The rules between variables. They run beside the variables' own checks (so every problem is reported at
 * once); a variable that failed its own check holds no number, and the rules about it wait until it does.
 */
function crossRules(e: Environment, problem: (message: string) => void): void {
  const production = e.NODE_ENV === 'production';
  const n = (v: unknown): v is number => typeof v === 'number';
  // The embedded database (and its demo data and printed tokens) is for development only.
  if (production && !e.DATABASE_URL) problem('production needs DATABASE_URL (the embedded PostgreSQL is for development)');
  // Standbys of which primary? The embedded database has none.
  if (e.DATABASE_REPLICA_URLS?.length && !e.DATABASE_URL) problem('DATABASE_REPLICA_URLS needs DATABASE_URL (their primary)');
  const { AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience, AUTH_JWT_SECRET: secret } = e;
  if (jwksUrl) {
    if (!issuer || !audience) problem('AUTH_JWKS_URL needs AUTH_ISSUER and AUTH_AUDIENCE');
    if (secret) problem('set either AUTH_JWKS_URL or AUTH_JWT_SECRET, not both');
  } else if (secret) {
    if (Buffer.byteLength(secret) < 32) problem('AUTH_JWT_SECRET must be at least 32 bytes');
    if (production && secret === DEV_JWT_SECRET) problem('the development AUTH_JWT_SECRET cannot be used in production');
    // Without them, a token minted for any other service that shares the secret would be accepted here.
    if (production && (!issuer || !audience)) problem('AUTH_JWT_SECRET in production needs AUTH_ISSUER and AUTH_AUDIENCE, which tokens must then carry');
  } else if (production) {
    problem('production needs AUTH_JWKS_URL (with AUTH_ISSUER and AUTH_AUDIENCE) or AUTH_JWT_SECRET');
  } else if (e.DATABASE_URL) {
    // The development secret is public (it is in this repo): only the throwaway embedded database may trust it.
    problem('DATABASE_URL is set, so AUTH_JWT_SECRET (at least 32 bytes) or AUTH_JWKS_URL is required: the built-in development secret is only for the embedded database');
  }
  // Else the largest answer allowed could never be admitted.
  if (n(e.LIMIT_ANSWER_BYTES) && n(e.LIMIT_ANSWER_BYTES_IN_FLIGHT) && e.LIMIT_ANSWER_BYTES_IN_FLIGHT < e.LIMIT_ANSWER_BYTES) problem('LIMIT_ANSWER_BYTES_IN_FLIGHT must be at least LIMIT_ANSWER_BYTES');
  // Each wait fits inside the next: a statement ends before its request, a request before the drain's end,
  // so no client is told "failed" (or cut off) while a statement of theirs can still commit.
  const { DB_LOCK_TIMEOUT_MS: lock, DB_STATEMENT_TIMEOUT_MS: statement, DB_POOL_TIMEOUT_MS: pool, REQUEST_TIMEOUT_MS: request, SHUTDOWN_GRACE_MS: grace } = e;
  if (n(lock) && n(statement) && lock > statement) problem('DB_LOCK_TIMEOUT_MS must not exceed DB_STATEMENT_TIMEOUT_MS');
  if (n(statement) && n(request) && statement >= request) problem('DB_STATEMENT_TIMEOUT_MS must be shorter than REQUEST_TIMEOUT_MS');
  if (n(pool) && n(request) && pool >= request) problem('DB_POOL_TIMEOUT_MS must be shorter than REQUEST_TIMEOUT_MS');
  if (n(request) && n(grace) && request >= grace) problem('REQUEST_TIMEOUT_MS must be shorter than SHUTDOWN_GRACE_MS');
  // Behind a transaction pooler, what needs a session connects around it (docs/deploy.md, The database and a pooler).
  if (e.DB_POOL_MODE === 'transaction') {
    if (!e.DATABASE_URL) problem('DB_POOL_MODE=transaction needs DATABASE_URL (the pooler; the embedded PostgreSQL has none)');
    else {
      if (!e.MIGRATION_DATABASE_URL || e.MIGRATION_DATABASE_URL === e.DATABASE_URL)
        problem('DB_POOL_MODE=transaction needs MIGRATION_DATABASE_URL, PostgreSQL directly: migrations hold a session advisory lock, which a transaction pooler does not keep');
      if (e.CSAT_WORKER === 'on' && (!e.WORKER_DATABASE_URL || e.WORKER_DATABASE_URL === e.DATABASE_URL))
        problem('DB_POOL_MODE=transaction with CSAT_WORKER=on needs WORKER_DATABASE_URL, PostgreSQL directly: the webhook worker LISTENs and holds session advisory locks');
    }
  }
  // Production endpoints are public https servers; a loopback receiver is a development setup.
  if (production && e.WEBHOOKS_ALLOW_LOOPBACK === 'true') problem('WEBHOOKS_ALLOW_LOOPBACK=true is for development and tests, not production');
  // A rating link grants a rating to whoever holds it: its key is the service's own, never the auth secret's.
  const { RATING_LINK_SECRET: linkSecret, RATING_LINK_SECRET_PREVIOUS: previous } = e;
  if (production && !linkSecret) problem('production needs RATING_LINK_SECRET (at least 32 bytes): it signs the rating links in emails');
  if (linkSecret !== undefined && Buffer.byteLength(linkSecret) < 32) problem('RATING_LINK_SECRET must be at least 32 bytes');
  if (previous !== undefined && Buffer.byteLength(previous) < 32) problem('RATING_LINK_SECRET_PREVIOUS must be at least 32 bytes');
  if (previous !== undefined && !linkSecret) problem('RATING_LINK_SECRET_PREVIOUS needs RATING_LINK_SECRET (the new key)');
  if (production && (linkSecret === DEV_RATING_LINK_SECRET || previous === DEV_RATING_LINK_SECRET)) problem('the development RATING_LINK_SECRET cannot be used in production');
  if (secret !== undefined && (linkSecret === secret || previous === secret)) problem('RATING_LINK_SECRET must differ from AUTH_JWT_SECRET (a rating link must never pass as a sign-in token)');
  if (production && !e.PUBLIC_URL) problem('production needs PUBLIC_URL (the https address customers open rating links at)');
}

const CHECKED = ENVIRONMENT.superRefine((e, ctx) => crossRules(e, (message) => ctx.addIssue({ code: 'custom', message })));

function authOf(e: Environment): AuthConfig {
  const { AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience, AUTH_JWT_SECRET: secret } = e;
  if (jwksUrl) return { mode: 'jwks', jwksUrl, issuer: issuer!, audience: audience! };
  if (secret) return { mode: 'hs256', secret, issuer, audience };
  return { mode: 'hs256', secret: DEV_JWT_SECRET, issuer, audience };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = CHECKED.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')} ${issue.message}` : issue.message));
    throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  return {
    production,
    databaseUrl: e.DATABASE_URL,
    port: e.PORT,
    host: e.HOST,
    trustProxy: e.TRUST_PROXY ?? [],
    auth: authOf(e),
    logLevel: e.LOG_LEVEL,
    embeddedDataDir: e.EMBEDDED_PG_DIR,
    limits: {
      aliases: e.LIMIT_ALIASES,
      depth: e.LIMIT_DEPTH,
      cost: e.LIMIT_COST,
      tokens: e.LIMIT_TOKENS,
      directives: e.LIMIT_DIRECTIVES,
      representations: e.LIMIT_REPRESENTATIONS,
      entitiesFields: e.LIMIT_ENTITIES_FIELDS,
      mutationFields: e.LIMIT_MUTATION_FIELDS,
      bodyBytes: e.LIMIT_BODY_BYTES,
      answerBytes: e.LIMIT_ANSWER_BYTES,
      answerBytesInFlight: e.LIMIT_ANSWER_BYTES_IN_FLIGHT,
    },
    timeouts: {
      statementMs: e.DB_STATEMENT_TIMEOUT_MS,
      lockMs: e.DB_LOCK_TIMEOUT_MS,
      poolMs: e.DB_POOL_TIMEOUT_MS,
      requestMs: e.REQUEST_TIMEOUT_MS,
      shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
      shutdownDelayMs: e.SHUTDOWN_DELAY_MS,
    },
    pressure: {
      maxEventLoopDelayMs: e.PRESSURE_MAX_EVENT_LOOP_DELAY_MS,
      maxHeapUsedBytes: e.PRESSURE_MAX_HEAP_USED_BYTES,
      maxRssBytes: e.PRESSURE_MAX_RSS_BYTES,
    },
    metricsPort: e.METRICS_PORT,
    serviceSdl: (e.SERVICE_SDL ?? (production ? 'off' : 'on')) === 'on',
    webhooks: {
      worker: e.CSAT_WORKER === 'on',
      retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
      retryWindowMs: e.WEBHOOK_RETRY_WINDOW_MS,
      allowLoopback: e.WEBHOOKS_ALLOW_LOOPBACK === 'true',
      concurrency: e.WEBHOOK_CONCURRENCY,
    },
    ratingLinks: {
      secret: e.RATING_LINK_SECRET ?? DEV_RATING_LINK_SECRET,
      previousSecret: e.RATING_LINK_SECRET_PREVIOUS,
      ttlSeconds: e.RATING_LINK_TTL,
      perIpPerMinute: e.RATING_LINK_RATE_LIMIT_IP,
      perTokenPerMinute: e.RATING_LINK_RATE_LIMIT_TOKEN,
      publicUrl: e.PUBLIC_URL,
    },
    pooling: {
      mode: e.DB_POOL_MODE,
      // PgBouncer keeps named prepared statements under transaction pooling only from 1.21 (max_prepared_statements).
      preparedStatements: (e.DB_PREPARED_STATEMENTS ?? (e.DB_POOL_MODE === 'transaction' ? 'off' : 'on')) === 'on',
      migrationUrl: e.MIGRATION_DATABASE_URL,
      workerUrl: e.WORKER_DATABASE_URL,
    },
    replicas: { urls: e.DATABASE_REPLICA_URLS ?? [], maxLagMs: e.REPLICA_MAX_LAG_MS },
  };
}

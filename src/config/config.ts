// The service's settings: read from the environment and validated once, at start, into a typed object that
// the rest of the code is handed. (Dev scripts, tests and benchmarks read their own few variables.)
import { getHeapStatistics } from 'node:v8';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

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

export interface Config {
  production: boolean;
  /** Unset: start an embedded PostgreSQL (see dev/embedded.postgres.ts). */
  databaseUrl?: string;
  port: number;
  host: string;
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
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

/** An integer variable in [min, max], or its default; a bad value is a problem naming the variable. */
function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const text = nonEmpty(env[name]);
  if (text === undefined) return fallback;
  const n = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) {
    problems.push(`${name} must be an integer ${min}..${max}, got "${text}"`);
    return fallback;
  }
  return n;
}

function onOff(env: NodeJS.ProcessEnv, name: string, fallback: boolean, problems: string[]): boolean {
  const text = nonEmpty(env[name]);
  if (text === undefined) return fallback;
  if (text === 'on' || text === 'off') return text === 'on';
  problems.push(`${name} must be on or off, got "${text}"`);
  return fallback;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const problems: string[] = [];

  const portText = nonEmpty(env.PORT) ?? '4001';
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65535)) problems.push(`PORT must be an integer 0..65535, got "${portText}"`);

  const logLevel = (nonEmpty(env.LOG_LEVEL) ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);

  const databaseUrl = nonEmpty(env.DATABASE_URL);
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  else if (databaseUrl && !URL.canParse(databaseUrl)) {
    problems.push('DATABASE_URL is not a valid URL (for a Unix socket: postgres://user@localhost/db?host=/var/run/postgresql)');
  }
  // The embedded database (and its demo data and printed tokens) is for development only.
  if (production && !databaseUrl) problems.push('production needs DATABASE_URL (the embedded PostgreSQL is for development)');

  const jwksUrl = nonEmpty(env.AUTH_JWKS_URL);
  const issuer = nonEmpty(env.AUTH_ISSUER);
  const audience = nonEmpty(env.AUTH_AUDIENCE);
  const secret = nonEmpty(env.AUTH_JWT_SECRET);
  let auth: AuthConfig;
  if (jwksUrl) {
    if (!/^https?:\/\//.test(jwksUrl)) problems.push('AUTH_JWKS_URL must be an http(s) URL');
    if (!issuer || !audience) problems.push('AUTH_JWKS_URL needs AUTH_ISSUER and AUTH_AUDIENCE');
    if (secret) problems.push('set either AUTH_JWKS_URL or AUTH_JWT_SECRET, not both');
    auth = { mode: 'jwks', jwksUrl, issuer: issuer ?? '', audience: audience ?? '' };
  } else if (secret) {
    if (Buffer.byteLength(secret) < 32) problems.push('AUTH_JWT_SECRET must be at least 32 bytes');
    if (production && secret === DEV_JWT_SECRET) problems.push('the development AUTH_JWT_SECRET cannot be used in production');
    // Without them, a token minted for any other service that shares the secret would be accepted here.
    if (production && (!issuer || !audience)) problems.push('AUTH_JWT_SECRET in production needs AUTH_ISSUER and AUTH_AUDIENCE, which tokens must then carry');
    auth = { mode: 'hs256', secret, issuer, audience };
  } else if (production) {
    problems.push('production needs AUTH_JWKS_URL (with AUTH_ISSUER and AUTH_AUDIENCE) or AUTH_JWT_SECRET');
    auth = { mode: 'hs256', secret: '' };
  } else if (databaseUrl) {
    // The development secret is public (it is in this repo): only the throwaway embedded database may trust it.
    problems.push('DATABASE_URL is set, so AUTH_JWT_SECRET (at least 32 bytes) or AUTH_JWKS_URL is required: the built-in development secret is only for the embedded database');
    auth = { mode: 'hs256', secret: '' };
  } else {
    auth = { mode: 'hs256', secret: DEV_JWT_SECRET, issuer, audience };
  }

  const limits: Limits = {
    aliases: integer(env, 'LIMIT_ALIASES', 15, 0, 10_000, problems),
    depth: integer(env, 'LIMIT_DEPTH', 8, 1, 100, problems),
    cost: integer(env, 'LIMIT_COST', 5000, 1, 10_000_000, problems),
    tokens: integer(env, 'LIMIT_TOKENS', 2000, 10, 1_000_000, problems),
    directives: integer(env, 'LIMIT_DIRECTIVES', 50, 0, 10_000, problems),
    representations: integer(env, 'LIMIT_REPRESENTATIONS', 5000, 1, 1_000_000, problems),
    entitiesFields: integer(env, 'LIMIT_ENTITIES_FIELDS', 1, 1, 100, problems),
    mutationFields: integer(env, 'LIMIT_MUTATION_FIELDS', 5, 1, 1000, problems),
    bodyBytes: integer(env, 'LIMIT_BODY_BYTES', 4 * 1024 * 1024, 1024, 1024 * 1024 * 1024, problems),
    answerBytes: integer(env, 'LIMIT_ANSWER_BYTES', 16 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024, problems),
    answerBytesInFlight: integer(env, 'LIMIT_ANSWER_BYTES_IN_FLIGHT', 32 * 1024 * 1024, 64 * 1024, 16 * 1024 * 1024 * 1024, problems),
  };
  // Else the largest answer allowed could never be admitted.
  if (limits.answerBytesInFlight < limits.answerBytes) problems.push('LIMIT_ANSWER_BYTES_IN_FLIGHT must be at least LIMIT_ANSWER_BYTES');
  const timeouts: Timeouts = {
    statementMs: integer(env, 'DB_STATEMENT_TIMEOUT_MS', 5000, 1, 3_600_000, problems),
    lockMs: integer(env, 'DB_LOCK_TIMEOUT_MS', 2000, 1, 3_600_000, problems),
    poolMs: integer(env, 'DB_POOL_TIMEOUT_MS', 2000, 1, 3_600_000, problems),
    requestMs: integer(env, 'REQUEST_TIMEOUT_MS', 8000, 1, 3_600_000, problems),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 10_000, 1, 3_600_000, problems),
    shutdownDelayMs: integer(env, 'SHUTDOWN_DELAY_MS', 5000, 0, 600_000, problems),
  };
  // Each wait fits inside the next: a statement ends before its request, a request before the drain's end,
  // so no client is told "failed" (or cut off) while a statement of theirs can still commit.
  if (timeouts.lockMs > timeouts.statementMs) problems.push('DB_LOCK_TIMEOUT_MS must not exceed DB_STATEMENT_TIMEOUT_MS');
  if (timeouts.statementMs >= timeouts.requestMs) problems.push('DB_STATEMENT_TIMEOUT_MS must be shorter than REQUEST_TIMEOUT_MS');
  if (timeouts.poolMs >= timeouts.requestMs) problems.push('DB_POOL_TIMEOUT_MS must be shorter than REQUEST_TIMEOUT_MS');
  if (timeouts.requestMs >= timeouts.shutdownGraceMs) problems.push('REQUEST_TIMEOUT_MS must be shorter than SHUTDOWN_GRACE_MS');
  const pressure: PressureConfig = {
    maxEventLoopDelayMs: integer(env, 'PRESSURE_MAX_EVENT_LOOP_DELAY_MS', 1000, 0, 3_600_000, problems),
    // Shed before V8 runs out of heap (and the process dies); --max-old-space-size moves the limit.
    maxHeapUsedBytes: integer(env, 'PRESSURE_MAX_HEAP_USED_BYTES', Math.floor(getHeapStatistics().heap_size_limit * 0.8), 0, 2 ** 50, problems),
    maxRssBytes: integer(env, 'PRESSURE_MAX_RSS_BYTES', 0, 0, 2 ** 50, problems),
  };
  const metricsPortText = nonEmpty(env.METRICS_PORT);
  const metricsPort = metricsPortText === undefined ? undefined : integer(env, 'METRICS_PORT', 0, 0, 65535, problems);
  const serviceSdl = onOff(env, 'SERVICE_SDL', !production, problems);

  const allowLoopbackText = nonEmpty(env.WEBHOOKS_ALLOW_LOOPBACK);
  if (allowLoopbackText !== undefined && allowLoopbackText !== 'true' && allowLoopbackText !== 'false') {
    problems.push(`WEBHOOKS_ALLOW_LOOPBACK must be true or false, got "${allowLoopbackText}"`);
  }
  const allowLoopback = allowLoopbackText === 'true';
  // Production endpoints are public https servers; a loopback receiver is a development setup.
  if (production && allowLoopback) problems.push('WEBHOOKS_ALLOW_LOOPBACK=true is for development and tests, not production');
  const webhooks: WebhookConfig = {
    worker: onOff(env, 'CSAT_WORKER', true, problems),
    retryBaseMs: integer(env, 'WEBHOOK_RETRY_BASE_MS', 5000, 1, 3_600_000, problems),
    retryWindowMs: integer(env, 'WEBHOOK_RETRY_WINDOW_MS', 24 * 3_600_000, 1, 30 * 24 * 3_600_000, problems),
    allowLoopback,
    concurrency: integer(env, 'WEBHOOK_CONCURRENCY', 10, 1, 200, problems),
  };

  if (problems.length) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return {
    production,
    databaseUrl,
    port,
    host: nonEmpty(env.HOST) ?? '127.0.0.1',
    auth,
    logLevel,
    embeddedDataDir: nonEmpty(env.EMBEDDED_PG_DIR) ?? '.data/postgres',
    limits,
    timeouts,
    pressure,
    metricsPort,
    serviceSdl,
    webhooks,
  };
}

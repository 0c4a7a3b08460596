// The service's settings: read from the environment and validated once, at start, into a typed object that
// the rest of the code is handed. (Dev scripts, tests and benchmarks read their own few variables.)
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Development-only secret: refused when NODE_ENV=production. */
export const DEV_JWT_SECRET = 'csat-subgraph-development-secret-do-not-use-in-production';

export type AuthConfig =
  | { mode: 'hs256'; secret: string; issuer?: string; audience?: string }
  | { mode: 'jwks'; jwksUrl: string; issuer: string; audience: string };

export interface Config {
  production: boolean;
  /** Unset: start an embedded PostgreSQL (see db/embedded.postgres.ts). */
  databaseUrl?: string;
  port: number;
  host: string;
  auth: AuthConfig;
  logLevel: LogLevel;
  /** Where the embedded PostgreSQL keeps its data between runs. */
  embeddedDataDir: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
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
    auth = { mode: 'hs256', secret, issuer, audience };
  } else if (production) {
    problems.push('production needs AUTH_JWKS_URL (with AUTH_ISSUER and AUTH_AUDIENCE) or AUTH_JWT_SECRET');
    auth = { mode: 'hs256', secret: '' };
  } else {
    auth = { mode: 'hs256', secret: DEV_JWT_SECRET, issuer, audience };
  }

  if (problems.length) throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return {
    production,
    databaseUrl,
    port,
    host: nonEmpty(env.HOST) ?? '127.0.0.1',
    auth,
    logLevel,
    embeddedDataDir: nonEmpty(env.EMBEDDED_PG_DIR) ?? '.data/postgres',
  };
}

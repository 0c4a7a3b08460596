import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEV_JWT_SECRET, DEV_RATING_LINK_SECRET, loadConfig } from '../src/config/config.js';

const STRONG_SECRET = 'a-production-secret-that-is-long-enough-0123456789';
const LINKS = { RATING_LINK_SECRET: 'rating-link-secret-rating-link-secret-0123', PUBLIC_URL: 'https://support.example/' };
const JWKS = { AUTH_JWKS_URL: 'https://auth.example.com/.well-known/jwks.json', AUTH_ISSUER: 'https://auth.example.com/', AUTH_AUDIENCE: 'csat' };

/** The ConfigError loadConfig throws for this environment (fails the test if it does not throw one). */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('uses PORT 4001, HOST 127.0.0.1, LOG_LEVEL info, no DATABASE_URL and the dev secret outside production', () => {
    // An explicit empty environment: nothing may come from process.env.
    const saved = { ...process.env };
    Object.assign(process.env, { PORT: '9999', HOST: '0.0.0.0', LOG_LEVEL: 'debug', DATABASE_URL: 'postgres://elsewhere/db', AUTH_JWT_SECRET: 'z'.repeat(40) });
    let config;
    try {
      config = loadConfig({});
    } finally {
      for (const k of ['PORT', 'HOST', 'LOG_LEVEL', 'DATABASE_URL', 'AUTH_JWT_SECRET']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
    expect(config).toMatchObject({ production: false, port: 4001, host: '127.0.0.1', logLevel: 'info' });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.auth).toEqual({ mode: 'hs256', secret: DEV_JWT_SECRET, issuer: undefined, audience: undefined });
  });

  it('treats empty and blank values as unset', () => {
    const config = loadConfig({ PORT: '', HOST: '  ', LOG_LEVEL: '', DATABASE_URL: ' ', AUTH_JWT_SECRET: '', AUTH_JWKS_URL: '', AUTH_ISSUER: ' ' });
    expect(config).toMatchObject({ port: 4001, host: '127.0.0.1', logLevel: 'info', databaseUrl: undefined });
    expect(config.auth).toMatchObject({ mode: 'hs256', secret: DEV_JWT_SECRET, issuer: undefined });
  });

  it('takes the values it is given', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      LOG_LEVEL: 'warn',
      DATABASE_URL: 'postgresql://u:p@db.internal:5432/helpdesk',
      AUTH_JWT_SECRET: STRONG_SECRET,
      AUTH_ISSUER: 'iss',
      AUTH_AUDIENCE: 'aud',
    });
    expect(config).toMatchObject({ port: 8080, host: '0.0.0.0', logLevel: 'warn', databaseUrl: 'postgresql://u:p@db.internal:5432/helpdesk' });
    expect(config.auth).toEqual({ mode: 'hs256', secret: STRONG_SECRET, issuer: 'iss', audience: 'aud' });
  });

  it('accepts PORT 0 (any free port) and 65535', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
  });
});

describe('loadConfig in production', () => {
  it('refuses to start without AUTH_JWKS_URL or AUTH_JWT_SECRET (no dev secret fallback)', () => {
    const err = configError({ NODE_ENV: 'production' });
    expect(err.message).toMatch(/AUTH_JWKS_URL/);
    expect(err.message).toMatch(/AUTH_JWT_SECRET/);
  });

  it('refuses the development secret', () => {
    expect(configError({ NODE_ENV: 'production', AUTH_JWT_SECRET: DEV_JWT_SECRET }).message).toMatch(/development AUTH_JWT_SECRET/);
  });

  it('needs DATABASE_URL: the embedded PostgreSQL (with its demo data and printed tokens) is for development', () => {
    expect(configError({ NODE_ENV: 'production', AUTH_JWT_SECRET: STRONG_SECRET }).message).toContain('DATABASE_URL');
    expect(loadConfig({ AUTH_JWT_SECRET: STRONG_SECRET }).databaseUrl).toBeUndefined();
  });

  it('accepts its own secret with issuer and audience, or a JWKS URL with issuer and audience', () => {
    const DB = { DATABASE_URL: 'postgres://csat@db.internal:5432/csat', ...LINKS };
    expect(loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: STRONG_SECRET, AUTH_ISSUER: 'iss', AUTH_AUDIENCE: 'aud', ...DB })).toMatchObject({
      production: true,
      auth: { mode: 'hs256', secret: STRONG_SECRET, issuer: 'iss', audience: 'aud' },
    });
    expect(loadConfig({ NODE_ENV: 'production', ...JWKS, ...DB })).toMatchObject({
      production: true,
      auth: { mode: 'jwks', jwksUrl: JWKS.AUTH_JWKS_URL, issuer: JWKS.AUTH_ISSUER, audience: JWKS.AUTH_AUDIENCE },
    });
  });
});

describe('rating links (issue 20)', () => {
  const DB = { DATABASE_URL: 'postgres://csat@db.internal:5432/csat' };
  const PROD = { NODE_ENV: 'production', AUTH_JWT_SECRET: STRONG_SECRET, AUTH_ISSUER: 'iss', AUTH_AUDIENCE: 'aud', ...DB };

  it('production needs RATING_LINK_SECRET (not the development one) and PUBLIC_URL', () => {
    expect(configError({ ...PROD, PUBLIC_URL: LINKS.PUBLIC_URL }).message).toContain('production needs RATING_LINK_SECRET');
    expect(configError({ ...PROD, RATING_LINK_SECRET: DEV_RATING_LINK_SECRET, PUBLIC_URL: LINKS.PUBLIC_URL }).message).toContain('development RATING_LINK_SECRET');
    expect(configError({ ...PROD, RATING_LINK_SECRET: LINKS.RATING_LINK_SECRET }).message).toContain('production needs PUBLIC_URL');
    expect(loadConfig({ ...PROD, ...LINKS }).ratingLinks).toEqual({ secret: LINKS.RATING_LINK_SECRET, previousSecret: undefined, ttlSeconds: 30 * 86_400, perIpPerMinute: 60, perTokenPerMinute: 20, publicUrl: 'https://support.example' });
  });

  it('refuses a short key, a previous key without a current one, and the auth secret as a link key; never quoting them', () => {
    expect(configError({ RATING_LINK_SECRET: 'short' }).message).toContain('RATING_LINK_SECRET must be at least 32 bytes');
    expect(configError({ RATING_LINK_SECRET_PREVIOUS: LINKS.RATING_LINK_SECRET }).message).toContain('RATING_LINK_SECRET_PREVIOUS needs RATING_LINK_SECRET');
    const same = configError({ ...DB, AUTH_JWT_SECRET: STRONG_SECRET, RATING_LINK_SECRET: STRONG_SECRET });
    expect(same.message).toContain('RATING_LINK_SECRET must differ from AUTH_JWT_SECRET');
    expect(same.message).not.toContain(STRONG_SECRET);
  });

  it('reads RATING_LINK_TTL as seconds or with a unit, within 60 s .. 366 d; PUBLIC_URL loses its trailing slash', () => {
    expect(loadConfig({ RATING_LINK_TTL: '3600' }).ratingLinks.ttlSeconds).toBe(3600);
    expect(loadConfig({ RATING_LINK_TTL: '12h' }).ratingLinks.ttlSeconds).toBe(43_200);
    expect(loadConfig({ RATING_LINK_TTL: '7d' }).ratingLinks.ttlSeconds).toBe(604_800);
    for (const bad of ['59', '400d', '1w', '-5', 'soon']) expect(configError({ RATING_LINK_TTL: bad }).message, bad).toContain('RATING_LINK_TTL must be a duration');
    expect(loadConfig({ PUBLIC_URL: 'https://help.example/csat/' }).ratingLinks.publicUrl).toBe('https://help.example/csat');
    expect(configError({ PUBLIC_URL: 'ftp://x' }).message).toContain('PUBLIC_URL must be an http(s) URL');
  });
});

describe('TRUST_PROXY', () => {
  it('trusts no proxy by default (or with false); takes comma-separated addresses and CIDR ranges, IPv4 and IPv6', () => {
    expect(loadConfig({}).trustProxy).toEqual([]);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toEqual([]);
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1/32' }).trustProxy).toEqual(['127.0.0.1/32']);
    expect(loadConfig({ TRUST_PROXY: ' 10.0.0.0/8 , 192.168.1.10,fd00::/8, ::1,' }).trustProxy).toEqual(['10.0.0.0/8', '192.168.1.10', 'fd00::/8', '::1']);
  });

  it.each(['true', '1', '2', '10.0.0.0/33', '::1/129', 'ingress', 'loopback', '10.1', '0x0a000001', '10.0.0.0/8;10.1.0.0/16', ','])('refuses TRUST_PROXY=%j in one line naming it', (TRUST_PROXY) => {
    const lines = configError({ TRUST_PROXY }).message.split('\n');
    expect(lines.filter((l) => l.includes('TRUST_PROXY'))).toHaveLength(1);
    expect(lines.find((l) => l.includes('TRUST_PROXY'))).toContain('TRUST_PROXY must be false or comma-separated IP addresses or CIDR ranges');
  });

  it('says why true and a hop count are refused', () => {
    expect(configError({ TRUST_PROXY: 'true' }).message).toContain('true (trust every peer) is refused');
    expect(configError({ TRUST_PROXY: '1' }).message).toContain('a hop count ("1") is refused');
  });
});

describe('loadConfig token footguns', () => {
  const DB = { DATABASE_URL: 'postgres://csat@db.internal:5432/csat' };

  it.each([{}, { AUTH_ISSUER: 'iss' }, { AUTH_AUDIENCE: 'aud' }])('a production HS256 secret needs both AUTH_ISSUER and AUTH_AUDIENCE (%j)', (given) => {
    expect(configError({ NODE_ENV: 'production', AUTH_JWT_SECRET: STRONG_SECRET, ...DB, ...given }).message).toContain(
      'AUTH_JWT_SECRET in production needs AUTH_ISSUER and AUTH_AUDIENCE',
    );
  });

  it('with DATABASE_URL and no secret, refuses the built-in development secret (whatever NODE_ENV)', () => {
    for (const NODE_ENV of [undefined, 'development', 'test']) {
      expect(configError({ NODE_ENV, ...DB }).message).toContain('DATABASE_URL is set, so AUTH_JWT_SECRET (at least 32 bytes) or AUTH_JWKS_URL is required');
    }
    expect(loadConfig({}).auth).toMatchObject({ mode: 'hs256', secret: DEV_JWT_SECRET });
    expect(loadConfig({ ...DB, AUTH_JWT_SECRET: STRONG_SECRET }).auth).toMatchObject({ mode: 'hs256', secret: STRONG_SECRET });
  });
});

describe('loadConfig limits and timeouts', () => {
  it('has documented defaults', () => {
    const config = loadConfig({});
    expect(config.limits).toEqual({ aliases: 15, depth: 8, cost: 5000, tokens: 2000, directives: 50, representations: 5000, entitiesFields: 1, mutationFields: 5, bodyBytes: 4 * 1024 * 1024, answerBytes: 16 * 1024 * 1024, answerBytesInFlight: 32 * 1024 * 1024 });
    expect(config.timeouts).toEqual({ statementMs: 5000, lockMs: 2000, poolMs: 2000, requestMs: 8000, shutdownGraceMs: 10_000, shutdownDelayMs: 5000 });
    // The heap threshold follows V8's heap limit (--max-old-space-size); RSS shedding is off until set.
    expect(config.pressure).toEqual({ maxEventLoopDelayMs: 1000, maxHeapUsedBytes: Math.floor(getHeapStatistics().heap_size_limit * 0.8), maxRssBytes: 0 });
    expect(config.metricsPort).toBeUndefined();
    expect(config.serviceSdl).toBe(true);
  });

  it('takes each from its variable, and refuses a bad value naming it', () => {
    expect(loadConfig({ LIMIT_REPRESENTATIONS: '100', LIMIT_ALIASES: '3', METRICS_PORT: '9464', SERVICE_SDL: 'off' })).toMatchObject({
      limits: { representations: 100, aliases: 3 },
      metricsPort: 9464,
      serviceSdl: false,
    });
    expect(configError({ LIMIT_ALIASES: 'many' }).message).toContain('LIMIT_ALIASES must be an integer');
    expect(configError({ SERVICE_SDL: 'yes' }).message).toContain('SERVICE_SDL must be on or off');
    expect(configError({ METRICS_PORT: '70000' }).message).toContain('METRICS_PORT');
    expect(loadConfig({ SHUTDOWN_DELAY_MS: '0', PRESSURE_MAX_RSS_BYTES: '6442450944', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' })).toMatchObject({
      timeouts: { shutdownDelayMs: 0 },
      pressure: { maxRssBytes: 6 * 1024 ** 3, maxEventLoopDelayMs: 0 },
    });
    expect(configError({ PRESSURE_MAX_HEAP_USED_BYTES: '-1' }).message).toContain('PRESSURE_MAX_HEAP_USED_BYTES must be an integer');
    expect(configError({ LIMIT_ANSWER_BYTES: '1000' }).message).toContain('LIMIT_ANSWER_BYTES must be an integer 65536..');
    // The largest answer allowed must fit in the in-flight budget, or it could never run.
    expect(configError({ LIMIT_ANSWER_BYTES: String(2 ** 27) }).message).toContain('LIMIT_ANSWER_BYTES_IN_FLIGHT must be at least LIMIT_ANSWER_BYTES');
  });

  it('refuses timeouts that do not nest: lock <= statement < request < shutdown grace, pool < request', () => {
    expect(configError({ DB_LOCK_TIMEOUT_MS: '6000' }).message).toContain('DB_LOCK_TIMEOUT_MS must not exceed DB_STATEMENT_TIMEOUT_MS');
    expect(configError({ DB_STATEMENT_TIMEOUT_MS: '9000' }).message).toContain('DB_STATEMENT_TIMEOUT_MS must be shorter than REQUEST_TIMEOUT_MS');
    expect(configError({ DB_POOL_TIMEOUT_MS: '8000' }).message).toContain('DB_POOL_TIMEOUT_MS must be shorter than REQUEST_TIMEOUT_MS');
    expect(configError({ SHUTDOWN_GRACE_MS: '8000' }).message).toContain('REQUEST_TIMEOUT_MS must be shorter than SHUTDOWN_GRACE_MS');
  });

  it('serves no _service in production unless SERVICE_SDL=on', () => {
    const prod = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x', ...JWKS, ...LINKS };
    expect(loadConfig(prod).serviceSdl).toBe(false);
    expect(loadConfig({ ...prod, SERVICE_SDL: 'on' }).serviceSdl).toBe(true);
  });
});

describe('loadConfig JWKS mode', () => {
  it.each([
    ['AUTH_ISSUER', { ...JWKS, AUTH_ISSUER: undefined }],
    ['AUTH_AUDIENCE', { ...JWKS, AUTH_AUDIENCE: undefined }],
    ['AUTH_ISSUER', { ...JWKS, AUTH_ISSUER: '  ' }],
  ])('needs %s', (missing, env) => {
    expect(configError(env).message).toContain(missing);
    expect(configError({ ...env, NODE_ENV: 'production' }).message).toContain(missing);
  });

  it('refuses a JWKS URL that is not http(s)', () => {
    expect(configError({ ...JWKS, AUTH_JWKS_URL: 'file:///etc/jwks.json' }).message).toContain('AUTH_JWKS_URL');
  });

  it('refuses both a JWKS URL and a secret', () => {
    expect(configError({ ...JWKS, AUTH_JWT_SECRET: STRONG_SECRET }).message).toMatch(/AUTH_JWKS_URL.*AUTH_JWT_SECRET/);
  });

  it('does not fall back to the dev secret outside production', () => {
    expect(loadConfig(JWKS).auth).toEqual({ mode: 'jwks', jwksUrl: JWKS.AUTH_JWKS_URL, issuer: JWKS.AUTH_ISSUER, audience: JWKS.AUTH_AUDIENCE });
  });
});

describe('loadConfig validation', () => {
  it('refuses a secret under 32 bytes, accepts 32', () => {
    expect(configError({ AUTH_JWT_SECRET: 'x'.repeat(31) }).message).toContain('AUTH_JWT_SECRET');
    expect(loadConfig({ AUTH_JWT_SECRET: 'x'.repeat(32) }).auth).toMatchObject({ mode: 'hs256', secret: 'x'.repeat(32) });
  });

  it.each(['abc', '-1', '65536', '1.5', '80abc'])('refuses PORT=%j, naming PORT', (PORT) => {
    expect(configError({ PORT }).message).toContain('PORT');
  });

  it.each(['verbose', 'INFO', 'warning'])('refuses LOG_LEVEL=%j, naming LOG_LEVEL', (LOG_LEVEL) => {
    expect(configError({ LOG_LEVEL }).message).toContain('LOG_LEVEL');
  });

  it.each(['mysql://root@localhost/db', 'localhost:5432/test', 'http://db:5432/test'])('refuses DATABASE_URL=%j, naming DATABASE_URL', (DATABASE_URL) => {
    expect(configError({ DATABASE_URL }).message).toContain('DATABASE_URL');
  });

  it('DATABASE_REPLICA_URLS: comma-separated postgres URLs (none by default), REPLICA_MAX_LAG_MS 2000 by default; refuses a bad URL and replicas without DATABASE_URL', () => {
    const base = { DATABASE_URL: 'postgres://p/db', AUTH_JWT_SECRET: STRONG_SECRET };
    expect(loadConfig(base).replicas).toEqual({ urls: [], maxLagMs: 2000 });
    expect(loadConfig({ ...base, DATABASE_REPLICA_URLS: ' postgres://r1/db , postgresql://r2:5433/db,', REPLICA_MAX_LAG_MS: '500' }).replicas).toEqual({
      urls: ['postgres://r1/db', 'postgresql://r2:5433/db'],
      maxLagMs: 500,
    });
    expect(configError({ ...base, DATABASE_REPLICA_URLS: 'postgres://r1/db,mysql://r2/db' }).message).toMatch(/DATABASE_REPLICA_URLS.* must be comma-separated postgres:\/\/ or postgresql:\/\/ URLs/);
    expect(configError({ ...base, REPLICA_MAX_LAG_MS: 'soon' }).message).toMatch(/REPLICA_MAX_LAG_MS must be an integer/);
    expect(configError({ DATABASE_REPLICA_URLS: 'postgres://r1/db' }).message).toMatch(/DATABASE_REPLICA_URLS needs DATABASE_URL/);
  });

  it('accepts postgres:// and postgresql:// DATABASE_URLs', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', AUTH_JWT_SECRET: STRONG_SECRET }).databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/test');
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/x', AUTH_JWT_SECRET: STRONG_SECRET }).databaseUrl).toBe('postgresql://db/x');
  });

  it('reports every problem at once', () => {
    const message = configError({ PORT: 'x', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' }).message;
    for (const name of ['PORT', 'LOG_LEVEL', 'DATABASE_URL']) expect(message).toContain(name);
    // The rules between variables too, beside a variable's own problem.
    const both = configError({ PORT: 'x', NODE_ENV: 'production', AUTH_JWT_SECRET: 'short' }).message;
    expect(both).toContain('PORT must be an integer 0..65535, got "x"');
    expect(both).toContain('production needs DATABASE_URL');
    expect(both).toContain('AUTH_JWT_SECRET must be at least 32 bytes');
  });

  it('never puts a rejected secret in the error message', () => {
    const short = 'short-secret-value';
    expect(configError({ AUTH_JWT_SECRET: short }).message).not.toContain(short);
    expect(configError({ NODE_ENV: 'production', AUTH_JWT_SECRET: DEV_JWT_SECRET }).message).not.toContain(DEV_JWT_SECRET);
  });
});

describe('webhook settings', () => {
  it('defaults: the worker in-process, 5 s first retry, a 24 h window, no loopback, 10 deliveries at once', () => {
    expect(loadConfig({}).webhooks).toEqual({ worker: true, retryBaseMs: 5000, retryWindowMs: 86_400_000, allowLoopback: false, concurrency: 10 });
    expect(loadConfig({ CSAT_WORKER: 'off', WEBHOOK_RETRY_BASE_MS: '50', WEBHOOKS_ALLOW_LOOPBACK: 'true' }).webhooks).toMatchObject({ worker: false, retryBaseMs: 50, allowLoopback: true });
  });

  it('refuses bad values, and WEBHOOKS_ALLOW_LOOPBACK=true in production', () => {
    const message = configError({ CSAT_WORKER: 'maybe', WEBHOOK_RETRY_BASE_MS: '0', WEBHOOKS_ALLOW_LOOPBACK: 'yes' }).message;
    for (const name of ['CSAT_WORKER', 'WEBHOOK_RETRY_BASE_MS', 'WEBHOOKS_ALLOW_LOOPBACK']) expect(message).toContain(name);
    expect(configError({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x', ...JWKS, WEBHOOKS_ALLOW_LOOPBACK: 'true' }).message).toContain('WEBHOOKS_ALLOW_LOOPBACK');
  });
});

// Prints a development token: npm run token -- --role customer --sub <uuid> --workspace <uuid> [--ttl seconds]
import { parseArgs } from 'node:util';
import { signDevToken } from '../src/auth/token.signer.js';
import { ROLES, isUuid, type Role } from '../src/auth/viewer.js';
import { ConfigError, loadConfig } from '../src/config/config.js';

const USAGE = `usage: npm run token -- --role ${ROLES.join('|')} --sub <user uuid> --workspace <workspace uuid> [--ttl <seconds>]

Prints an HS256 development token signed with AUTH_JWT_SECRET (or the built-in development secret).
  --role        customer, agent, admin or service (a back-end caller such as the mailer) (required)
  --sub         the user's id, a UUID (required)
  --workspace   the workspace id, a UUID (required)
  --ttl         seconds until it expires (default 86400)`;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: { role: { type: 'string' }, sub: { type: 'string' }, workspace: { type: 'string' }, ttl: { type: 'string', default: '86400' }, help: { type: 'boolean', short: 'h' } },
  }));
} catch (err) {
  fail((err as Error).message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!values.role) fail('--role is required');
if (!ROLES.includes(values.role as Role)) fail(`--role must be one of ${ROLES.join(', ')}`);
if (!values.sub) fail('--sub is required');
if (!isUuid(values.sub)) fail('--sub must be a UUID');
if (!values.workspace) fail('--workspace is required');
if (!isUuid(values.workspace)) fail('--workspace must be a UUID');
const ttlSeconds = Number(values.ttl);
if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) fail('--ttl must be a positive number of seconds');

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) fail(err.message);
  throw err;
}
const { auth, production } = config;
if (production) fail('npm run token signs development tokens; it does not run with NODE_ENV=production');
if (auth.mode !== 'hs256') fail('npm run token signs HS256 development tokens; with AUTH_JWKS_URL set, tokens come from your identity provider');
console.log(
  await signDevToken({ role: values.role as Role, sub: values.sub, workspace: values.workspace }, auth.secret, {
    ttlSeconds,
    issuer: auth.issuer,
    audience: auth.audience,
  }),
);

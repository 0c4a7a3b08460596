// Prints a development token: npm run token -- --role customer --sub <uuid> --workspace <uuid> [--ttl seconds]
import { parseArgs } from 'node:util';
import { signDevToken } from '../src/auth/token.signer.js';
import { ROLES, isUuid, type Role } from '../src/auth/viewer.js';
import { loadConfig } from '../src/config/config.js';

function fail(message: string): never {
  console.error(`${message}\nusage: npm run token -- --role ${ROLES.join('|')} --sub <user uuid> --workspace <workspace uuid> [--ttl <seconds>]`);
  process.exit(2);
}

const { values } = parseArgs({
  options: { role: { type: 'string' }, sub: { type: 'string' }, workspace: { type: 'string' }, ttl: { type: 'string', default: '86400' } },
});
if (!values.role || !ROLES.includes(values.role as Role)) fail(`--role must be one of ${ROLES.join(', ')}`);
if (!isUuid(values.sub)) fail('--sub must be a UUID');
if (!isUuid(values.workspace)) fail('--workspace must be a UUID');
const ttlSeconds = Number(values.ttl);
if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) fail('--ttl must be a positive number of seconds');

const { auth, production } = loadConfig();
if (production) fail('npm run token signs development tokens; it does not run with NODE_ENV=production');
if (auth.mode !== 'hs256') fail('npm run token signs HS256 development tokens; with AUTH_JWKS_URL set, tokens come from your identity provider');
console.log(
  await signDevToken({ role: values.role as Role, sub: values.sub, workspace: values.workspace }, auth.secret, {
    ttlSeconds,
    issuer: auth.issuer,
    audience: auth.audience,
  }),
);

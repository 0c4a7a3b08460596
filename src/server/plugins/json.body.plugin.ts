import fp from 'fastify-plugin';
import { isUtf8 } from 'node:buffer';
import secureJson from 'secure-json-parse';

/** secure-json-parse's refusal of a `__proto__` (or `constructor.prototype`) key: valid JSON, refused for safety. */
const PROTO_POISONING = /^Object contains forbidden prototype property$/;
const JSON_SAFETY = { protoAction: 'error', constructorAction: 'error' } as const;

/**
 * JSON bodies must be UTF-8: a decoder would turn other bytes into U+FFFD, and that would be stored.
 * Fastify's own parser (secure-json-parse underneath) calls a `__proto__` key invalid JSON; this one says what
 * it is (error.handler.plugin.ts words the refusals).
 */
export const jsonBody = fp(
  async (fastify) => {
    const parseJson = fastify.getDefaultJsonParser('error', 'error');
    fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
      if (!isUtf8(body)) return done(Object.assign(new Error('request body is not valid UTF-8'), { statusCode: 400, code: 'CSAT_INVALID_UTF8' }), undefined);
      if (body.length === 0) return parseJson(request, '', done); // Fastify's refusal of an empty body
      let value: unknown;
      try {
        value = secureJson.parse(body.toString('utf8'), undefined, JSON_SAFETY);
      } catch (err) {
        const poisoned = err instanceof SyntaxError && PROTO_POISONING.test(err.message);
        return done(Object.assign(new Error(poisoned ? 'forbidden key' : 'invalid JSON'), { statusCode: 400, code: poisoned ? 'CSAT_FORBIDDEN_KEY' : 'FST_ERR_CTP_INVALID_JSON_BODY' }), undefined);
      }
      done(null, value);
    });
  },
  { name: 'csat-json-body' },
);

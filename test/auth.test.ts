import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerToken, createTokenVerifier } from '../src/auth/token.verifier.js';
import type { Viewer } from '../src/auth/viewer.js';
import { DEV_JWT_SECRET } from '../src/config/config.js';
import { UnauthenticatedError } from '../src/errors/domain.errors.js';
import { createTicket, storedRatings, testPool, type TicketFixture } from './helpers/fixtures.js';
import { startTestApp, TEST_SECRET, tokenFor, viewer, type GraphQLResponse, type TestApp } from './helpers/test.app.js';

const RATE = `mutation($ticketId: ID!, $rating: Int!, $comment: String) {
  rateTicket(ticketId: $ticketId, rating: $rating, comment: $comment) { id csatRating }
}`;
const ENTITIES = `query($r: [_Any!]!) {
  _entities(representations: $r) { ... on Ticket { id csatRating csatComment csatRatedAt csatCanRate } }
}`;
const reps = (...ids: string[]) => ({ r: ids.map((id) => ({ __typename: 'Ticket', id })) });

const OTHER_SECRET = 'another-secret-another-secret-another-secret-42';
/** A comment that must never show up in a rejected response. */
const RATED_COMMENT = 'private remark 7f3c: agent was rude';

const enc = (s: string) => new TextEncoder().encode(s);
const nowS = () => Math.floor(Date.now() / 1000);
const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Every claim the service needs, for this viewer, valid for an hour. */
function claimsFor(v: Viewer, extra: JWTPayload = {}): JWTPayload {
  return { sub: v.sub, role: v.role, workspace: v.workspace, iat: nowS(), exp: nowS() + 3600, ...extra };
}

function without(claims: JWTPayload, key: string): JWTPayload {
  const copy = { ...claims };
  delete copy[key];
  return copy;
}

function sign(claims: JWTPayload, opts: { alg?: string; key?: Uint8Array | CryptoKey; kid?: string } = {}): Promise<string> {
  const { alg = 'HS256', key = enc(TEST_SECRET), kid } = opts;
  return new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT', ...(kid ? { kid } : {}) }).sign(key);
}

/** An unsecured JWT (RFC 7519 §6): `alg: none`, empty signature. */
function unsecured(claims: JWTPayload): string {
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
}

/** The whole response as the client sees it, for "does not contain" checks. */
const text = (res: GraphQLResponse) => JSON.stringify({ data: res.data, errors: res.errors });

function expectRejected(res: GraphQLResponse, secrets: string[] = [TEST_SECRET]) {
  expect(res.status).toBe(401);
  expect(res.errors).toHaveLength(1);
  expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  // The request ends before execution: no data at all, so no CSAT values.
  expect(res.data).toBeUndefined();
  for (const s of secrets) expect(text(res)).not.toContain(s);
}

let pool: pg.Pool;
beforeAll(() => {
  pool = testPool();
});
afterAll(async () => {
  await pool?.end();
});

async function resolvedTicketOf(me: Viewer): Promise<TicketFixture> {
  return createTicket(pool, { workspace: me.workspace, requester: me.sub, status: 'resolved' });
}

describe('HS256 tokens through HTTP', () => {
  let t: TestApp;
  /** A ticket already rated by its requester, used to check that rejected reads leak nothing. */
  let owner: Viewer;
  let rated: TicketFixture;
  beforeAll(async () => {
    t = await startTestApp();
    owner = viewer('customer', randomUUID());
    rated = await resolvedTicketOf(owner);
    const res = await t.gql(RATE, { ticketId: rated.id, rating: 2, comment: RATED_COMMENT }, { token: await tokenFor(owner) });
    expect(res.errors).toBeUndefined();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('a valid customer token reaches the viewer: the requester rates their own resolved ticket', async () => {
    const me = viewer('customer', randomUUID());
    const ticket = await resolvedTicketOf(me);
    const token = await sign(claimsFor(me));
    const res = await t.gql(RATE, { ticketId: ticket.id, rating: 5 }, { headers: bearer(token) });
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    expect(res.data.rateTicket).toEqual({ id: ticket.id, csatRating: 5 });
    expect(await storedRatings(pool, ticket.id)).toEqual([expect.objectContaining({ rating: 5, rated_by: me.sub })]);

    const read = await t.gql(ENTITIES, reps(ticket.id), { headers: bearer(token) });
    expect(read.data._entities[0]).toMatchObject({ id: ticket.id, csatRating: 5, csatCanRate: false });
  });

  // Each builder makes a token for the ticket's own requester that is right in every way but one.
  const badTokens: [string, (me: Viewer) => string | Promise<string>][] = [
    ['expired (exp 60 s ago, beyond the 5 s tolerance)', (me) => sign(claimsFor(me, { iat: nowS() - 3600, exp: nowS() - 60 }))],
    ['not yet valid (nbf 60 s ahead)', (me) => sign(claimsFor(me, { nbf: nowS() + 60 }))],
    ['signed with another secret', (me) => sign(claimsFor(me), { key: enc(OTHER_SECRET) })],
    ['unsecured (alg: none, empty signature)', (me) => unsecured(claimsFor(me))],
    ['signed HS512 with the right secret', (me) => sign(claimsFor(me), { alg: 'HS512' })],
    ['without exp', (me) => sign(without(claimsFor(me), 'exp'))],
    ['without sub', (me) => sign(without(claimsFor(me), 'sub'))],
    ['with a sub that is not a UUID', (me) => sign(claimsFor(me, { sub: 'user-42' }))],
    ['with role "superuser"', (me) => sign(claimsFor(me, { role: 'superuser' }))],
    ['without workspace', (me) => sign(without(claimsFor(me), 'workspace'))],
  ];
  const badHeaders: [string, (me: Viewer) => Promise<string>][] = [
    ['"Basic abc"', async () => 'Basic abc'],
    ['"Bearer" with nothing after it', async () => 'Bearer'],
    ['a valid token under another scheme ("Token <jwt>")', async (me) => `Token ${await sign(claimsFor(me))}`],
    ['a valid token without any scheme', async (me) => sign(claimsFor(me))],
  ];
  const cases: [string, (me: Viewer) => Promise<string>][] = [
    ...badTokens.map(([name, make]): [string, (me: Viewer) => Promise<string>] => [`a token ${name}`, async (me) => `Bearer ${await make(me)}`]),
    ...badHeaders.map(([name, make]): [string, (me: Viewer) => Promise<string>] => [`the Authorization header ${name}`, make]),
  ];

  it.each(cases)('rejects %s with 401 UNAUTHENTICATED, storing nothing and revealing nothing', async (_name, header) => {
    const me = viewer('customer', randomUUID());
    const ticket = await resolvedTicketOf(me);
    const rate = await t.gql(RATE, { ticketId: ticket.id, rating: 5 }, { headers: { authorization: await header(me) } });
    expectRejected(rate, [TEST_SECRET, OTHER_SECRET]);
    expect(await storedRatings(pool, ticket.id)).toHaveLength(0);

    const read = await t.gql(ENTITIES, reps(rated.id), { headers: { authorization: await header(owner) } });
    expectRejected(read, [TEST_SECRET, OTHER_SECRET]);
    expect(text(read)).not.toContain(RATED_COMMENT);
  });

  it('no token: _entities of a rated ticket answers null CSAT fields, csatCanRate false, no errors', async () => {
    // Control: the same query with the requester's token shows the rating, so the nulls below are visibility.
    const mine = await t.gql(ENTITIES, reps(rated.id), { token: await tokenFor(owner) });
    expect(mine.data._entities[0]).toMatchObject({ csatRating: 2, csatComment: RATED_COMMENT });

    const unrated = await resolvedTicketOf(owner);
    const res = await t.gql(ENTITIES, reps(rated.id, unrated.id));
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toEqual([
      { id: rated.id, csatRating: null, csatComment: null, csatRatedAt: null, csatCanRate: false },
      { id: unrated.id, csatRating: null, csatComment: null, csatRatedAt: null, csatCanRate: false },
    ]);
  });

  it('never writes a token or the secret to the log, even with debug logging on', async () => {
    const me = viewer('customer', randomUUID());
    const token = await tokenFor(me);
    const forged = await sign(claimsFor(me), { key: enc(OTHER_SECRET) });
    await t.gql(ENTITIES, reps(randomUUID()), { token });
    await t.gql(ENTITIES, reps(randomUUID()), { headers: bearer(forged) });
    const logged = JSON.stringify(t.logs);
    expect(t.logs.some((l) => l.msg === 'request')).toBe(true);
    for (const secret of [token, forged, token.split('.')[2]!, TEST_SECRET]) expect(logged).not.toContain(secret);
  });
});

describe('HS256 with AUTH_ISSUER and AUTH_AUDIENCE', () => {
  const ISSUER = 'https://auth.helpdesk.test';
  const AUDIENCE = 'csat-subgraph';
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('accepts a token with the configured issuer and audience', async () => {
    const me = viewer('customer', randomUUID());
    const ticket = await resolvedTicketOf(me);
    const res = await t.gql(RATE, { ticketId: ticket.id, rating: 4 }, { token: await tokenFor(me, { issuer: ISSUER, audience: AUDIENCE }) });
    expect(res.errors).toBeUndefined();
    expect(res.data.rateTicket.csatRating).toBe(4);
  });

  it.each([
    ['a wrong issuer', { iss: 'https://evil.test', aud: AUDIENCE }],
    ['a wrong audience', { iss: ISSUER, aud: 'another-service' }],
    ['no issuer', { aud: AUDIENCE }],
    ['no audience', { iss: ISSUER }],
  ])('rejects a token with %s', async (_name, extra) => {
    const me = viewer('customer', randomUUID());
    const ticket = await resolvedTicketOf(me);
    const res = await t.gql(RATE, { ticketId: ticket.id, rating: 4 }, { headers: bearer(await sign(claimsFor(me, extra))) });
    expectRejected(res);
    expect(await storedRatings(pool, ticket.id)).toHaveLength(0);
  });
});

describe('JWKS mode (RS256)', () => {
  const ISSUER = 'https://issuer.test';
  const AUDIENCE = 'csat';
  const KID = 'test-key-1';
  let jwks: Server;
  let jwksUrl: string;
  let jwksHits = 0;
  let signing: CryptoKey;
  let publicPem: string;
  let stranger: CryptoKey;
  let t: TestApp;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    signing = pair.privateKey;
    publicPem = await exportSPKI(pair.publicKey);
    stranger = (await generateKeyPair('RS256')).privateKey;
    const body = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' }] });
    jwks = createServer((req, res) => {
      jwksHits++;
      if (req.url === '/jwks.json') res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    // '' unsets startTestApp's TEST_SECRET default (loadConfig treats blank as unset): JWKS only.
    t = await startTestApp({ AUTH_JWT_SECRET: '', AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
  });
  afterAll(async () => {
    await t?.stop();
    await new Promise((resolve) => jwks?.close(resolve));
  });

  const good = (me: Viewer, extra: JWTPayload = {}) => claimsFor(me, { iss: ISSUER, aud: AUDIENCE, ...extra });

  it('accepts an RS256 token signed by the JWKS key with the right issuer and audience', async () => {
    const me = viewer('customer', randomUUID());
    const ticket = await resolvedTicketOf(me);
    const res = await t.gql(RATE, { ticketId: ticket.id, rating: 3 }, { headers: bearer(await sign(good(me), { alg: 'RS256', key: signing, kid: KID })) });
    expect(res.errors).toBeUndefined();
    expect(res.data.rateTicket).toEqual({ id: ticket.id, csatRating: 3 });
    expect(jwksHits).toBeGreaterThan(0);
  });

  const rejected: [string, (me: Viewer) => Promise<string>][] = [
    ['a wrong issuer', (me) => sign(good(me, { iss: 'https://evil.test' }), { alg: 'RS256', key: signing, kid: KID })],
    ['a wrong audience', (me) => sign(good(me, { aud: 'not-csat' }), { alg: 'RS256', key: signing, kid: KID })],
    ['another RSA key under the published kid', (me) => sign(good(me), { alg: 'RS256', key: stranger, kid: KID })],
    ['another RSA key under an unknown kid', (me) => sign(good(me), { alg: 'RS256', key: stranger, kid: 'test-key-2' })],
    ['HS256 with the test secret (key confusion)', (me) => sign(good(me), { kid: KID })],
    ['HS256 with the development secret', (me) => sign(good(me), { key: enc(DEV_JWT_SECRET), kid: KID })],
    ['HS256 with the public key PEM as the secret', (me) => sign(good(me), { key: enc(publicPem), kid: KID })],
    ['alg: none', async (me) => unsecured(good(me))],
  ];

  it.each(rejected)('rejects a token with %s', async (_name, make) => {
    const me = viewer('customer', randomUUID());
    const ticket = await resolvedTicketOf(me);
    const res = await t.gql(RATE, { ticketId: ticket.id, rating: 3 }, { headers: bearer(await make(me)) });
    expectRejected(res, [TEST_SECRET, DEV_JWT_SECRET]);
    expect(await storedRatings(pool, ticket.id)).toHaveLength(0);
  });

  it('createTokenVerifier in JWKS mode returns the viewer of a good token and refuses HS256 by its algorithm pin', async () => {
    const verifier = createTokenVerifier({ mode: 'jwks', jwksUrl, issuer: ISSUER, audience: AUDIENCE });
    const me = viewer('agent', randomUUID());
    expect(await verifier.verify(await sign(good(me), { alg: 'RS256', key: signing, kid: KID }))).toEqual(me);
    // Refused for its algorithm, before any key lookup: the pin itself, not only the absence of an HMAC key in the set.
    for (const key of [enc(publicPem), enc(TEST_SECRET)]) {
      const confused = verifier.verify(await sign(good(me), { key, kid: KID }));
      await expect(confused).rejects.toBeInstanceOf(UnauthenticatedError);
      await expect(confused).rejects.toThrow(/algorithm not allowed/);
    }
  });
});

describe('createTokenVerifier (HS256)', () => {
  const verifier = createTokenVerifier({ mode: 'hs256', secret: TEST_SECRET });

  it('returns the viewer of a valid token, ids lower-cased', async () => {
    const workspace = randomUUID();
    const sub = randomUUID();
    const token = await sign({ sub: sub.toUpperCase(), role: 'admin', workspace: workspace.toUpperCase(), exp: nowS() + 60 });
    expect(await verifier.verify(token)).toEqual({ sub, role: 'admin', workspace });
  });

  it('allows 5 s of clock skew and no more', async () => {
    const me = viewer('customer', randomUUID());
    await expect(verifier.verify(await sign(claimsFor(me, { exp: nowS() - 2 })))).resolves.toEqual(me);
    await expect(verifier.verify(await sign(claimsFor(me, { nbf: nowS() + 2 })))).resolves.toEqual(me);
    await expect(verifier.verify(await sign(claimsFor(me, { exp: nowS() - 30 })))).rejects.toThrow(/expired/);
    await expect(verifier.verify(await sign(claimsFor(me, { nbf: nowS() + 30 })))).rejects.toThrow(/nbf/);
  });

  it.each([
    ['expired', (me: Viewer) => sign(claimsFor(me, { exp: nowS() - 60 })), /expired/],
    ['signed with another secret', (me: Viewer) => sign(claimsFor(me), { key: enc(OTHER_SECRET) }), /signature/],
    ['alg: none', async (me: Viewer) => unsecured(claimsFor(me)), /algorithm|invalid/],
    ['HS512', (me: Viewer) => sign(claimsFor(me), { alg: 'HS512' }), /algorithm/],
    ['without exp', (me: Viewer) => sign(without(claimsFor(me), 'exp')), /exp/],
    ['without sub', (me: Viewer) => sign(without(claimsFor(me), 'sub')), /sub/],
    ['with a non-UUID sub', (me: Viewer) => sign(claimsFor(me, { sub: 'admin' })), /sub/],
    ['with role superuser', (me: Viewer) => sign(claimsFor(me, { role: 'superuser' })), /role/],
    ['without role', (me: Viewer) => sign(without(claimsFor(me), 'role')), /role/],
    ['with a non-UUID workspace', (me: Viewer) => sign(claimsFor(me, { workspace: 'acme' })), /workspace/],
    ['not a JWT at all', async () => 'abc.def.ghi', /invalid/],
  ] as const)('rejects a token %s with UnauthenticatedError (401) naming the reason, not the secret', async (_name, make, reason) => {
    const err = await verifier.verify(await make(viewer('customer', randomUUID()))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UnauthenticatedError);
    expect(err).toMatchObject({ code: 'UNAUTHENTICATED', httpStatus: 401 });
    expect((err as Error).message).toMatch(reason);
    expect((err as Error).message).not.toContain(TEST_SECRET);
  });
});

describe('bearerToken', () => {
  it('treats an absent header as anonymous and extracts a Bearer token (scheme case-insensitive)', () => {
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken('')).toBeNull();
    expect(bearerToken('Bearer a.b.c')).toBe('a.b.c');
    expect(bearerToken('bearer a.b.c')).toBe('a.b.c');
  });

  it.each(['Basic abc', 'Bearer', 'Bearer ', 'Bearer a.b.c extra', 'a.b.c', 'Token a.b.c'])('refuses %j', (header) => {
    expect(() => bearerToken(header)).toThrow(UnauthenticatedError);
  });
});

describe('JWKS endpoint down', () => {
  it('is our failure, not the caller\'s: INTERNAL_SERVER_ERROR, masked, logged with the request id', async () => {
    // A port that was just free: nothing answers there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const down = await startTestApp({ AUTH_JWT_SECRET: '', AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`, AUTH_ISSUER: 'https://issuer.test', AUTH_AUDIENCE: 'csat' });
    try {
      const { privateKey } = await generateKeyPair('RS256');
      const me = viewer('agent', randomUUID());
      const token = await sign(claimsFor(me, { iss: 'https://issuer.test', aud: 'csat' }), { alg: 'RS256', key: privateKey, kid: 'k1' });
      const res = await down.gql(ENTITIES, reps(randomUUID()), { headers: bearer(token) });
      expect(res.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(res.errors?.[0]?.message).toBe('Internal server error');
      expect(res.data?._entities).toBeUndefined();
      const requestId = res.headers.get('x-request-id');
      const logged = down.logs.find((l) => l.level === 50 && l.requestId === requestId);
      expect(logged).toBeDefined();
      expect(JSON.stringify(logged)).toMatch(/ECONNREFUSED|fetch failed|JWKS/i);
    } finally {
      await down.stop();
    }
  });
});

// The data and the two requests bench/resources.bench.ts and bench/pooler.bench.ts load the built service with:
// one workspace of 10,000 tickets of every status, about half of them rated, and fresh resolved tickets for first
// ratings; an agent's `_entities` page of 50 of those tickets, and a customer's first rating of a fresh one.
import type autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { signDevToken } from '../src/auth/token.signer.js';

/** autocannon's connections in every run. */
export const CONNECTIONS = 10;

/** Production with an HS256 secret checks issuer and audience (config.ts): the services get these, the tokens carry them. */
export const benchAuth = (secret: string) => ({ AUTH_JWT_SECRET: secret, AUTH_ISSUER: 'csat-bench', AUTH_AUDIENCE: 'csat' });

/** The two requests as autocannon options for a service's URL and a number of requests. */
export interface Workload {
  entities(url: string, amount: number): autocannon.Options;
  /** Each request rates the next fresh ticket (one counter over every call: a ticket is rated once). */
  ratings(url: string, amount: number): autocannon.Options;
}

/** Seeds the workspace in `pool`'s database (`fresh` tickets to rate: as many as first ratings will be sent). */
export async function seedWorkload(pool: pg.Pool, secret: string, fresh: number): Promise<Workload> {
  const ws = randomUUID();
  const agent = randomUUID();
  const customer = randomUUID();
  await pool.query(
    `insert into ticket (workspace_id, ref, subject, status, requester_id, assignee_id, created_at)
     select $1, 'B-' || g, 'Ticket ' || g, (array['new','open','pending','resolved','closed'])[1 + g % 5], $2, $3, now() - make_interval(secs => 10000 - g)
       from generate_series(1, 10000) g`,
    [ws, customer, agent],
  );
  await pool.query(
    `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_by, assignee_id)
     select workspace_id, id, 1 + (hashtext(id::text) & 3), case when hashtext(ref) % 2 = 0 then 'Comment for ' || ref end, requester_id, assignee_id
       from ticket where workspace_id = $1 and (hashtext(ref) & 1) = 0`,
    [ws],
  );
  await pool.query(
    `insert into ticket (workspace_id, ref, subject, status, requester_id, assignee_id)
     select $1, 'F-' || g, 'Fresh ' || g, 'resolved', $2, $3 from generate_series(1, $4::int) g`,
    [ws, customer, agent, fresh],
  );
  await pool.query('analyze');
  const page = (await pool.query<{ id: string }>(`select id from ticket where workspace_id = $1 and ref like 'B-%' order by random() limit 50`, [ws])).rows;
  const freshIds = (await pool.query<{ id: string }>(`select id from ticket where workspace_id = $1 and ref like 'F-%' order by ref`, [ws])).rows.map((r) => r.id);

  const { AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience } = benchAuth(secret);
  const claims = { issuer, audience, ttlSeconds: 3600 };
  const agentToken = await signDevToken({ role: 'agent', sub: agent, workspace: ws }, secret, claims);
  const customerToken = await signDevToken({ role: 'customer', sub: customer, workspace: ws }, secret, claims);

  const headers = (token: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` });
  const entitiesBody = JSON.stringify({
    query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id csatRating csatComment csatRatedAt csatCanRate } } }',
    variables: { r: page.map((t) => ({ __typename: 'Ticket', id: t.id })) },
  });
  let next = 0;
  const rateBody = () =>
    JSON.stringify({ query: 'mutation($id: ID!, $n: Int!) { rateTicket(ticketId: $id, rating: $n) { id csatRating } }', variables: { id: freshIds[next++]!, n: 1 + (next % 5) } });
  return {
    entities: (url, amount) => ({ url, method: 'POST', headers: headers(agentToken), body: entitiesBody, amount, connections: CONNECTIONS }),
    ratings: (url, amount) => ({
      url,
      method: 'POST',
      headers: headers(customerToken),
      requests: [{ setupRequest: (req) => ({ ...req, body: rateBody() }) }],
      amount,
      connections: CONNECTIONS,
    }),
  };
}

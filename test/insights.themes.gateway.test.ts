// csatCommentThemes through a real @apollo/gateway with the reference Tickets subgraph, over HTTP: the term planted
// in unhappy comments first, its counts, examples that are the tickets the Tickets subgraph serves; codes pass through.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { tokenFor, viewer } from './helpers/test.app.js';
import { useSupergraph } from './helpers/test.supergraph.js';

const ctx = useSupergraph();
const ws = randomUUID();
let token: string;
const unhappy: string[] = [];

beforeAll(async () => {
  const rows = Array.from({ length: 40 }, (_, i) => ({
    id: randomUUID(),
    rating: i % 2 ? 5 : 1,
    comment: i % 2 ? 'quick and friendly agent' : 'my invoice is wrong and the agent was slow',
    at: new Date(Date.now() - (i + 1) * 3_600_000).toISOString(),
  }));
  for (const r of rows) if (r.rating === 1) unhappy.push(r.id);
  await ctx.pool.query(
    `insert into ticket (id, workspace_id, ref, subject, status, requester_id) select id, $2, 'T-' || left(id::text, 8), 'themes ' || left(id::text, 8), 'closed', gen_random_uuid() from unnest($1::uuid[]) id`,
    [rows.map((r) => r.id), ws],
  );
  await ctx.pool.query(
    `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_at, rated_by) select $1, id, r, c, at, gen_random_uuid() from unnest($2::uuid[], $3::smallint[], $4::text[], $5::timestamptz[]) as x(id, r, c, at)`,
    [ws, rows.map((r) => r.id), rows.map((r) => r.rating), rows.map((r) => r.comment), rows.map((r) => r.at)],
  );
  token = await tokenFor(viewer('agent', ws));
});

describe('csatCommentThemes through the gateway', () => {
  it('lists what unhappy comments say, with counts and the latest examples; BAD_USER_INPUT passes through', async () => {
    const res = await ctx.gateway(`{ csatCommentThemes(first: 5) { term zScore unhappyCount happyCount unhappyComments happyComments exampleTicketIds } }`, {}, token);
    expect(res.errors).toBeUndefined();
    const terms = res.data.csatCommentThemes;
    // invoice, wrong and slow are in every 1-star comment and no 5-star one (equal z: by term); agent is in both.
    expect(terms.map((t: any) => t.term)).toEqual(['invoic', 'slow', 'wrong']);
    expect(terms[0]).toMatchObject({ unhappyCount: 20, happyCount: 0, unhappyComments: 20, happyComments: 0, exampleTicketIds: unhappy.slice(0, 3) });
    expect(terms[0].zScore).toBeGreaterThan(1.96);
    const bad = await ctx.gateway(`{ csatCommentThemes(first: 500) { term } }`, {}, token);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });
});

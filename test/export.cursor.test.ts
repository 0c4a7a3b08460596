// The reference Tickets listing's cursors, through the real gateway and PostgreSQL: a cursor carries its
// row's sort key, so paging goes on past a row deleted between two pages (the export would otherwise
// end early with a complete-looking file); ties and microseconds page exactly; a forged cursor is
// BAD_USER_INPUT.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { insertTickets } from './helpers/export.helpers.js';
import { tokenFor, viewer } from './helpers/test.app.js';
import { useSupergraph } from './helpers/test.supergraph.js';

const ctx = useSupergraph();
const base = Date.parse('2025-08-01T00:00:00.000Z');

interface Listing {
  data?: { tickets: { edges: { cursor: string; node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function listing(token: string, first: number, after: string | null): Promise<Listing> {
  const res = await fetch(ctx.sg.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: 'query($first: Int!, $after: String) { tickets(first: $first, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }',
      variables: { first, after },
    }),
  });
  return (await res.json()) as Listing;
}

/** The workspace's ticket ids in the listing's order, straight from the database. */
async function idsInOrder(workspace: string): Promise<string[]> {
  const { rows } = await ctx.pool.query<{ id: string }>('select id from ticket where workspace_id = $1 order by created_at, id', [workspace]);
  return rows.map((r) => r.id);
}

describe('a cursor whose row was deleted', () => {
  it('pages on with the right rows', async () => {
    const ws = randomUUID();
    await insertTickets(ctx.pool, ws, Array.from({ length: 9 }, (_, i) => ({ createdAt: new Date(base + i * 1000) })));
    const token = await tokenFor(viewer('agent', ws));
    const all = await idsInOrder(ws);

    const page1 = (await listing(token, 3, null)).data!.tickets;
    expect(page1.edges.map((e) => e.node.id)).toEqual(all.slice(0, 3));
    // The cursor's own row goes away between two pages.
    await ctx.pool.query('delete from ticket where id = $1', [all[2]]);

    const page2 = await listing(token, 3, page1.pageInfo.endCursor);
    expect(page2.errors).toBeUndefined();
    expect(page2.data!.tickets.edges.map((e) => e.node.id)).toEqual(all.slice(3, 6));
    expect(page2.data!.tickets.pageInfo.hasNextPage).toBe(true);

    // A row of the next page deleted too: the page after it starts right after the cursor still.
    await ctx.pool.query('delete from ticket where id = $1', [all[5]]);
    const page3 = (await listing(token, 3, page2.data!.tickets.pageInfo.endCursor)).data!.tickets;
    expect(page3.edges.map((e) => e.node.id)).toEqual(all.slice(6, 9));
    expect(page3.pageInfo.hasNextPage).toBe(false);
  });
});

describe('cursors', () => {
  it('page one row at a time through ties (same created_at) and microseconds, exactly once each', async () => {
    const ws = randomUUID();
    const ids = await insertTickets(ctx.pool, ws, Array.from({ length: 8 }, () => ({ createdAt: new Date(base) })));
    // Four share one instant (ordered by id); four differ by a microsecond only, below a JS Date's precision.
    await ctx.pool.query(`update ticket set created_at = created_at + interval '1 microsecond' where id = any($1::uuid[])`, [ids.slice(4, 8)]);
    await ctx.pool.query(`update ticket set created_at = created_at + interval '1 microsecond' where id = $1`, [ids[7]]);
    const token = await tokenFor(viewer('agent', ws));
    const seen: string[] = [];
    let after: string | null = null;
    for (let n = 0; n < 20; n++) {
      const page: Listing = await listing(token, 1, after);
      expect(page.errors).toBeUndefined();
      seen.push(...page.data!.tickets.edges.map((e) => e.node.id));
      if (!page.data!.tickets.pageInfo.hasNextPage) break;
      after = page.data!.tickets.pageInfo.endCursor;
    }
    expect(seen).toEqual(await idsInOrder(ws));
    expect(new Set(seen).size).toBe(8);
  });

  it('are opaque base64url; a malformed or forged one is BAD_USER_INPUT', async () => {
    const ws = randomUUID();
    await insertTickets(ctx.pool, ws, [{ createdAt: new Date(base) }, { createdAt: new Date(base + 1000) }]);
    const token = await tokenFor(viewer('agent', ws));
    const { endCursor } = (await listing(token, 1, null)).data!.tickets.pageInfo;
    expect(endCursor).toMatch(/^[A-Za-z0-9_-]+$/);

    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    const forged = [
      'not a cursor',
      b64(`ticket:${randomUUID()}`), // the old id-only cursor
      b64(JSON.stringify({ at: '2025-08-01T00:00:00Z', id: randomUUID() })), // not to the microsecond
      b64(JSON.stringify({ at: '2025-02-30T00:00:00.000000Z', id: randomUUID() })), // no such day
      b64(JSON.stringify({ at: '2025-08-01T00:00:00.000000Z', id: 'x' })),
      b64('[1,2]'),
    ];
    for (const cursor of forged) {
      const res = await listing(token, 1, cursor);
      expect(res.errors?.[0]?.extensions?.code, cursor).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toMatch(/not a cursor of this connection/);
    }
  });
});

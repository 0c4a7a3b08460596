// Workspace settings: who reads and changes them, the defaults, and what a disabled workspace does to the hot path.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTicket, storedRatings } from './helpers/fixtures.js';
import { tokenFor, useTestApp, viewer } from './helpers/test.app.js';

const FIELDS = 'workspaceId enabled badgePublic badgeMinCount unhappyMaxRating vocalMinCommentLength updatedAt updatedBy';
const READ = `{ csatSettings { ${FIELDS} } }`;
const UPDATE = `mutation U($input: CsatSettingsInput!) { updateCsatSettings(input: $input) { ${FIELDS} } }`;
const RATE = `mutation R($ticketId: ID!, $rating: Int!) { rateTicket(ticketId: $ticketId, rating: $rating) { id csatRating csatCanRate } }`;
const ENTITIES = `query E($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id csatRating csatCanRate } } }`;

const ctx = useTestApp();

const tokens = async (workspace: string) => ({
  admin: await tokenFor(viewer('admin', workspace)),
  agent: await tokenFor(viewer('agent', workspace)),
  customer: await tokenFor(viewer('customer', workspace)),
});

describe('csatSettings', () => {
  it('a workspace without a row has the defaults, for agents and admins', async () => {
    const ws = randomUUID();
    const tk = await tokens(ws);
    for (const token of [tk.admin, tk.agent]) {
      const res = await ctx.app.gql(READ, {}, { token });
      expect(res.errors).toBeUndefined();
      expect(res.data.csatSettings).toEqual({
        workspaceId: ws, enabled: true, badgePublic: false, badgeMinCount: 100, unhappyMaxRating: 2, vocalMinCommentLength: 200, updatedAt: null, updatedBy: null,
      });
    }
    const { rows } = await ctx.pool.query('select 1 from csat_settings where workspace_id = $1', [ws]);
    expect(rows).toHaveLength(0);
  });

  it('permissions: admins change, agents read only, customers neither (FORBIDDEN), no token UNAUTHENTICATED', async () => {
    const ws = randomUUID();
    const tk = await tokens(ws);
    const input = { badgePublic: true };
    expect((await ctx.app.gql(READ, {}, { token: tk.customer })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await ctx.app.gql(UPDATE, { input }, { token: tk.customer })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await ctx.app.gql(UPDATE, { input }, { token: tk.agent })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await ctx.app.gql(READ, {})).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await ctx.app.gql(UPDATE, { input })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const { rows } = await ctx.pool.query('select 1 from csat_settings where workspace_id = $1', [ws]);
    expect(rows).toHaveLength(0);
  });

  it('an admin changes some fields in one statement; the others keep their values; another workspace is untouched', async () => {
    const ws = randomUUID();
    const admin = viewer('admin', ws);
    const token = await tokenFor(admin);
    let before = ctx.app.sqlCount();
    const first = await ctx.app.gql(UPDATE, { input: { badgePublic: true, badgeMinCount: 30 } }, { token });
    expect(ctx.app.sqlCount() - before).toBe(1);
    expect(first.errors).toBeUndefined();
    expect(first.data.updateCsatSettings).toMatchObject({ enabled: true, badgePublic: true, badgeMinCount: 30, unhappyMaxRating: 2, vocalMinCommentLength: 200, updatedBy: admin.sub });
    expect(first.data.updateCsatSettings.updatedAt).toMatch(/Z$/);
    before = ctx.app.sqlCount();
    const second = await ctx.app.gql(UPDATE, { input: { unhappyMaxRating: 3, badgePublic: null } }, { token });
    expect(ctx.app.sqlCount() - before).toBe(1);
    expect(second.data.updateCsatSettings).toMatchObject({ badgePublic: true, badgeMinCount: 30, unhappyMaxRating: 3 });
    const read = await ctx.app.gql(READ, {}, { token: await tokenFor(viewer('agent', ws)) });
    expect(read.data.csatSettings).toEqual(second.data.updateCsatSettings);
    const other = await ctx.app.gql(READ, {}, { token: await tokenFor(viewer('agent', randomUUID())) });
    expect(other.data.csatSettings.badgePublic).toBe(false);
  });

  it.each([
    ['badgeMinCount', 29],
    ['badgeMinCount', -1],
    ['unhappyMaxRating', 0],
    ['unhappyMaxRating', 6],
    ['vocalMinCommentLength', 0],
    ['vocalMinCommentLength', 2001],
  ])('refuses %s = %i with BAD_USER_INPUT naming the field, storing nothing', async (field, value) => {
    const ws = randomUUID();
    const token = await tokenFor(viewer('admin', ws));
    const res = await ctx.app.gql(UPDATE, { input: { [field]: value, enabled: false } }, { token });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    const { rows } = await ctx.pool.query('select 1 from csat_settings where workspace_id = $1', [ws]);
    expect(rows).toHaveLength(0);
  });

  it('the table holds the ranges itself (CHECKs)', async () => {
    for (const [col, v] of [['badge_min_count', 29], ['unhappy_max_rating', 6], ['vocal_min_comment_length', 2001]] as const) {
      await expect(ctx.pool.query(`insert into csat_settings (workspace_id, updated_by, ${col}) values ($1, $1, $2)`, [randomUUID(), v])).rejects.toThrow(/check constraint/);
    }
  });
});

describe('a disabled workspace', () => {
  async function disabledWorkspace() {
    const ws = randomUUID();
    await ctx.app.gql(UPDATE, { input: { enabled: false } }, { token: await tokenFor(viewer('admin', ws)) });
    return ws;
  }

  it('rateTicket gives CSAT_DISABLED in one statement and stores nothing; enabling again lets the customer rate', async () => {
    const ws = await disabledWorkspace();
    const me = viewer('customer', ws);
    const token = await tokenFor(me);
    const ticket = await createTicket(ctx.pool, { workspace: ws, requester: me.sub });
    const before = ctx.app.sqlCount();
    const res = await ctx.app.gql(RATE, { ticketId: ticket.id, rating: 4 }, { token });
    expect(ctx.app.sqlCount() - before).toBe(1);
    expect(res.errors?.[0]?.extensions?.code).toBe('CSAT_DISABLED');
    expect(await storedRatings(ctx.pool, ticket.id)).toHaveLength(0);
    await ctx.app.gql(UPDATE, { input: { enabled: true } }, { token: await tokenFor(viewer('admin', ws)) });
    const again = await ctx.app.gql(RATE, { ticketId: ticket.id, rating: 4 }, { token });
    expect(again.data.rateTicket).toMatchObject({ csatRating: 4, csatCanRate: false });
  });

  it('keeps NOT_FOUND for other people\'s tickets (no existence leak through the new code)', async () => {
    const ws = await disabledWorkspace();
    const ticket = await createTicket(ctx.pool, { workspace: ws, requester: randomUUID() });
    const res = await ctx.app.gql(RATE, { ticketId: ticket.id, rating: 4 }, { token: await tokenFor(viewer('customer', ws)) });
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('csatCanRate is false for the requester, in the page\'s one statement; stored ratings stay visible to staff and the requester', async () => {
    const ws = randomUUID();
    const me = viewer('customer', ws);
    const token = await tokenFor(me);
    const rated = await createTicket(ctx.pool, { workspace: ws, requester: me.sub });
    const unrated = await createTicket(ctx.pool, { workspace: ws, requester: me.sub });
    await ctx.app.gql(RATE, { ticketId: rated.id, rating: 5 }, { token });
    const reps = [rated.id, unrated.id].map((id) => ({ __typename: 'Ticket', id }));
    expect((await ctx.app.gql(ENTITIES, { r: reps }, { token })).data._entities[1].csatCanRate).toBe(true);
    await ctx.app.gql(UPDATE, { input: { enabled: false } }, { token: await tokenFor(viewer('admin', ws)) });

    let before = ctx.app.sqlCount();
    const page = await ctx.app.gql(ENTITIES, { r: reps }, { token });
    expect(ctx.app.sqlCount() - before).toBe(1);
    expect(page.data._entities).toEqual([
      { id: rated.id, csatRating: 5, csatCanRate: false },
      { id: unrated.id, csatRating: null, csatCanRate: false },
    ]);
    before = ctx.app.sqlCount();
    const staff = await ctx.app.gql(ENTITIES, { r: reps }, { token: await tokenFor(viewer('agent', ws)) });
    expect(ctx.app.sqlCount() - before).toBe(1);
    expect(staff.data._entities.map((e: { csatRating: number | null }) => e.csatRating)).toEqual([5, null]);
    // The no-op stays a no-op: the stored rating is the answer, not an error.
    const noop = await ctx.app.gql(RATE, { ticketId: rated.id, rating: 1 }, { token });
    expect(noop.errors).toBeUndefined();
    expect(noop.data.rateTicket.csatRating).toBe(5);
  });
});

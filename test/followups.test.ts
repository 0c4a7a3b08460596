// Follow-ups on ratings (issue 22 item 1) against the real service and PostgreSQL: opened by the rating (threshold,
// off, a disabled workspace), the permission matrix, the owner rule, history, a race of 20 changes, the summary's
// figures, and what a page costs in SQL statements.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../src/settings/settings.rules.js';
import { createTicket } from './helpers/fixtures.js';
import { tokenFor, useTestApp, viewer } from './helpers/test.app.js';

const ctx = useTestApp();

const RATE = `mutation($t: ID!, $r: Int!, $c: String) { rateTicket(ticketId: $t, rating: $r, comment: $c) { id csatRating } }`;
const SET = `mutation($t: ID!, $s: CsatFollowUpState!, $o: ID, $n: String) {
  setCsatFollowUp(ticketId: $t, state: $s, ownerId: $o, note: $n) { id csatRating csatFollowUp { state owner note updatedBy } }
}`;
const SET_STATE = `mutation($t: ID!, $s: CsatFollowUpState!) { setCsatFollowUp(ticketId: $t, state: $s) { id csatFollowUp { state owner note } } }`;
const FOLLOW_UP = `query($id: ID!) { csatTicket(id: $id) { id csatRating csatFollowUp { state owner note openedAt updatedAt updatedBy doneAt
  history { version at by from to ownerFrom ownerTo note } } } }`;
const SETTINGS = `mutation($i: CsatSettingsInput!) { updateCsatSettings(input: $i) { enabled followUpBelow } }`;

interface Workspace {
  ws: string;
  admin: string;
  agentId: string;
  agent: string;
  customerId: string;
  customer: string;
}

async function workspace(settings?: Record<string, unknown>): Promise<Workspace> {
  const ws = randomUUID();
  const agentId = randomUUID();
  const customerId = randomUUID();
  const w = {
    ws,
    admin: await tokenFor(viewer('admin', ws)),
    agentId,
    agent: await tokenFor(viewer('agent', ws, agentId)),
    customerId,
    customer: await tokenFor(viewer('customer', ws, customerId)),
  };
  if (settings) {
    const res = await ctx.app.gql(SETTINGS, { i: settings }, { token: w.admin });
    expect(res.errors).toBeUndefined();
  }
  return w;
}

/** A resolved ticket of this customer, rated `stars` through rateTicket (the customer's own call). */
async function rated(w: Workspace, stars: number, assignee: string | null = randomUUID()): Promise<string> {
  const t = await createTicket(ctx.pool, { workspace: w.ws, requester: w.customerId, assignee });
  const res = await ctx.app.gql(RATE, { t: t.id, r: stars, c: 'not good' }, { token: w.customer });
  expect(res.errors).toBeUndefined();
  return t.id;
}

async function followUpOf(ticketId: string, token: string) {
  const res = await ctx.app.gql(FOLLOW_UP, { id: ticketId }, { token });
  expect(res.errors).toBeUndefined();
  return res.data.csatTicket.csatFollowUp;
}

describe('a new rating opens a follow-up in its own transaction', () => {
  it('at or below followUpBelow (default 2), owned by nobody, opened at the rating time; above it none', async () => {
    const w = await workspace();
    expect(DEFAULT_SETTINGS.followUpBelow).toBe(2);
    const [one, two, three, five] = [await rated(w, 1), await rated(w, 2), await rated(w, 3), await rated(w, 5)];
    for (const id of [one, two]) {
      const f = await followUpOf(id, w.agent);
      const { rows } = await ctx.pool.query(`select to_char(rated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at from csat_rating where ticket_id = $1`, [id]);
      expect(f).toMatchObject({ state: 'OPEN', owner: null, note: null, updatedBy: null, doneAt: null, openedAt: rows[0].at, updatedAt: rows[0].at });
      expect(f.history).toEqual([{ version: 1, at: rows[0].at, by: null, from: null, to: 'OPEN', ownerFrom: null, ownerTo: null, note: null }]);
    }
    expect(await followUpOf(three, w.agent)).toBeNull();
    expect(await followUpOf(five, w.agent)).toBeNull();
  });

  it('the workspace setting moves the threshold; 0 turns it off; a disabled workspace stores neither rating nor follow-up', async () => {
    const four = await workspace({ followUpBelow: 4 });
    expect(await followUpOf(await rated(four, 4), four.agent)).toMatchObject({ state: 'OPEN' });
    expect(await followUpOf(await rated(four, 5), four.agent)).toBeNull();

    const off = await workspace({ followUpBelow: 0 });
    expect(await followUpOf(await rated(off, 1), off.agent)).toBeNull();

    const disabled = await workspace({ enabled: false });
    const t = await createTicket(ctx.pool, { workspace: disabled.ws, requester: disabled.customerId });
    const res = await ctx.app.gql(RATE, { t: t.id, r: 1 }, { token: disabled.customer });
    expect(res.errors?.[0]?.extensions?.code).toBe('CSAT_DISABLED');
    const { rows } = await ctx.pool.query(`select count(*)::int as n from csat_follow_up where ticket_id = $1`, [t.id]);
    expect(rows[0].n).toBe(0);
  });

  it('followUpBelow is checked (0..5) by the API and by the table', async () => {
    const w = await workspace();
    const res = await ctx.app.gql(SETTINGS, { i: { followUpBelow: 6 } }, { token: w.admin });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'followUpBelow' });
    await expect(ctx.pool.query(`insert into csat_settings (workspace_id, updated_by, follow_up_below) values ($1, $1, -1)`, [w.ws])).rejects.toThrow(/csat_settings_follow_up_below/);
  });

  it("rateTicket's round trips are unchanged: one statement for a first rating that opens a follow-up", async () => {
    const w = await workspace();
    const t = await createTicket(ctx.pool, { workspace: w.ws, requester: w.customerId });
    const before = ctx.app.sqlCount();
    const res = await ctx.app.gql(RATE, { t: t.id, r: 1 }, { token: w.customer });
    expect(res.errors).toBeUndefined();
    expect(ctx.app.sqlCount() - before).toBe(1);
    expect(await followUpOf(t.id, w.agent)).toMatchObject({ state: 'OPEN' });
  });
});

describe('setCsatFollowUp: who may', () => {
  let w: Workspace;
  let other: Workspace;
  let ticket: string;
  beforeAll(async () => {
    w = await workspace();
    other = await workspace();
    ticket = await rated(w, 1);
  });

  it('agents and admins of the workspace; customers FORBIDDEN, anonymous UNAUTHENTICATED, other workspaces NOT_FOUND', async () => {
    const cases: [string, string | null, string | null][] = [
      ['agent', w.agent, null],
      ['admin', w.admin, null],
      ['customer (the requester)', w.customer, 'FORBIDDEN'],
      ['anonymous', null, 'UNAUTHENTICATED'],
      ['agent of another workspace', other.agent, 'NOT_FOUND'],
      ['admin of another workspace', other.admin, 'NOT_FOUND'],
    ];
    for (const [who, token, code] of cases) {
      const res = await ctx.app.gql(SET_STATE, { t: ticket, s: 'CONTACTED' }, { token });
      if (code === null) expect(res.errors, who).toBeUndefined();
      else expect(res.errors?.[0]?.extensions?.code, who).toBe(code);
    }
    // Two staff changes were made, nothing else: the opening and two versions.
    const { rows } = await ctx.pool.query(`select version, by from csat_follow_up_change where ticket_id = $1 order by version`, [ticket]);
    expect(rows.map((r) => r.version)).toEqual([1, 2, 3]);
  });

  it('an unrated or unknown ticket of the workspace is NOT_FOUND, and nothing is stored', async () => {
    const open = await createTicket(ctx.pool, { workspace: w.ws, requester: w.customerId, status: 'open' });
    for (const id of [open.id, randomUUID(), 'not-a-uuid']) {
      const res = await ctx.app.gql(SET_STATE, { t: id, s: 'OPEN' }, { token: w.agent });
      expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    const { rows } = await ctx.pool.query(`select count(*)::int as n from csat_follow_up where ticket_id = $1`, [open.id]);
    expect(rows[0].n).toBe(0);
  });

  it('csatFollowUp: staff of the workspace see it; the requester, other workspaces and anonymous callers get null', async () => {
    expect(await followUpOf(ticket, w.agent)).not.toBeNull();
    expect(await followUpOf(ticket, w.admin)).not.toBeNull();
    for (const token of [w.customer, other.agent, other.admin]) expect(await followUpOf(ticket, token)).toBeNull();
    const anon = await ctx.app.gql(FOLLOW_UP, { id: ticket }, { token: null });
    expect(anon.data.csatTicket.csatFollowUp).toBeNull();
  });

  it('the owner: yourself, an agent the workspace has assigned rated tickets to, or the ticket\'s assignee; anyone else BAD_USER_INPUT', async () => {
    const assignee = randomUUID();
    const t = await rated(w, 2, assignee);
    const known = randomUUID();
    await rated(w, 5, known); // rated tickets of `known`: an agent of this workspace
    const me = await ctx.app.gql(SET, { t, s: 'OPEN', o: w.agentId }, { token: w.agent });
    expect(me.data.setCsatFollowUp.csatFollowUp).toMatchObject({ owner: w.agentId, updatedBy: w.agentId });
    for (const owner of [assignee, known, null]) {
      const res = await ctx.app.gql(SET, { t, s: 'OPEN', o: owner }, { token: w.admin });
      expect(res.errors).toBeUndefined();
      expect(res.data.setCsatFollowUp.csatFollowUp.owner).toBe(owner);
    }
    for (const owner of [randomUUID(), other.agentId]) {
      const res = await ctx.app.gql(SET, { t, s: 'OPEN', o: owner }, { token: w.admin });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ownerId' });
    }
    const bad = await ctx.app.gql(SET, { t, s: 'OPEN', o: 'me' }, { token: w.admin });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ownerId' });
  });

  it('a note of 2000 code points is kept, 2001 is BAD_USER_INPUT (and the table refuses it too); the rating never changes', async () => {
    const t = await rated(w, 1);
    const { rows: before } = await ctx.pool.query(`select rating, comment, rated_at, rated_by, assignee_id from csat_rating where ticket_id = $1`, [t]);
    const ok = await ctx.app.gql(SET, { t, s: 'CONTACTED', n: '😀'.repeat(2000) }, { token: w.agent });
    expect(ok.errors).toBeUndefined();
    expect([...ok.data.setCsatFollowUp.csatFollowUp.note].length).toBe(2000);
    const long = await ctx.app.gql(SET, { t, s: 'DONE', n: 'x'.repeat(2001) }, { token: w.agent });
    expect(long.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'note' });
    await expect(ctx.pool.query(`update csat_follow_up set note = repeat('x', 2001) where ticket_id = $1`, [t])).rejects.toThrow(/csat_follow_up_note_length/);
    await expect(ctx.pool.query(`update csat_follow_up set state = 'LOST' where ticket_id = $1`, [t])).rejects.toThrow(/csat_follow_up_state/);
    const { rows: after } = await ctx.pool.query(`select rating, comment, rated_at, rated_by, assignee_id from csat_rating where ticket_id = $1`, [t]);
    expect(after).toEqual(before);
    expect(ok.data.setCsatFollowUp.csatRating).toBe(1);
  });
});

describe('history', () => {
  it('every change: who, when, from, to, the owner and the note; left-out owner and note stay, null clears them; done_at only while DONE', async () => {
    const w = await workspace();
    const t = await rated(w, 3); // above the threshold: staff open it themselves
    expect(await followUpOf(t, w.agent)).toBeNull();
    const admin = viewer('admin', w.ws);
    const adminToken = await tokenFor(admin);
    const steps: [string, Record<string, unknown>, string][] = [
      [w.agent, { s: 'OPEN', o: w.agentId }, w.agentId],
      [adminToken, { s: 'CONTACTED', n: 'called, left a message' }, admin.sub],
      [w.agent, { s: 'DONE' }, w.agentId],
      [w.agent, { s: 'DONE', n: 'refund agreed' }, w.agentId],
      [adminToken, { s: 'OPEN', o: null, n: null }, admin.sub],
    ];
    for (const [token, vars] of steps) {
      const res = await ctx.app.gql(SET, { t, ...vars }, { token });
      expect(res.errors).toBeUndefined();
    }
    const f = await followUpOf(t, w.agent);
    expect(f.history.map((h: any) => [h.version, h.by, h.from, h.to, h.ownerFrom, h.ownerTo, h.note])).toEqual([
      [1, w.agentId, null, 'OPEN', null, w.agentId, null],
      [2, admin.sub, 'OPEN', 'CONTACTED', w.agentId, w.agentId, 'called, left a message'],
      [3, w.agentId, 'CONTACTED', 'DONE', w.agentId, w.agentId, 'called, left a message'],
      [4, w.agentId, 'DONE', 'DONE', w.agentId, w.agentId, 'refund agreed'],
      [5, admin.sub, 'DONE', 'OPEN', w.agentId, null, null],
    ]);
    const at = f.history.map((h: any) => Date.parse(h.at));
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(f).toMatchObject({ state: 'OPEN', owner: null, note: null, doneAt: null, openedAt: f.history[0].at, updatedAt: f.history[4].at, updatedBy: admin.sub });
    // done_at was set at the change to DONE and kept through DONE -> DONE (the median's end).
    const { rows } = await ctx.pool.query(`select count(*)::int as n from csat_follow_up where ticket_id = $1 and done_at is null`, [t]);
    expect(rows[0].n).toBe(1);
  });

  it('a race of 20 setCsatFollowUp calls leaves a gapless history whose every "from" is the previous "to", ending in the stored state', async () => {
    const w = await workspace();
    const t = await rated(w, 1);
    const states = ['OPEN', 'CONTACTED', 'DONE'];
    const agents = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const v = viewer(i % 2 ? 'agent' : 'admin', w.ws);
      return { v, token: await tokenFor(v), state: states[i % 3]!, note: `call ${i}` };
    }));
    const results = await Promise.all(agents.map((a) => ctx.app.gql(SET, { t, s: a.state, o: a.v.sub, n: a.note }, { token: a.token })));
    for (const r of results) expect(r.errors).toBeUndefined();
    const f = await followUpOf(t, w.agent);
    expect(f.history).toHaveLength(21);
    expect(f.history.map((h: any) => h.version)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    for (let i = 1; i < 21; i++) {
      const [prev, cur] = [f.history[i - 1], f.history[i]];
      expect(cur.from).toBe(prev.to);
      expect(cur.ownerFrom).toBe(prev.ownerTo);
      expect(Date.parse(cur.at)).toBeGreaterThanOrEqual(Date.parse(prev.at));
      // Each change is one caller's whole call: its owner (themself), its note, its state.
      const a = agents.find((x) => x.note === cur.note)!;
      expect([cur.by, cur.ownerTo, cur.to]).toEqual([a.v.sub, a.v.sub, a.state]);
    }
    expect(new Set(f.history.slice(1).map((h: any) => h.by)).size).toBe(20);
    const last = f.history[20];
    expect(f).toMatchObject({ state: last.to, owner: last.ownerTo, note: last.note, updatedAt: last.at });
  });
});

describe('the queue and the summary', () => {
  it('csatRatings(filter: { followUp }) lists the queue; csatSummary counts followUpsOpen and the median time to DONE, per agent too', async () => {
    const w = await workspace();
    const [a, b] = [randomUUID(), randomUUID()];
    const open = await rated(w, 1, a);
    const contacted = await rated(w, 2, a);
    const doneA = await rated(w, 1, a);
    const doneB = await rated(w, 2, b);
    await rated(w, 5, b); // no follow-up
    await ctx.app.gql(SET_STATE, { t: contacted, s: 'CONTACTED' }, { token: w.agent });
    for (const t of [doneA, doneB]) await ctx.app.gql(SET_STATE, { t, s: 'DONE' }, { token: w.agent });
    // Known durations: the rating an hour (a) and three hours (b) before DONE (done_at is the trigger's: the
    // rating's time is moved instead).
    await ctx.pool.query(`update csat_rating r set rated_at = f.done_at - interval '1 hour' from csat_follow_up f where r.ticket_id = f.ticket_id and f.ticket_id = $1`, [doneA]);
    await ctx.pool.query(`update csat_rating r set rated_at = f.done_at - interval '3 hours' from csat_follow_up f where r.ticket_id = f.ticket_id and f.ticket_id = $1`, [doneB]);

    const q = await ctx.app.gql(
      `{ queue: csatRatings(filter: { followUp: [OPEN, CONTACTED] }) { totalCount edges { node { ticket { id csatFollowUp { state } } } } }
         done: csatRatings(filter: { followUp: [DONE] }) { totalCount }
         csatSummary { count followUpsOpen followUpMedianSecondsToDone }
         csatAgentSummaries { edges { node { assigneeId followUpsOpen followUpMedianSecondsToDone } } } }`,
      {},
      { token: w.agent },
    );
    expect(q.errors).toBeUndefined();
    const queue = q.data.queue.edges.map((e: any) => [e.node.ticket.id, e.node.ticket.csatFollowUp.state]);
    expect(new Map(queue)).toEqual(new Map([[open, 'OPEN'], [contacted, 'CONTACTED']]));
    expect(q.data.queue.totalCount).toBe(2);
    expect(q.data.done.totalCount).toBe(2);
    expect(q.data.csatSummary).toEqual({ count: 5, followUpsOpen: 2, followUpMedianSecondsToDone: 7200 });
    const agents = new Map(q.data.csatAgentSummaries.edges.map((e: any) => [e.node.assigneeId, e.node]));
    expect(agents.get(a)).toMatchObject({ followUpsOpen: 2, followUpMedianSecondsToDone: 3600 });
    expect(agents.get(b)).toMatchObject({ followUpsOpen: 0, followUpMedianSecondsToDone: 10800 });
    const empty = await ctx.app.gql(`{ csatRatings(filter: { followUp: [] }) { totalCount } }`, {}, { token: w.agent });
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.followUp' });
  });

  it("csatSummary without the follow-up fields runs no follow-up statement; with them, one more", async () => {
    const w = await workspace();
    await rated(w, 1);
    let before = ctx.app.sqlCount();
    await ctx.app.gql(`{ csatSummary { count } }`, {}, { token: w.agent });
    const plain = ctx.app.sqlCount() - before;
    before = ctx.app.sqlCount();
    const res = await ctx.app.gql(`{ csatSummary { count followUpsOpen followUpMedianSecondsToDone } }`, {}, { token: w.agent });
    expect(res.data.csatSummary).toEqual({ count: 1, followUpsOpen: 1, followUpMedianSecondsToDone: null });
    expect(ctx.app.sqlCount() - before).toBe(plain + 1);
  });
});

describe('the _entities page', () => {
  const ENTITIES = (fields: string) => `query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id csatRating ${fields} } } }`;

  it('stays ONE statement without csatFollowUp; with it, one more for the whole page (no N+1); customers none', async () => {
    const w = await workspace();
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await rated(w, 1 + (i % 5)));
    const r = ids.map((id) => ({ __typename: 'Ticket', id }));
    let before = ctx.app.sqlCount();
    const plain = await ctx.app.gql(ENTITIES(''), { r }, { token: w.agent });
    expect(plain.errors).toBeUndefined();
    expect(ctx.app.sqlCount() - before).toBe(1);

    before = ctx.app.sqlCount();
    const withFollowUps = await ctx.app.gql(ENTITIES('csatFollowUp { state history { to } }'), { r }, { token: w.agent });
    expect(withFollowUps.errors).toBeUndefined();
    expect(ctx.app.sqlCount() - before).toBe(2);
    expect(withFollowUps.data._entities.map((t: any) => t.csatFollowUp?.state ?? null)).toEqual(ids.map((_, i) => (1 + (i % 5) <= 2 ? 'OPEN' : null)));

    before = ctx.app.sqlCount();
    const customer = await ctx.app.gql(ENTITIES('csatFollowUp { state }'), { r }, { token: w.customer });
    expect(customer.data._entities.every((t: any) => t.csatFollowUp === null)).toBe(true);
    expect(ctx.app.sqlCount() - before).toBe(1);
  });
});

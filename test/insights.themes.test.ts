// csatCommentThemes against real PostgreSQL (docs/insights.md, Themes): a term planted in unhappy comments only
// ranks first with the z-score of the paper's formula computed here from ts_stat's counts (not by the service's
// code), stop words never appear, an empty group is an empty list, agent, period and follow-up filters narrow the
// counts, the workspace's commentLanguage (refused when PostgreSQL lacks it; a change is recounted, here by running the
// recount's steps as the job worker does: test/insights.themes.recount.test.ts runs the worker), the rollups check clean.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkRollups } from '../src/insights/rollup.check.js';
import { pgSession } from '../src/insights/rollup.session.js';
import { runRecount } from '../src/insights/term-recount.js';
import { tokenFor, useTestApp, viewer } from './helpers/test.app.js';
import { fightinWords } from './helpers/themes.expect.js';

const ctx = useTestApp();
const ws = randomUUID();
const [agentA, agentB] = [randomUUID(), randomUUID()];
let token: string;
const DAY = 86_400_000;
const now = Date.now();

const THEMES = `query($filter: CsatRatingFilter, $first: Int) { csatCommentThemes(filter: $filter, first: $first) {
  term zScore logOddsRatio unhappyCount happyCount unhappyComments happyComments exampleTicketIds } }`;

// Unhappy comments carry "refund" (planted: never in a happy comment) and many stop words; both groups share the rest.
const UNHAPPY = ['the refund was not there and I am not happy', 'still no refund for the order', 'refund please, the agent was nice though', 'agent answered but the order was wrong', 'the order never arrived'];
const HAPPY = ['the agent was nice and quick', 'quick answer from the agent', 'order arrived, nice and quick', 'great agent', 'the agent fixed my order quick'];

interface Row { id: string; rating: number; comment: string; at: string; assignee: string }
const rows: Row[] = [];

async function insert(workspace: string, list: Row[]) {
  await ctx.pool.query(
    `insert into ticket (id, workspace_id, ref, subject, status, requester_id, assignee_id)
     select id, $2, 'T-' || left(id::text, 8), 'themes', 'closed', gen_random_uuid(), a from unnest($1::uuid[], $3::uuid[]) as x(id, a)`,
    [list.map((r) => r.id), workspace, list.map((r) => r.assignee)],
  );
  await ctx.pool.query(
    `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_at, rated_by, assignee_id)
     select $1, id, rating, comment, at, gen_random_uuid(), a from unnest($2::uuid[], $3::smallint[], $4::text[], $5::timestamptz[], $6::uuid[]) as x(id, rating, comment, at, a)`,
    [workspace, list.map((r) => r.id), list.map((r) => r.rating), list.map((r) => r.comment), list.map((r) => r.at), list.map((r) => r.assignee)],
  );
}

beforeAll(async () => {
  // 80 days (whole months and days from the rollups, the ends from the rows), both agents, every star.
  for (let i = 0; i < 200; i++) {
    const unhappy = i % 2 === 0;
    const rating = i % 10 === 5 ? 3 : unhappy ? 1 + (i % 4 === 0 ? 1 : 0) : 4 + (i % 3 === 0 ? 1 : 0);
    const list = unhappy ? UNHAPPY : HAPPY;
    rows.push({ id: randomUUID(), rating, comment: list[i % list.length]!, at: new Date(now - 3_600_000 - i * 0.4 * DAY).toISOString(), assignee: i % 3 === 0 ? agentB : agentA });
  }
  // One batch per statement, as an import does, and one rating at a time, as rateTicket does.
  await insert(ws, rows.slice(0, 150));
  for (const r of rows.slice(150)) await insert(ws, [r]);
  token = await tokenFor(viewer('agent', ws));
});

/** Occurrences per lexeme of the matching comments, by PostgreSQL's ts_stat over the raw comments (not the service's SQL). */
async function tsStat(ids: string[], language = 'english'): Promise<Map<string, { nentry: number; ndoc: number }>> {
  if (!ids.length) return new Map();
  const list = ids.map((id) => `'${id}'`).join(',');
  const { rows: stat } = await ctx.pool.query<{ word: string; nentry: number; ndoc: number }>(
    `select word, nentry, ndoc from ts_stat($$select to_tsvector('${language}', comment) from csat_rating where ticket_id in (${list})$$)`,
  );
  return new Map(stat.map((s) => [s.word, { nentry: s.nentry, ndoc: s.ndoc }]));
}

const themes = async (filter: object = {}, first?: number, t = token) => {
  const res = await ctx.app.gql(THEMES, { filter, first }, { token: t });
  expect(res.errors).toBeUndefined();
  return res.data.csatCommentThemes as any[];
};

/** The expected list for the rows matching `pick`, from ts_stat and the paper's formula (helpers/themes.expect.ts). */
async function expected(pick: (r: Row) => boolean, language = 'english') {
  const chosen = rows.filter(pick);
  const u = await tsStat(chosen.filter((r) => r.rating <= 2).map((r) => r.id), language);
  const h = await tsStat(chosen.filter((r) => r.rating >= 4).map((r) => r.id), language);
  const scored = fightinWords(u, h).map((s) => [s.term, s] as const);
  return { scored, u, h, chosen };
}

function expectSame(got: any[], want: Awaited<ReturnType<typeof expected>>) {
  expect(got.map((t) => t.term)).toEqual(want.scored.map(([w]) => w));
  for (const t of got) {
    const s = want.scored.find(([w]) => w === t.term)![1];
    expect(t.zScore).toBeCloseTo(s.z, 9);
    expect(t.logOddsRatio).toBeCloseTo(s.delta, 9);
    expect([t.unhappyCount, t.happyCount]).toEqual([s.yu, s.yh]);
    expect([t.unhappyComments, t.happyComments]).toEqual([want.u.get(t.term)?.ndoc ?? 0, want.h.get(t.term)?.ndoc ?? 0]);
  }
}

describe('csatCommentThemes', () => {
  it('ranks the term planted in unhappy comments first, with the paper\'s z-score, counts and the latest three examples', async () => {
    const got = await themes();
    const want = await expected(() => true);
    expect(got[0].term).toBe('refund');
    expectSame(got, want);
    const withRefund = rows.filter((r) => r.rating <= 2 && /refund/.test(r.comment)).sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.id < b.id ? -1 : 1));
    expect(got[0].exampleTicketIds).toEqual(withRefund.slice(0, 3).map((r) => r.id));
    expect(got[0].happyCount).toBe(0);
  });

  it('never lists a stop word, however often unhappy customers write it', async () => {
    const got = await themes({}, 50);
    const terms = got.map((t) => t.term);
    for (const stop of ['the', 'not', 'and', 'was', 'i', 'am', 'for', 'no', 'but']) expect(terms).not.toContain(stop);
    // Every listed term is a lexeme english keeps (a stop word tokenises to nothing).
    const { rows: kept } = await ctx.pool.query(`select t, length(to_tsvector('english', t)) > 0 as kept from unnest($1::text[]) t`, [terms]);
    expect(kept.every((k) => k.kept)).toBe(true);
  });

  it('an empty group gives an empty list, not an error', async () => {
    expect(await themes({ ratings: [1, 2] })).toEqual([]);
    expect(await themes({ ratings: [4, 5] })).toEqual([]);
    expect(await themes({ hasComment: false })).toEqual([]);
    expect(await themes({ ratedFrom: new Date(now + DAY).toISOString() })).toEqual([]);
    const other = randomUUID();
    await insert(other, [{ id: randomUUID(), rating: 1, comment: 'refund refund', at: new Date().toISOString(), assignee: agentA }]);
    expect(await themes({}, 20, await tokenFor(viewer('admin', other)))).toEqual([]);
  });

  it('a filter by agent and period narrows the counts (agent: from the rows; period: rollups plus the rows at its ends)', async () => {
    const all = await themes();
    const from = new Date(now - 50.3 * DAY).toISOString();
    const to = new Date(now - 9.7 * DAY).toISOString();
    const inPeriod = (r: Row) => r.at >= from && r.at < to;
    const period = await themes({ ratedFrom: from, ratedTo: to });
    expectSame(period, await expected(inPeriod));
    const agent = await themes({ assigneeIds: [agentA], ratedFrom: from, ratedTo: to });
    expectSame(agent, await expected((r) => inPeriod(r) && r.assignee === agentA));
    const refund = (list: any[]) => list.find((t) => t.term === 'refund');
    expect(refund(agent).unhappyCount).toBeLessThan(refund(period).unhappyCount);
    expect(refund(period).unhappyCount).toBeLessThan(refund(all).unhappyCount);
    // The rows' path (minCommentLength) and the rollups' path agree on the same ratings.
    expectSame(await themes({ minCommentLength: 1, ratedFrom: from, ratedTo: to }), await expected(inPeriod));
  });

  it('a followUp filter is read from the rows (the term rollups know no follow-ups)', async () => {
    // Every 1-2 star rating opened a follow-up (followUpBelow's default, 2); staff open some on happy ratings and
    // close some unhappy ones (direct SQL: the triggers stamp and record them as setCsatFollowUp's would).
    const happy = rows.filter((r) => r.rating >= 4).filter((_r, i) => i % 2 === 0);
    const done = rows.filter((r) => r.rating <= 2).filter((_r, i) => i % 3 === 0);
    await ctx.pool.query(`insert into csat_follow_up (workspace_id, ticket_id, state) select $1, unnest($2::uuid[]), 'OPEN'`, [ws, happy.map((r) => r.id)]);
    await ctx.pool.query(`update csat_follow_up set state = 'DONE' where workspace_id = $1 and ticket_id = any($2::uuid[])`, [ws, done.map((r) => r.id)]);
    const open = new Set([...rows.filter((r) => r.rating <= 2 && !done.includes(r)), ...happy].map((r) => r.id));
    const got = await themes({ followUp: ['OPEN'] }, 50);
    expect(got.map((t) => t.term)).toContain('refund');
    expectSame(got, await expected((r) => open.has(r.id)));
    // A period too (whole days would come from the rollups without the followUp part).
    const from = new Date(now - 50.3 * DAY).toISOString();
    const to = new Date(now - 9.7 * DAY).toISOString();
    expectSame(await themes({ followUp: ['OPEN', 'CONTACTED'], ratedFrom: from, ratedTo: to }, 50), await expected((r) => open.has(r.id) && r.at >= from && r.at < to));
    // Only unhappy ratings are DONE: no happy group, no themes.
    expect(await themes({ followUp: ['DONE'] })).toEqual([]);
  });

  it('bad input is BAD_USER_INPUT with its field; customers are refused', async () => {
    for (const [vars, field] of [
      [{ first: 0 }, 'first'],
      [{ first: 51 }, 'first'],
      [{ filter: { ratings: [6] } }, 'filter.ratings'],
      [{ filter: { assigneeIds: ['nope'] } }, 'filter.assigneeIds'],
    ] as const) {
      const res = await ctx.app.gql(THEMES, vars, { token });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const customer = await ctx.app.gql(THEMES, {}, { token: await tokenFor(viewer('customer', ws)) });
    expect(customer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('commentLanguage: a name PostgreSQL lacks is refused (by the API and by the database); a change is recounted, then the themes switch', async () => {
    const admin = await tokenFor(viewer('admin', ws));
    const SET = `mutation($l: String) { updateCsatSettings(input: { commentLanguage: $l }) { commentLanguage } }`;
    const bad = await ctx.app.gql(SET, { l: 'klingon' }, { token: admin });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'commentLanguage' });
    await expect(ctx.pool.query(`insert into csat_settings (workspace_id, updated_by, comment_language) values ($1, $1, 'klingon')`, [randomUUID()])).rejects.toThrow(/klingon/);
    expect((await ctx.app.gql(`{ csatSettings { commentLanguage } }`, {}, { token })).data.csatSettings.commentLanguage).toBe('english');

    // simple: no stemming and no stop words, so "the", "not" and "refund," are terms of their own now.
    const changed = await ctx.app.gql(SET, { l: 'simple' }, { token: admin });
    expect(changed.errors).toBeUndefined();
    expect(changed.data.updateCsatSettings.commentLanguage).toBe('simple');
    // Recounted in the background (the worker is off here: its steps run in the test), english until it switches.
    expectSame(await themes(), await expected(() => true));
    expect((await runRecount(pgSession(ctx.pool), ws)).outcome).toBe('done');
    const got = await themes({}, 50);
    expectSame(got, await expected(() => true, 'simple'));
    expect(got.map((t) => t.term)).toContain('not');
    // A rating after the change is counted in the new language, and every rollup still equals its rows.
    const late = { id: randomUUID(), rating: 1, comment: 'The refunds are late', at: new Date().toISOString(), assignee: agentA };
    rows.push(late);
    await insert(ws, [late]);
    expectSame(await themes({}, 50), await expected(() => true, 'simple'));
    const check = await checkRollups(pgSession(ctx.pool), ws);
    expect(check.differences).toEqual([]);
    await ctx.app.gql(SET, { l: 'english' }, { token: admin });
    expect((await runRecount(pgSession(ctx.pool), ws)).outcome).toBe('done');
    expectSame(await themes(), await expected(() => true));
  });
});

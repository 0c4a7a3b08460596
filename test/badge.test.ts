// The public badge: thresholds, no token, and an unknown workspace indistinguishable from a private one.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BadgeCache } from '../src/badge/badge.cache.js';
import { BADGE_SQL, SATISFIED_MIN_RATING } from '../src/badge/badge.query.js';
import { useTestApp } from './helpers/test.app.js';

const BADGE = `query B($w: ID!) { csatBadge(workspaceId: $w) { average count satisfiedShare asOf } }`;

const ctx = useTestApp();

/** `ratings` ratings in a fresh workspace (cycling through the given values), with settings when given. */
async function workspace(ratings: number[], settings?: { badgePublic: boolean; badgeMinCount: number }): Promise<string> {
  const ws = randomUUID();
  await ctx.pool.query(
    `insert into csat_rating (workspace_id, ticket_id, rating, rated_by) select $1, gen_random_uuid(), r, gen_random_uuid() from unnest($2::smallint[]) r`,
    [ws, ratings],
  );
  if (settings) {
    await ctx.pool.query('insert into csat_settings (workspace_id, badge_public, badge_min_count, updated_by) values ($1, $2, $3, $1)', [ws, settings.badgePublic, settings.badgeMinCount]);
  }
  return ws;
}

const repeat = (values: number[], n: number) => Array.from({ length: n }, (_, i) => values[i % values.length]!);

describe('csatBadge', () => {
  it('a public workspace at its threshold: average to one decimal, count, satisfied share, asOf, without a token', async () => {
    // 30 ratings: 5,5,4,2,1 six times: average 3.4, satisfied 18/30.
    const ws = await workspace(repeat([5, 5, 4, 2, 1], 30), { badgePublic: true, badgeMinCount: 30 });
    const res = await ctx.app.gql(BADGE, { w: ws });
    expect(res.errors).toBeUndefined();
    expect(res.data.csatBadge).toMatchObject({ average: 3.4, count: 30, satisfiedShare: 0.6 });
    expect(Date.now() - Date.parse(res.data.csatBadge.asOf)).toBeLessThan(60_000);
  });

  it('sums the rollups to what the ratings themselves say, over several months and assignees', async () => {
    const ws = randomUUID();
    await ctx.pool.query(
      `insert into csat_rating (workspace_id, ticket_id, rating, rated_by, assignee_id, rated_at)
       select $1, gen_random_uuid(), 1 + (g * 7) % 5, gen_random_uuid(), case when g % 4 = 0 then null else gen_random_uuid() end, now() - (g % 3) * interval '40 days'
         from generate_series(1, 47) g`,
      [ws],
    );
    await ctx.pool.query('insert into csat_settings (workspace_id, badge_public, badge_min_count, updated_by) values ($1, true, 30, $1)', [ws]);
    const { rows } = await ctx.pool.query(
      `select count(*)::int as count, round(avg(rating), 1)::float8 as average, (count(*) filter (where rating >= 4))::float8 / count(*) as share
         from csat_rating where workspace_id = $1`,
      [ws],
    );
    const res = await ctx.app.gql(BADGE, { w: ws });
    expect(res.data.csatBadge).toMatchObject({ count: rows[0].count, average: rows[0].average });
    expect(res.data.csatBadge.satisfiedShare).toBeCloseTo(rows[0].share, 12);
  });

  it('rounds the average to one decimal', async () => {
    // 31 ratings: 30 fives and a 1: 151/31 = 4.870… -> 4.9
    const ws = await workspace([...repeat([5], 30), 1], { badgePublic: true, badgeMinCount: 31 });
    expect((await ctx.app.gql(BADGE, { w: ws })).data.csatBadge).toMatchObject({ average: 4.9, count: 31 });
  });

  it('null one rating under the threshold, and for a private workspace over it', async () => {
    const under = await workspace(repeat([5], 49), { badgePublic: true, badgeMinCount: 50 });
    const priv = await workspace(repeat([5], 200), { badgePublic: false, badgeMinCount: 30 });
    const defaults = await workspace(repeat([5], 200)); // no settings row: private by default
    for (const w of [under, priv, defaults]) {
      const res = await ctx.app.gql(BADGE, { w });
      expect(res.errors).toBeUndefined();
      expect(res.data.csatBadge).toBeNull();
    }
  });

  it('an unknown workspace looks like a private one: null, the same single statement, the same plan (no rating is read)', async () => {
    const priv = await workspace(repeat([4], 500), { badgePublic: false, badgeMinCount: 30 });
    const unknown = randomUUID();
    const answers = [];
    for (const w of [priv, unknown]) {
      const before = ctx.app.sqlCount();
      answers.push(await ctx.app.gql(BADGE, { w }));
      expect(ctx.app.sqlCount() - before).toBe(1);
    }
    expect(answers[0]!.data).toEqual(answers[1]!.data);
    expect(answers[0]!.data.csatBadge).toBeNull();
    // Equal timing classes: in both cases PostgreSQL never touches a rating row.
    for (const w of [priv, unknown]) {
      const { rows } = await ctx.pool.query(`explain (analyze, format json) ${BADGE_SQL}`, [w, SATISFIED_MIN_RATING]);
      const plan = JSON.stringify(rows[0]['QUERY PLAN']);
      expect(plan).toContain('"Relation Name":"csat_rating_monthly"');
      expect(plan).not.toMatch(/"Relation Name":"csat_rating_monthly"[^}]*"Actual Rows":[1-9]/);
    }
  });

  it('a malformed id is null too, with no SQL', async () => {
    const before = ctx.app.sqlCount();
    const res = await ctx.app.gql(BADGE, { w: 'not-a-workspace' });
    expect(ctx.app.sqlCount() - before).toBe(0);
    expect(res.data.csatBadge).toBeNull();
  });

  it('is served from the cache for up to 60 s: a second ask sends no SQL and shows the same figures', async () => {
    const ws = await workspace(repeat([5], 30), { badgePublic: true, badgeMinCount: 30 });
    const first = await ctx.app.gql(BADGE, { w: ws });
    await ctx.pool.query(`insert into csat_rating (workspace_id, ticket_id, rating, rated_by) values ($1, gen_random_uuid(), 1, gen_random_uuid())`, [ws]);
    const before = ctx.app.sqlCount();
    const second = await ctx.app.gql(BADGE, { w: ws.toUpperCase() });
    expect(ctx.app.sqlCount() - before).toBe(0);
    expect(second.data).toEqual(first.data);
  });
});

describe('BadgeCache', () => {
  it('expires entries after the TTL, keeps at most maxEntries, and shares one load per miss', async () => {
    // lru-cache reads a clock at 0 as "no time": this one starts later.
    let now = 1_000;
    const cache = new BadgeCache<number>(60_000, 2, () => now);
    let loads = 0;
    const load = () => Promise.resolve(++loads);
    expect(await Promise.all([cache.get('a', load), cache.get('a', load)])).toEqual([1, 1]);
    now = 60_999;
    expect(await cache.get('a', load)).toBe(1);
    now = 61_000;
    expect(await cache.get('a', load)).toBe(2);
    await cache.get('b', load);
    await cache.get('c', load);
    expect(cache.size).toBe(2);
    // A failed load is not kept: the next caller loads again.
    await expect(cache.get('d', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('d', load)).toBe(5);
  });
});

// A commentLanguage change recounts the comment themes in the background (docs/insights.md, Comment themes): the
// change answers at once for a workspace whose recount takes far longer than DB_STATEMENT_TIMEOUT_MS (300 ms here), the job
// worker recounts it in steps, and afterwards the themes equal ts_stat's in the new language. While it runs (the
// runner paused by its lock, steps run here one by one) the themes answer in the old language, never a mix;
// ratings arriving meanwhile, also while the change itself is in flight, are counted once in each; a step killed
// mid-way changes nothing and the job resumes; a change back, or to a third language, ends in the last one asked
// for, without rows of the abandoned one.
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../dev/throwaway.database.js';
import { pino } from 'pino';
import { checkRollups } from '../src/insights/rollup.check.js';
import { rebuildWorkspace } from '../src/insights/rollup.rebuild.js';
import { pgSession } from '../src/insights/rollup.session.js';
import { recountStep, runRecount } from '../src/insights/term-recount.js';
import { RUNNER_LOCK_KEY } from '../src/insights/term-recount.sql.js';
import { migrate, openDatabase } from '../src/schema.database.js';
import { commentRows, expectedThemes, expectThemes, insertRatings } from './helpers/themes.expect.js';
import { startTestApp, tokenFor, viewer, type TestApp } from './helpers/test.app.js';

// A database of its own: its job worker is the only one that runs these recounts, and its jobs come and go in no
// other test's queue. A request's statements may take 300 ms at most: far less than recounting the big workspace
// below in one go.
let database: ThrowawayDatabase;
const ctx = {} as { app: TestApp; pool: pg.Pool };
beforeAll(async () => {
  database = await createThrowawayDatabase(`csat_test_recount_${process.pid}`, { serverUrl: inject('databaseUrl') });
  ctx.app = await startTestApp({ DATABASE_URL: database.url, DB_STATEMENT_TIMEOUT_MS: '300', DB_LOCK_TIMEOUT_MS: '300', CSAT_WORKER: 'on', LOG_LEVEL: 'warn' });
  ctx.pool = new pg.Pool({ connectionString: database.url, max: 6 });
  ctx.pool.on('error', () => {}); // the connections a test kills
}, 120_000);
afterAll(async () => {
  await ctx.app?.stop();
  await ctx.pool?.end();
  await database?.drop();
});
const DAY = 86_400_000;
const THEMES = `{ csatCommentThemes(first: 50) { term zScore logOddsRatio unhappyCount happyCount unhappyComments happyComments } }`;
const STATUS = `{ csatSettings { commentLanguage commentLanguageStatus { requested effective recounting progress } } }`;
const SET = `mutation($l: String!) { updateCsatSettings(input: { commentLanguage: $l }) { commentLanguage commentLanguageStatus { requested effective recounting progress } } }`;

/** A workspace with its tokens. */
async function workspace() {
  const ws = randomUUID();
  return { ws, agent: await tokenFor(viewer('agent', ws)), admin: await tokenFor(viewer('admin', ws)) };
}
type Workspace = Awaited<ReturnType<typeof workspace>>;

async function gql(query: string, token: string, variables: Record<string, unknown> = {}) {
  const res = await ctx.app.gql(query, variables, { token });
  expect(res.errors).toBeUndefined();
  return res.data;
}
const themes = async (w: Workspace) => (await gql(THEMES, w.agent)).csatCommentThemes;
const status = async (w: Workspace) => (await gql(STATUS, w.agent)).csatSettings.commentLanguageStatus;
const languagesStored = async (ws: string) =>
  (await ctx.pool.query<{ language: string }>(`select distinct language from csat_term_daily where workspace_id = $1 union select distinct language from csat_term_monthly where workspace_id = $1 order by 1`, [ws])).rows.map((r) => r.language);
const state = async (ws: string) => (await ctx.pool.query(`select *, to_char(recount_month, 'YYYY-MM-DD') as month from csat_term_language where workspace_id = $1`, [ws])).rows[0];
/** Occurrences counted in `language` in the month starting `month`, in the rollup and in the comments themselves. */
const monthOccurrences = async (ws: string, language: string, month: string) =>
  (await ctx.pool.query(
    `select (select coalesce(sum(occurrences), 0)::int from csat_term_monthly where workspace_id = $1 and language = $2 and day = $3::date) as rollup,
            (select coalesce(sum(cardinality(t.positions)), 0)::int from csat_rating r cross join lateral unnest(to_tsvector($2::regconfig, r.comment)) t
              where r.workspace_id = $1 and r.rating <> 3 and r.comment is not null and date_trunc('month', r.rated_at at time zone 'UTC')::date = $3::date) as rows`,
    [ws, language, month],
  )).rows[0];
const rollupsEqualRows = async (ws: string) => expect((await checkRollups(pgSession(ctx.pool), ws)).differences).toEqual([]);

/**
 * The workspace's recount runner paused: its lock held by a session of its own, on which this test runs the steps
 * itself (a session holding a lock takes it again at once), one by one. The job worker finds it busy meanwhile.
 */
async function pause(ws: string) {
  const session = new pg.Pool({ connectionString: database.url, max: 1 });
  // A test kills this session, in use or idle.
  session.on('error', () => {});
  session.on('connect', (client) => client.on('error', () => {}));
  await session.query(`select pg_advisory_lock(${RUNNER_LOCK_KEY})`, [ws]);
  const db = pgSession(session);
  return {
    step: (batch: number) => recountStep(db, ws, batch),
    pid: async () => (await session.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid,
    resume: () => session.end(),
  };
}

describe('a commentLanguage change on a workspace too large to recount within a request', () => {
  let w: Workspace;
  beforeAll(async () => {
    w = await workspace();
    // ~12,000 comments over eight months: two passes over them (what a change did in its own transaction) take
    // seconds here, the statement timeout is 300 ms.
    await insertRatings(ctx.pool, w.ws, commentRows(15_000, 22, Date.now() - 3 * DAY, 240));
    // Statistics, as autovacuum gathers them after a load (without them the examples statement plans a scan that
    // tokenises every unhappy comment: over the timeout here).
    await ctx.pool.query('analyze csat_rating');
  }, 120_000);

  it('answers at once (three statements), the job recounts in the background, then the themes equal ts_stat in the new language', async () => {
    const before = ctx.app.sqlCount();
    const changed = await gql(SET, w.admin, { l: 'simple' });
    expect(ctx.app.sqlCount() - before).toBe(3); // the name asked of pg_ts_config, the upsert, the status
    expect(changed.updateCsatSettings.commentLanguage).toBe('simple');
    expect(changed.updateCsatSettings.commentLanguageStatus).toMatchObject({ requested: 'simple', effective: 'english', recounting: true });

    await expect.poll(async () => (await status(w)).recounting, { timeout: 120_000, interval: 500 }).toBe(false);
    expect(await status(w)).toEqual({ requested: 'simple', effective: 'simple', recounting: false, progress: 1 });
    expectThemes(await themes(w), await expectedThemes(ctx.pool, w.ws, 'simple'));
    expect((await themes(w)).map((t: any) => t.term)).toEqual(expect.arrayContaining(['refunds', 'refunded'])); // one stem in english, two terms in simple
    // The english rows go after the switch, a batch at a time.
    await expect.poll(() => languagesStored(w.ws), { timeout: 60_000, interval: 500 }).toEqual(['simple']);
    await rollupsEqualRows(w.ws);
  }, 180_000);
});

describe('while a recount runs', () => {
  let w: Workspace;
  const END = Date.now() - 20 * DAY;
  beforeAll(async () => {
    w = await workspace();
    // ~1,200 comments over five months: batches of 100 make some fifteen steps.
    await insertRatings(ctx.pool, w.ws, commentRows(1_500, 7, END, 150));
    await ctx.pool.query('analyze csat_rating');
  });

  /** A rating of `w` at `at` with a comment, stored as rateTicket's statement stores one (the triggers count it). */
  const rate = (at: Date, rating: number, comment: string) => insertRatings(ctx.pool, w.ws, [{ id: randomUUID(), rating, comment, at }]);

  it('the themes answer in the old language, never a mix; ratings arriving meanwhile are counted once in each; rollups:check and rollups:rebuild hold; the switch is one step', async () => {
    const runner = await pause(w.ws);
    try {
      const english = await expectedThemes(ctx.pool, w.ws, 'english');
      expectThemes(await themes(w), english);
      const changed = (await gql(SET, w.admin, { l: 'simple' })).updateCsatSettings.commentLanguageStatus;
      expect(changed).toEqual({ requested: 'simple', effective: 'english', recounting: true, progress: 0 });
      const { rows: months } = await ctx.pool.query(`select count(distinct date_trunc('month', rated_at at time zone 'UTC'))::int as n from csat_rating where workspace_id = $1 and comment is not null and rating <> 3`, [w.ws]);
      expect((await state(w.ws)).recount_months).toBe(months[0].n);

      let progress = 0;
      let arrived = 0;
      for (let i = 0; ; i++) {
        const step = await runner.step(100);
        if (step === 'switched') break;
        expect(step).toBe('counted');
        expect(i).toBeLessThan(100);
        // Ratings keep coming, at every kind of place in the recount: a month it finished, the month it works
        // through before and after its cursor, a month it has not reached, and months nobody rated in (the far past,
        // today), one statement each, as rateTicket's.
        const s = await state(w.ws);
        if (i % 3 === 1 && s.recount_month) {
          const cursor: Date = s.recount_after_at ?? new Date(`${s.month}T00:00:00Z`);
          await rate(new Date(cursor.getTime() - 60_000), 1, 'the refunds were late again, nobody answered');
          await rate(new Date(cursor.getTime() + 60_000), 5, 'quick and friendly, thanks');
          await rate(new Date(END - 140 * DAY), 2, 'charged twice and waiting');
          await rate(new Date(END - 10 * DAY), 4, 'resolved quickly, great');
          arrived += 4;
        }
        if (i === 4) {
          await rate(new Date('2019-03-15T12:00:00Z'), 1, 'ignored for weeks, the refund never came');
          await rate(new Date(), 5, 'perfect answer today');
          arrived += 2;
          // An operator's rebuild in the middle changes nothing either.
          await rebuildWorkspace(pgSession(ctx.pool), w.ws);
        }
        // The old language's complete counts, every rating so far in them; no lexeme of the new one.
        expectThemes(await themes(w), await expectedThemes(ctx.pool, w.ws, 'english'));
        const now = await status(w);
        expect(now).toMatchObject({ requested: 'simple', effective: 'english', recounting: true });
        expect(now.progress).toBeGreaterThanOrEqual(progress);
        progress = now.progress;
        if (i % 4 === 0) await rollupsEqualRows(w.ws);
      }
      expect(arrived).toBeGreaterThanOrEqual(6);
      // Switched: every rating, those that arrived included, counted once in the new language.
      expect(await status(w)).toEqual({ requested: 'simple', effective: 'simple', recounting: false, progress: 1 });
      expectThemes(await themes(w), await expectedThemes(ctx.pool, w.ws, 'simple'));
      expect(await monthOccurrences(w.ws, 'simple', '2019-03-01')).toEqual({ rollup: 7, rows: 7 });
      await rollupsEqualRows(w.ws);
      // Then the english rows go; a rating now counts in simple only.
      expect(await languagesStored(w.ws)).toEqual(['english', 'simple']);
      while ((await runner.step(1000)) === 'cleaned');
      expect(await runner.step(1000)).toBe('idle');
      expect(await languagesStored(w.ws)).toEqual(['simple']);
      await rate(new Date(END - 30 * DAY), 1, 'the refund never came');
      expect(await languagesStored(w.ws)).toEqual(['simple']);
      expectThemes(await themes(w), await expectedThemes(ctx.pool, w.ws, 'simple'));
      await rollupsEqualRows(w.ws);
    } finally {
      await runner.resume();
    }
  }, 120_000);

  it('a rating in flight while the language changes is counted in the new language: the change waits for it', async () => {
    const runner = await pause(w.ws);
    const rating = await ctx.pool.connect();
    const change = await ctx.pool.connect();
    try {
      // The rating's transaction is open (its comment counted in simple so far), in a month with no other rating.
      await rating.query('begin');
      await insertRatings(rating, w.ws, [{ id: randomUUID(), rating: 1, comment: 'refund refund refund, nobody answered', at: new Date('2018-06-01T08:00:00Z') }]);
      // An operator's change, without a timeout: it waits for the rating (the language lock), or, without that
      // lock, commits at once, and the recount runs while the rating is still open.
      const changed = change.query(`update csat_settings set comment_language = 'english', updated_at = now() where workspace_id = $1`, [w.ws]);
      let done = false;
      void changed.then(() => (done = true));
      await expect
        .poll(async () => done || (await ctx.pool.query(`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted and pid = $1`, [(change as any).processID])).rows[0].n > 0)
        .toBe(true);
      if (done) while ((await runner.step(1000)) !== 'idle');
      await rating.query('commit');
      await changed;
      while ((await runner.step(1000)) !== 'idle');
      expect(await status(w)).toMatchObject({ effective: 'english', recounting: false });
      expect(await monthOccurrences(w.ws, 'english', '2018-06-01')).toEqual({ rollup: 5, rows: 5 });
      expectThemes(await themes(w), await expectedThemes(ctx.pool, w.ws, 'english'));
      await rollupsEqualRows(w.ws);
    } finally {
      rating.release();
      change.release();
      await runner.resume();
    }
  }, 60_000);

  it('a step killed mid-way changes nothing; the job resumes, also after its own connection was killed', async () => {
    const runner = await pause(w.ws);
    const blocker = await ctx.pool.connect();
    try {
      await gql(SET, w.admin, { l: 'simple' });
      // A few steps, ending inside a month (the one-rating months of the far past are done in one step each).
      for (let i = 0; i < 3 || (await state(w.ws)).month === null; i++) {
        expect(await runner.step(100)).toBe('counted');
        expect(i).toBeLessThan(30);
      }
      const before = await state(w.ws);
      expect(before.recount_after_at).not.toBeNull();
      // The month the recount works through, locked by someone else: the next step waits inside its transaction.
      await blocker.query('begin');
      await blocker.query(`select pg_advisory_xact_lock(csat_rollup_lock($1, $2::date))`, [w.ws, before.month]);
      const pid = await runner.pid();
      const killed = runner.step(100);
      await expect.poll(async () => (await ctx.pool.query(`select wait_event_type from pg_stat_activity where pid = $1`, [pid])).rows[0]?.wait_event_type).toBe('Lock');
      await ctx.pool.query(`select pg_terminate_backend($1)`, [pid]);
      await expect(killed).rejects.toThrow();
      // Nothing of that step: the state (and so the rows it describes) as before. The runner's lock went with its
      // session: the job worker takes over and waits at the same month lock.
      expect(await state(w.ws)).toEqual(before);
      const waiting = async () =>
        (
          await ctx.pool.query<{ pid: number }>(
            `select l.pid from pg_locks l, (select csat_rollup_lock($1, $2::date) as k) x
              where l.locktype = 'advisory' and not l.granted and l.objsubid = 1 and l.classid = ((x.k >> 32) & 4294967295)::oid and l.objid = (x.k & 4294967295)::oid`,
            [w.ws, before.month],
          )
        ).rows;
      await expect.poll(async () => (await waiting()).length, { timeout: 20_000 }).toBe(1);
      const [worker] = await waiting();
      // The worker's connection killed too (a crash): its job fails, and graphile-worker runs it again later.
      await ctx.pool.query(`select pg_terminate_backend($1)`, [worker!.pid]);
      expect(await state(w.ws)).toEqual(before);
      await blocker.query('commit');
      await expect.poll(async () => (await status(w)).recounting, { timeout: 60_000, interval: 500 }).toBe(false);
      expect((await status(w)).effective).toBe('simple');
      expectThemes(await themes(w), await expectedThemes(ctx.pool, w.ws, 'simple'));
      await expect.poll(() => languagesStored(w.ws), { timeout: 30_000, interval: 500 }).toEqual(['simple']);
      await rollupsEqualRows(w.ws);
    } finally {
      await blocker.query('rollback').catch(() => {});
      blocker.release();
      await runner.resume().catch(() => {});
    }
  }, 120_000);

  it('a change back mid-recount ends in the old language at once; a change to a third one ends in that one; no rows of an abandoned one stay', async () => {
    const runner = await pause(w.ws);
    try {
      const simple = await expectedThemes(ctx.pool, w.ws, 'simple');
      await gql(SET, w.admin, { l: 'english' });
      for (let i = 0; i < 3; i++) expect(await runner.step(100)).toBe('counted');
      expect(await languagesStored(w.ws)).toEqual(['english', 'simple']);
      // Back: nothing to recount, the themes never left simple.
      const back = (await gql(SET, w.admin, { l: 'simple' })).updateCsatSettings.commentLanguageStatus;
      expect(back).toEqual({ requested: 'simple', effective: 'simple', recounting: false, progress: 1 });
      expectThemes(await themes(w), simple);
      expect(await runner.step(100)).toBe('cleaned');
      while ((await runner.step(100)) === 'cleaned');
      expect(await languagesStored(w.ws)).toEqual(['simple']);

      // simple → english → german, the second change mid-recount: german it is.
      await gql(SET, w.admin, { l: 'english' });
      for (let i = 0; i < 4; i++) expect(await runner.step(100)).toBe('counted');
      await gql(SET, w.admin, { l: 'german' });
      expect(await status(w)).toMatchObject({ requested: 'german', effective: 'simple', recounting: true, progress: 0 });
      let steps = 0;
      for (let step = await runner.step(100); step !== 'idle'; step = await runner.step(100)) {
        steps++;
        if (step === 'counted') expectThemes(await themes(w), simple);
      }
      expect(steps).toBeGreaterThan(5);
      expect(await status(w)).toEqual({ requested: 'german', effective: 'german', recounting: false, progress: 1 });
      expectThemes(await themes(w), await expectedThemes(ctx.pool, w.ws, 'german'));
      expect(await languagesStored(w.ws)).toEqual(['german']);
      await rollupsEqualRows(w.ws);
    } finally {
      await runner.resume();
    }
  }, 120_000);

  it('a recount whose job was lost is queued again at the next start', async () => {
    const runner = await pause(w.ws);
    try {
      await gql(SET, w.admin, { l: 'english' });
      const jobs = async () => (await ctx.pool.query(`select count(*)::int as n from graphile_worker.jobs where key = 'csat_term_recount:' || $1`, [w.ws])).rows[0].n;
      // The job lost (while paused, a worker that found the workspace busy may queue it again: removed until gone).
      for (let i = 0; i < 50 && (await jobs()) > 0; i++) {
        await ctx.pool.query(`select graphile_worker.remove_job('csat_term_recount:' || $1)`, [w.ws]);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await jobs()).toBe(0);
      // A start (another replica, a restart): migrate() queues it again.
      const db = await openDatabase(database.url, pino({ level: 'silent' }));
      try {
        await migrate(db.orm);
      } finally {
        await db.close();
      }
      expect(await jobs()).toBe(1);
    } finally {
      await runner.resume();
    }
    // and a worker finishes it.
    await expect.poll(async () => (await status(w)).recounting, { timeout: 60_000, interval: 500 }).toBe(false);
    expectThemes(await themes(w), await expectedThemes(ctx.pool, w.ws, 'english'));
    await expect.poll(() => languagesStored(w.ws), { timeout: 30_000, interval: 500 }).toEqual(['english']);
    expect((await runRecount(pgSession(ctx.pool), w.ws)).outcome).toBe('done');
  }, 120_000);
});

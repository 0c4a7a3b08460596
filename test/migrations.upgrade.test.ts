// Upgrading a running deployment keeps its history in the insights (docs/insights.md, Rollups): from a database
// left at each earlier migration with the rows that version would have written, the latest migration's backfill
// gives summaries, rankings, the badge and the list that equal what the rows say, and rollups:check agrees.
// Then the set-based triggers under a bulk insert, rollups:check on a corrupted row, and rollups:rebuild while
// ratings keep coming.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyTicketSchema, prng } from '../dev/demo.seed.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../dev/throwaway.database.js';
import { migrations } from '../migrations/index.js';
import { migrate, openDatabase, type Database } from '../src/schema.database.js';
import { ormConfig } from '../src/db/orm.config.js';
import { SCHEMA } from '../src/schema.entities.js';
import { checkRollups } from '../src/insights/rollup.check.js';
import { rebuildWorkspace } from '../src/insights/rollup.rebuild.js';
import { pgSession } from '../src/insights/rollup.session.js';
import { ROLLUP_TABLE_NAMES } from '../src/insights/rollup.sql.js';
import { ratingStatistics, responseStatistics, type Distribution } from '../src/insights/statistics.js';
import { installQueueSchema } from '../src/webhooks/queue.schema.js';
import { startTestApp, tokenFor, viewer, type TestApp } from './helpers/test.app.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIRST = migrations[0]!.name;
/** Every migration a deployment may have stopped at before the latest (the set-based rollups, the trend grains). */
const EARLIER = migrations.slice(0, -1).map((m) => m.name);
const has = (to: string, name: string) => migrations.findIndex((m) => m.name === to) >= migrations.findIndex((m) => m.name.startsWith(name));

/** `node dist/scripts/<name>.js` (the build the global setup made), as a production install runs it. */
function runScript(name: string, databaseUrl: string, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/scripts', `${name}.js`), ...args], { env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Rating {
  ws: string;
  ticket: string;
  rating: number;
  comment: string | null;
  at: number;
  assignee: string | null;
}
interface Offer {
  ws: string;
  ticket: string;
  at: number;
  assignee: string | null;
}

const DAY = 86_400_000;
const START = Date.parse('2026-07-20T00:00:00Z');

/** A deployment's data, as the version at hand writes it, remembered for the expectations. */
class History {
  readonly ratings: Rating[] = [];
  /** Offers recorded by pages (a prompt seen), before any rating of their ticket. */
  readonly offers: Offer[] = [];
  readonly workspaces: string[] = [randomUUID(), randomUUID(), randomUUID()];
  readonly assignees = new Map<string, (string | null)[]>(this.workspaces.map((ws) => [ws, [randomUUID(), randomUUID(), randomUUID(), randomUUID(), null]]));
  private readonly rand: () => number;

  constructor(seed: number) {
    this.rand = prng(seed);
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)]!;
  }

  /** An instant in [from, from + days), at any second of a day: partial days and month ends get rows. */
  private instant(from: number, days: number): number {
    return from + Math.floor(this.rand() * days * DAY / 1000) * 1000;
  }

  private async tickets(pool: pg.Pool, rows: { ws: string; ticket: string; assignee: string | null }[]) {
    await pool.query(
      `insert into ticket (id, workspace_id, ref, subject, status, requester_id, assignee_id)
       select id, ws, 'U-' || left(id::text, 8), 'upgrade', 'closed', gen_random_uuid(), a from unnest($1::uuid[], $2::uuid[], $3::uuid[]) as x(id, ws, a)`,
      [rows.map((r) => r.ticket), rows.map((r) => r.ws), rows.map((r) => r.assignee)],
    );
  }

  /** `n` ratings per workspace in one statement each, as rateTicket (or an import) of that version stores them. */
  async rate(pool: pg.Pool, rows: Rating[]) {
    const missing = rows.filter((r) => !this.offers.some((o) => o.ticket === r.ticket));
    await this.tickets(pool, missing);
    await pool.query(
      `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_at, rated_by, assignee_id)
       select ws, id, rating, comment, at, gen_random_uuid(), a from unnest($1::uuid[], $2::uuid[], $3::smallint[], $4::text[], $5::timestamptz[], $6::uuid[]) as x(ws, id, rating, comment, at, a)`,
      [rows.map((r) => r.ws), rows.map((r) => r.ticket), rows.map((r) => r.rating), rows.map((r) => r.comment), rows.map((r) => new Date(r.at).toISOString()), rows.map((r) => r.assignee)],
    );
    this.ratings.push(...rows);
  }

  newRatings(perWorkspace: number, from: number, days: number): Rating[] {
    return this.workspaces.flatMap((ws) =>
      Array.from({ length: perWorkspace }, () => ({
        ws,
        ticket: randomUUID(),
        rating: 1 + Math.floor(this.rand() * 5),
        comment: this.rand() < 0.4 ? `comment ${Math.floor(this.rand() * 1000)}` : null,
        at: this.instant(from, days),
        assignee: this.pick(this.assignees.get(ws)!),
      })),
    );
  }

  /** Prompts shown by customers' pages (csat_ticket_batch_offer), one statement. */
  async offer(pool: pg.Pool, perWorkspace: number, from: number, days: number): Promise<Offer[]> {
    const rows = this.workspaces.flatMap((ws) => Array.from({ length: perWorkspace }, () => ({ ws, ticket: randomUUID(), at: this.instant(from, days), assignee: this.pick(this.assignees.get(ws)!) })));
    await this.tickets(pool, rows);
    await pool.query(
      `insert into csat_offer (workspace_id, ticket_id, offered_at, assignee_id) select ws, id, at, a from unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::uuid[]) as x(ws, id, at, a)`,
      [rows.map((r) => r.ws), rows.map((r) => r.ticket), rows.map((r) => new Date(r.at).toISOString()), rows.map((r) => r.assignee)],
    );
    this.offers.push(...rows);
    return rows;
  }

  /** Ratings of offered tickets, later, some by another assignee than the one offered to (the ticket changed hands). */
  ratingsOf(offers: Offer[]): Rating[] {
    return offers.map((o) => ({
      ws: o.ws,
      ticket: o.ticket,
      rating: 1 + Math.floor(this.rand() * 5),
      comment: this.rand() < 0.5 ? 'later' : null,
      at: o.at + Math.floor(this.rand() * 40 * DAY),
      assignee: this.rand() < 0.3 ? this.pick(this.assignees.get(o.ws)!) : o.assignee,
    }));
  }

  /** Every offer there should be after the upgrade: the pages' own, and one per rating without (offered when rated). */
  expectedOffers(ws: string): (Offer & { rated: boolean })[] {
    const rated = new Set(this.ratings.map((r) => r.ticket));
    const offered = new Set(this.offers.map((o) => o.ticket));
    return [
      ...this.offers.filter((o) => o.ws === ws).map((o) => ({ ...o, rated: rated.has(o.ticket) })),
      ...this.ratings.filter((r) => r.ws === ws && !offered.has(r.ticket)).map((r) => ({ ws, ticket: r.ticket, at: r.at, assignee: r.assignee, rated: true })),
    ];
  }

  /** A summary's counts computed here from the rows, then the (separately tested) statistics. */
  expectedSummary(ws: string, f: { from?: number; to?: number; assignee?: string | null } = {}) {
    const inPeriod = (at: number) => (f.from === undefined || at >= f.from) && (f.to === undefined || at < f.to);
    const byAssignee = (a: string | null) => f.assignee === undefined || a === f.assignee;
    const matching = this.ratings.filter((r) => r.ws === ws && inPeriod(r.at) && byAssignee(r.assignee));
    const distribution = [1, 2, 3, 4, 5].map((s) => matching.filter((r) => r.rating === s).length) as unknown as Distribution;
    const offers = this.expectedOffers(ws).filter((o) => inPeriod(o.at) && byAssignee(o.assignee));
    return {
      ...ratingStatistics(distribution, matching.filter((r) => r.comment !== null).length),
      ...responseStatistics(offers.length, offers.filter((o) => o.rated).length),
    };
  }
}

const INTERVAL = 'low high';
const SUMMARY_FIELDS = `count average averageInterval { ${INTERVAL} } distribution { rating count share } satisfiedShare satisfiedInterval { ${INTERVAL} } commentShare offered responseRate responseInterval { ${INTERVAL} }`;
const SUMMARY = `query($filter: CsatRatingFilter) { csatSummary(filter: $filter) { ${SUMMARY_FIELDS} } }`;
const AGENTS = `{ csatAgentSummaries(first: 10) { totalCount edges { node { assigneeId ${SUMMARY_FIELDS} } } } }`;
const RATINGS = `query($after: String) { csatRatings(first: 100, after: $after) { totalCount edges { node { ticket { id } rating comment ratedAt assigneeId } } pageInfo { hasNextPage endCursor } } }`;
const BADGE = `query($w: ID!) { csatBadge(workspaceId: $w) { average count satisfiedShare } }`;
const TREND = `query($filter: CsatRatingFilter, $interval: CsatInterval!, $timeZone: String) {
  csatTrend(filter: $filter, interval: $interval, timeZone: $timeZone) { start end count average averageInterval { ${INTERVAL} } satisfiedShare satisfiedInterval { ${INTERVAL} } offered responseRate responseInterval { ${INTERVAL} } }
}`;

const round = (x: unknown) => JSON.parse(JSON.stringify(x), (_k, v) => (typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : v));

/** What a deployment of `to` holds, then the upgrade, then every insights answer against the rows. */
async function upgradeFrom(to: string, index: number) {
  let database: ThrowawayDatabase | undefined;
  let db: Database | undefined;
  let legacy: MikroORM | undefined;
  let app: TestApp | undefined;
  const pool = { current: undefined as pg.Pool | undefined };
  try {
    database = await createThrowawayDatabase(`csat_test_upgrade_${index}_${process.pid}`, { serverUrl: inject('databaseUrl'), prepare: false });
    pool.current = new pg.Pool({ connectionString: database.url, max: 4 });
    pool.current.on('error', () => {}); // dropping the database at the end ends its idle connections
    const p = pool.current;
    // The earlier releases' migrations, without the snapshot (MikroORM would write theirs into the checkout's).
    const config = ormConfig({ databaseUrl: database.url, schema: SCHEMA });
    legacy = await MikroORM.init({ ...config, migrations: { ...config.migrations, snapshot: false } });
    await applyTicketSchema(legacy);
    const history = new History(100 + index);

    // The first release: ratings only (no offers, no rollups), over three months.
    await legacy.migrator.up({ to: FIRST });
    await history.rate(p, history.newRatings(40, START, 75));

    if (to !== FIRST) {
      await legacy.migrator.up({ to });
      // Insights live: pages record offers, some rated later (the per-row triggers mark and count them), and
      // rateTicket without a prompt seen; the rollups count only what happened since.
      const offers = await history.offer(p, 20, START + 60 * DAY, 40);
      await history.rate(p, history.ratingsOf(offers.filter((_o, i) => i % 3 !== 0)));
      await history.rate(p, history.newRatings(15, START + 70 * DAY, 45));
    }
    const [published, hidden] = history.workspaces as [string, string];
    if (has(to, 'Migration20261202100000')) {
      await p.query(`insert into csat_settings (workspace_id, badge_public, badge_min_count, updated_by) values ($1, true, 30, $1), ($2, false, 30, $2)`, [published, hidden]);
    }
    // That release's migrate() installed the job queue (graphile_worker) too; from Migration20261207060000 on, a
    // commentLanguage change queues its recount in it.
    if (has(to, 'Migration20261202100100')) await installQueueSchema(database.url);
    // Comment themes in another language (Migration20261207040000 recounted them in the change): their rows keep it.
    if (has(to, 'Migration20261207040000')) await p.query(`update csat_settings set comment_language = 'simple' where workspace_id = $1`, [hidden]);
    /** Each workspace's endpoint, with its deliveries and their attempts as that version stored them. */
    const webhooks = new Map<string, { id: string; deliveries: Map<string, { eventId: string; status: string; attempts: { statusCode: number | null; durationMs: number; error: string | null }[] }> }>();
    /** An event delivered to `ws`'s endpoint, with its attempts, as csat_rate and the worker of that version wrote them (the worker is off in the test app). */
    const deliver = async (client: pg.Pool | pg.PoolClient, ws: string, status: string, attempts: { statusCode: number | null; durationMs: number; error: string | null }[]) => {
      const [e] = (await client.query(`insert into csat_event (workspace_id, type, payload) values ($1, 'csat.rating.created', '{}') returning id`, [ws])).rows;
      const [d] = (await client.query(`insert into csat_delivery (workspace_id, event_id, webhook_id, status, next_attempt_at) values ($1, $2, $3, $4, null) returning id`, [ws, e.id, webhooks.get(ws)!.id, status])).rows;
      for (const [i, a] of attempts.entries())
        // From Migration20261207050000 on, an attempt carries its workspace.
        if (has(to, 'Migration20261207050000'))
          await client.query(`insert into csat_delivery_attempt (workspace_id, delivery_id, attempt, status_code, duration_ms, error) values ($6, $1, $2, $3, $4, $5)`, [d.id, i + 1, a.statusCode, a.durationMs, a.error, ws]);
        else await client.query(`insert into csat_delivery_attempt (delivery_id, attempt, status_code, duration_ms, error) values ($1, $2, $3, $4, $5)`, [d.id, i + 1, a.statusCode, a.durationMs, a.error]);
      webhooks.get(ws)!.deliveries.set(d.id, { eventId: e.id, status, attempts });
    };
    if (has(to, 'Migration20261202100100')) {
      // An endpoint in two workspaces: one delivered at the second attempt, one given up after one (the attempts
      // gain their delivery's workspace at Migration20261207050000).
      for (const ws of [published, hidden]) {
        const [w] = (await p.query(`insert into csat_webhook (workspace_id, url, events, secret) values ($1, 'https://hooks.example.com/csat', array['csat.rating.created'], 'whsec_dGVzdA==') returning id`, [ws])).rows;
        webhooks.set(ws, { id: w.id, deliveries: new Map() });
      }
      await deliver(p, published, 'SUCCEEDED', [{ statusCode: 503, durationMs: 41, error: 'HTTP 503' }, { statusCode: 200, durationMs: 12, error: null }]);
      await deliver(p, hidden, 'FAILED', [{ statusCode: null, durationMs: 10_000, error: 'timeout' }]);
    }

    // Statistics taken before the upgrade, with workspace_id's among them (Migration20261207070000 drops those).
    const webhookStatistics = async () =>
      (await p.query(`select distinct tablename from pg_stats where attname = 'workspace_id' and tablename = any($1) order by 1`, [['csat_webhook', 'csat_event', 'csat_delivery', 'csat_delivery_attempt']])).rows.map((r) => r.tablename);
    if (webhooks.size) {
      await p.query('analyze csat_webhook, csat_event, csat_delivery, csat_delivery_attempt');
      // csat_delivery_attempt has a workspace_id from Migration20261207050000 on; from Migration20261207070000 on, none has them.
      const before = ['csat_delivery', ...(has(to, 'Migration20261207050000') ? ['csat_delivery_attempt'] : []), 'csat_event', 'csat_webhook'];
      expect(await webhookStatistics()).toEqual(has(to, 'Migration20261207070000') ? [] : before);
    }

    // Statistics on csat_rating from before: every workspace among the most common (Migration20261207080000 keeps one at most).
    const commonWorkspaces = async () =>
      (await p.query(`select coalesce(array_length(most_common_freqs, 1), 0) as n from pg_stats where tablename = 'csat_rating' and attname = 'workspace_id'`)).rows[0]?.n;
    await p.query('analyze csat_rating');
    const workspacesRated = (await p.query('select count(distinct workspace_id)::int as n from csat_rating')).rows[0].n;
    expect(workspacesRated).toBeGreaterThanOrEqual(2);
    expect(await commonWorkspaces()).toBe(workspacesRated);

    // An older replica's rating (and with webhooks, its event, delivery and first attempt), committed while the
    // upgrade waits for a lock it holds (csat_rating's, or from Migration20261206200000 on, its rollup rows' table,
    // or from Migration20261207050000 on, the webhook tables').
    const replica = await p.connect();
    const late = history.newRatings(1, START + 90 * DAY, 1)[0]!;
    await replica.query('begin');
    await p.query(`insert into ticket (id, workspace_id, ref, status, requester_id, assignee_id) values ($1, $2, 'L', 'closed', gen_random_uuid(), $3)`, [late.ticket, late.ws, late.assignee]);
    await replica.query(`insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_at, rated_by, assignee_id) values ($1, $2, $3, $4, $5, gen_random_uuid(), $6)`, [
      late.ws,
      late.ticket,
      late.rating,
      late.comment,
      new Date(late.at).toISOString(),
      late.assignee,
    ]);
    if (webhooks.size) await deliver(replica, published, 'PENDING', [{ statusCode: 500, durationMs: 7, error: 'HTTP 500' }]);
    await legacy.close();
    legacy = undefined;
    // The upgrade as a start runs it.
    db = await openDatabase(database.url, pino({ level: 'silent' }));
    const upgraded = migrate(db.orm);
    // From Migration20261207070000 on, no migration left locks a table the replica holds (statistics take share
    // update exclusive locks); the start's rollup step still waits for the rating's month (an advisory lock).
    await expect
      .poll(async () => (await p.query(`select count(*)::int as n from pg_locks where not granted and (locktype = 'advisory' or relation in ('csat_rating'::regclass, to_regclass('csat_rating_daily'), to_regclass('csat_webhook'), to_regclass('csat_event'), to_regclass('csat_delivery')))`)).rows[0].n)
      .toBeGreaterThan(0);
    await replica.query('commit');
    replica.release();
    history.ratings.push(late);
    const applied = await upgraded;
    expect(applied.at(-1)).toBe(migrations.at(-1)!.name);
    // No snapshot: the schema diff is against the database itself (src/db/orm.config.ts), and migrating writes none into the checkout.
    expect(existsSync(path.join(ROOT, 'migrations/.snapshot-csat.json'))).toBe(false);
    expect((await p.query('select count(*)::int as n from csat_rollup_rebuild')).rows[0].n).toBe(0);
    await db.close();
    db = undefined;
    // Migration20261207080000 took csat_rating's statistics again itself: one most common workspace at most.
    expect(await commonWorkspaces()).toBeLessThanOrEqual(1);
    // Migration20261207070000: the webhook tables' workspace_id has no statistics, neither those from before nor after an ANALYZE.
    await p.query('analyze csat_webhook, csat_event, csat_delivery, csat_delivery_attempt');
    expect(await webhookStatistics()).toEqual([]);
    // Migration20261207060000: the term rows carry their language, the workspace's counted language is it.
    const languages = async (ws: string) => (await p.query(`select distinct language from csat_term_daily where workspace_id = $1 union select distinct language from csat_term_monthly where workspace_id = $1`, [ws])).rows.map((r) => r.language);
    expect(await languages(published)).toEqual(['english']);
    // From Migration20261207060000 on, the change only queued its recount (no worker here): it is still to do.
    const recountQueued = has(to, 'Migration20261207060000');
    const recounted = has(to, 'Migration20261207040000') && !recountQueued;
    expect(await languages(hidden)).toEqual([recounted ? 'simple' : 'english']);
    expect((await p.query(`select workspace_id, language, recount_language from csat_term_language`)).rows).toEqual(
      recounted ? [{ workspace_id: hidden, language: 'simple', recount_language: null }] : recountQueued ? [{ workspace_id: hidden, language: 'english', recount_language: 'simple' }] : [],
    );
    if (!has(to, 'Migration20261202100000')) {
      await p.query(`insert into csat_settings (workspace_id, badge_public, badge_min_count, updated_by) values ($1, true, 30, $1), ($2, false, 30, $2)`, [published, hidden]);
    }

    // The offers the backfill recorded, exactly.
    for (const ws of history.workspaces) {
      const { rows } = await p.query(`select ticket_id, offered_at, assignee_id, rated from csat_offer where workspace_id = $1 order by ticket_id`, [ws]);
      const want = history.expectedOffers(ws).sort((a, b) => (a.ticket < b.ticket ? -1 : 1));
      expect(rows.map((r) => [r.ticket_id, r.offered_at.getTime(), r.assignee_id, r.rated])).toEqual(want.map((o) => [o.ticket, o.at, o.assignee, o.rated]));
    }

    // Issue 20 (Migration20261207020000): everything from before the email links came through the portal.
    for (const table of ['csat_rating', 'csat_offer', 'csat_rating_daily', 'csat_rating_monthly', 'csat_offer_daily', 'csat_offer_monthly']) {
      expect((await p.query(`select channel, count(*)::int > 0 as some from ${table} group by channel`)).rows, table).toEqual([{ channel: 'PORTAL', some: true }]);
    }

    app = await startTestApp({ DATABASE_URL: database.url, LOG_LEVEL: 'warn' });
    for (const ws of history.workspaces) {
      const token = await tokenFor(viewer('agent', ws));
      const [someone] = history.assignees.get(ws)!;
      const filters = [
        {},
        // Whole months, whole days and partial days at both ends.
        { ratedFrom: new Date(START + 40 * DAY + 13 * 3_600_000).toISOString(), ratedTo: new Date(START + 105 * DAY + 8.5 * 3_600_000).toISOString() },
        { assigneeIds: [someone] },
      ];
      for (const filter of filters) {
        const res = await app.gql(SUMMARY, { filter }, { token });
        expect(res.errors).toBeUndefined();
        const f = { from: filter.ratedFrom ? Date.parse(filter.ratedFrom) : undefined, to: filter.ratedTo ? Date.parse(filter.ratedTo) : undefined, assignee: filter.assigneeIds?.[0] };
        expect(round(res.data.csatSummary)).toEqual(round(history.expectedSummary(ws, f)));
      }

      // Trends: each point equals the summary of the rows in [start, end): whole workspace (the per-workspace
      // days and hours the backfill wrote) in a whole-hour zone with DST and in a half-hour one, and one agent.
      for (const [interval, timeZone, assignee] of [['WEEK', 'Europe/Berlin', undefined], ['DAY', 'Asia/Kolkata', undefined], ['WEEK', 'UTC', someone]] as const) {
        const filter = { ratedFrom: new Date(START - 3 * DAY + 5 * 3_600_000).toISOString(), ratedTo: new Date(START + 112 * DAY).toISOString(), ...(assignee ? { assigneeIds: [assignee] } : {}) };
        const res = await app.gql(TREND, { filter, interval, timeZone }, { token });
        expect(res.errors).toBeUndefined();
        const pick = ({ count, average, averageInterval, satisfiedShare, satisfiedInterval, offered, responseRate, responseInterval }: any) =>
          round({ count, average, averageInterval, satisfiedShare, satisfiedInterval, offered, responseRate, responseInterval });
        expect(res.data.csatTrend.map(pick)).toEqual(res.data.csatTrend.map((p: any) => pick(history.expectedSummary(ws, { from: Date.parse(p.start), to: Date.parse(p.end), assignee }))));
        expect(res.data.csatTrend.reduce((s: number, p: any) => s + p.count, 0)).toBeGreaterThan(0);
      }

      const agents = await app.gql(AGENTS, {}, { token });
      expect(agents.errors).toBeUndefined();
      const rated = [...new Set(history.ratings.filter((r) => r.ws === ws).map((r) => r.assignee))];
      expect(agents.data.csatAgentSummaries.totalCount).toBe(rated.length);
      for (const { node } of agents.data.csatAgentSummaries.edges) {
        const { assigneeId, ...summary } = node;
        expect(round(summary)).toEqual(round(history.expectedSummary(ws, { assignee: assigneeId })));
      }

      const listed: any[] = [];
      let after: string | null = null;
      for (;;) {
        const page: any = await app.gql(RATINGS, { after }, { token });
        expect(page.errors).toBeUndefined();
        expect(page.data.csatRatings.totalCount).toBe(history.ratings.filter((r) => r.ws === ws).length);
        listed.push(...page.data.csatRatings.edges.map((e: any) => e.node));
        if (!page.data.csatRatings.pageInfo.hasNextPage) break;
        after = page.data.csatRatings.pageInfo.endCursor;
      }
      const key = (x: { ticket: string; rating: number; comment: string | null; at: number; assignee: string | null }) => JSON.stringify([x.ticket, x.rating, x.comment, x.at, x.assignee]);
      expect(listed.map((n) => key({ ticket: n.ticket.id, rating: n.rating, comment: n.comment, at: Date.parse(n.ratedAt), assignee: n.assigneeId })).sort()).toEqual(
        history.ratings.filter((r) => r.ws === ws).map((r) => key({ ...r })).sort(),
      );
    }

    const mine = history.ratings.filter((r) => r.ws === published);
    const badge = await app.gql(BADGE, { w: published });
    expect(badge.errors).toBeUndefined();
    expect(badge.data.csatBadge.count).toBe(mine.length);
    expect(badge.data.csatBadge.average).toBe(Math.round((mine.reduce((s, r) => s + r.rating, 0) * 10) / mine.length) / 10);
    expect(badge.data.csatBadge.satisfiedShare).toBeCloseTo(mine.filter((r) => r.rating >= 4).length / mine.length, 12);
    expect((await app.gql(BADGE, { w: hidden })).data.csatBadge).toBeNull();
    // The endpoints, their deliveries and every attempt survive, each attempt now of its delivery's workspace.
    for (const [ws, hook] of webhooks) {
      const admin = await tokenFor(viewer('admin', ws));
      const hooks = await app.gql(`{ csatWebhooks { id url } }`, {}, { token: admin });
      expect(hooks.data.csatWebhooks).toEqual([{ id: hook.id, url: 'https://hooks.example.com/csat' }]);
      const listed = await app.gql(`query($id: ID!) { csatWebhookDeliveries(webhookId: $id, first: 10) { edges { node { id eventId status attempts { statusCode durationMs error } } } } }`, { id: hook.id }, { token: admin });
      expect(listed.errors).toBeUndefined();
      const byId = (xs: { id: string }[]) => [...xs].sort((a, b) => a.id.localeCompare(b.id));
      expect(byId(listed.data.csatWebhookDeliveries.edges.map((e: any) => e.node))).toEqual(byId([...hook.deliveries].map(([id, d]) => ({ id, ...d }))));
    }
    if (webhooks.size) {
      const { rows } = await p.query(
        `select a.workspace_id, count(*)::int as n from csat_delivery_attempt a join csat_delivery d on d.workspace_id = a.workspace_id and d.id = a.delivery_id group by 1`,
      );
      expect(Object.fromEntries(rows.map((r) => [r.workspace_id, r.n]))).toEqual({ [published]: 3, [hidden]: 1 });
      expect((await p.query('select count(*)::int as n from csat_delivery_attempt')).rows[0].n).toBe(4);
    }

    const check = await runScript('rollups-check', database.url);
    expect(check.stderr).toBe('');
    expect(check.stdout).toMatch(/^rollups:check: every rollup row equals the rows it sums \(\d+ rollup rows, \d+ ratings, \d+ offers, 3 workspace\(s\); \d+ ms\)\n$/);
    expect(check.code).toBe(0);
  } finally {
    await app?.stop();
    await legacy?.close();
    await db?.close();
    await pool.current?.end();
    await database?.drop();
  }
}

describe('upgrading a deployment with history', () => {
  it.each(EARLIER.map((name, i) => [name, i] as const))('from %s: summaries, rankings, badge, list and trends equal the rows; rollups:check exits 0', async (to, i) => {
    await upgradeFrom(to, i);
  });
});

describe('rollups on the latest migration', () => {
  let pool: pg.Pool;
  beforeAll(() => {
    pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 6 });
    pool.on('error', () => {}); // other files' tests end connections of the shared database
  });
  afterAll(() => pool.end());
  const db = () => pgSession(pool);

  const ROLLUPS = ROLLUP_TABLE_NAMES;

  /**
   * `n` ratings in `ws` over `months` months before 2026-11-15, with their tickets, in one statement each; its
   * time, and how many rollup rows its transaction wrote (inserted or updated: PostgreSQL's own per-transaction count).
   */
  async function bulk(ws: string, n: number, months: number, assignees = 7): Promise<{ ms: number; writes: number }> {
    await pool.query(
      `insert into ticket (workspace_id, ref, subject, status, requester_id, assignee_id)
       select $1, 'K-' || g, 'bulk', 'closed', gen_random_uuid(), case when g % 11 = 0 then null else ('00000000-0000-4000-8c00-' || lpad(to_hex(g % $3), 12, '0'))::uuid end
         from generate_series(1, $2::int) g`,
      [ws, n, assignees],
    );
    const client = await pool.connect();
    try {
      await client.query('begin');
      const started = performance.now();
      await client.query(
        `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_at, rated_by, assignee_id)
         select workspace_id, id, 1 + (hashtext(id::text) & 3) + (hashtext(ref) & 1), case when hashtext(ref) % 3 = 0 then 'bulk ' || ref end,
                '2026-11-15T00:00:00Z'::timestamptz - (hashtext(id::text || 'at') & 2147483647) % ($2::int * 30 * 86400) * interval '1 second', requester_id, assignee_id
           from ticket where workspace_id = $1`,
        [ws, months],
      );
      const ms = performance.now() - started;
      const { rows } = await client.query(
        `select sum(pg_stat_get_xact_tuples_inserted(t::regclass) + pg_stat_get_xact_tuples_updated(t::regclass))::int as writes from unnest($1::text[]) t`,
        [ROLLUPS],
      );
      await client.query('commit');
      return { ms, writes: rows[0].writes };
    } catch (err) {
      await client.query('rollback');
      throw err;
    } finally {
      client.release();
    }
  }

  it('a bulk insert … select of 50,000 ratings writes each rollup row once, and every rollup equals the rows', async () => {
    const ws = randomUUID();
    const { ms, writes } = await bulk(ws, 50_000, 3);
    console.log(`bulk insert of 50,000 ratings (3 months, 7 assignees and none): ${Math.round(ms)} ms, ${writes} rollup row writes`);
    const { differences, offerGaps, totals } = await checkRollups(db(), ws);
    expect(differences).toEqual([]);
    expect(offerGaps).toEqual([]);
    expect(totals).toMatchObject({ ratings: 50_000, offers: 50_000 });
    // A new workspace: each bucket inserted once by the statement, never updated (per-row triggers: about 200,000).
    expect(writes).toBe(totals.rollupRows);
  }, 120_000);

  it('rollups:check names the workspace and day of a corrupted row (exit 1); rollups:rebuild repairs it while ratings keep coming', async () => {
    const ws = randomUUID();
    await bulk(ws, 3000, 14);
    // Hand edits, as after an import gone wrong: one day's count of a star, one month's rated above offered.
    const [daily] = (
      await pool.query(
        `update csat_rating_daily d set ratings = ratings + 2 from (select day, assignee_id, rating from csat_rating_daily where workspace_id = $1 order by day desc, rating limit 1 offset 40) x
          where d.workspace_id = $1 and d.day = x.day and d.assignee_id is not distinct from x.assignee_id and d.rating = x.rating returning to_char(d.day, 'YYYY-MM-DD') as day, d.rating`,
        [ws],
      )
    ).rows;
    const [monthly] = (
      await pool.query(
        `update csat_offer_monthly d set rated = offered + 1 from (select day, assignee_id from csat_offer_monthly where workspace_id = $1 order by day limit 1 offset 3) x
          where d.workspace_id = $1 and d.day = x.day and d.assignee_id is not distinct from x.assignee_id returning to_char(d.day, 'YYYY-MM-DD') as day`,
        [ws],
      )
    ).rows;
    const [hourly] = (
      await pool.query(
        `update csat_rating_hourly_ws d set commented = commented + 1 from (select hour, rating from csat_rating_hourly_ws where workspace_id = $1 order by hour, rating limit 1 offset 100) x
          where d.workspace_id = $1 and d.hour = x.hour and d.rating = x.rating returning to_char(d.hour at time zone 'UTC', 'YYYY-MM-DD"T"HH24":00Z"') as hour, d.rating`,
        [ws],
      )
    ).rows;
    const broken = await runScript('rollups-check', inject('databaseUrl'), ['--workspace', ws]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(new RegExp(`^workspace ${ws} day ${daily.day}: csat_rating_daily \\(assignee (?:[0-9a-f-]+|none), PORTAL, rating ${daily.rating}\\) has ratings \\d+, commented \\d+; the rows sum to ratings \\d+`, 'm'));
    expect(broken.stdout).toMatch(new RegExp(`^workspace ${ws} day ${monthly.day}: csat_offer_monthly `, 'm'));
    expect(broken.stdout).toMatch(new RegExp(`^workspace ${ws} day ${hourly.hour}: csat_rating_hourly_ws \\(workspace, rating ${hourly.rating}\\) has ratings \\d+, commented \\d+; the rows sum to`, 'm'));
    expect(broken.stdout).toMatch(/^rollups:check: \d+ rollup row\(s\) differ from the rows, 0 offer gap\(s\)/m);

    // Ratings (and the offers they record) into the months being rebuilt, one statement at a time, until it is done.
    let inserting = true;
    let inserted = 0;
    const writers = Array.from({ length: 3 }, async (_x, w) => {
      while (inserting) {
        await pool.query(
          `with t as (insert into ticket (workspace_id, ref, status, requester_id, assignee_id) values ($1, 'C', 'closed', gen_random_uuid(), '00000000-0000-4000-8c00-000000000001') returning *)
           insert into csat_rating (workspace_id, ticket_id, rating, rated_at, rated_by, assignee_id)
           select workspace_id, id, 1 + $2::int % 5, '2026-11-15T00:00:00Z'::timestamptz - ($2::int % 400) * interval '1 day' - interval '3 hours', requester_id, assignee_id from t`,
          [ws, inserted * 3 + w],
        );
        inserted++;
      }
    });
    const rebuilt = await runScript('rollups-rebuild', inject('databaseUrl'), ['--workspace', ws]);
    inserting = false;
    await Promise.all(writers);
    expect(rebuilt.stderr).toBe('');
    expect(rebuilt.stdout).toMatch(new RegExp(`^workspace ${ws}: \\d+ month\\(s\\) rebuilt in \\d+ ms\\n`, 'm'));
    expect(rebuilt.code).toBe(0);
    expect(inserted).toBeGreaterThan(0);
    const again = await runScript('rollups-check', inject('databaseUrl'), ['--workspace', ws]);
    expect(again.stdout).toMatch(new RegExp(`^rollups:check: every rollup row equals the rows it sums \\(\\d+ rollup rows, ${3000 + inserted} ratings, ${3000 + inserted} offers, 1 workspace\\(s\\)`));
    expect(again.code).toBe(0);
  }, 120_000);

  it('a rating committed while its month is rebuilt is counted once, whichever commits first', async () => {
    const ws = randomUUID();
    const assignee = randomUUID();
    await bulk(ws, 200, 2);
    const rate = async (client: pg.Pool | pg.PoolClient, at: string) => {
      const id = randomUUID();
      await pool.query(`insert into ticket (id, workspace_id, ref, status, requester_id, assignee_id) values ($1, $2, 'R', 'closed', gen_random_uuid(), $3)`, [id, ws, assignee]);
      await client.query(`insert into csat_rating (workspace_id, ticket_id, rating, rated_at, rated_by, assignee_id) values ($1, $2, 5, $3, gen_random_uuid(), $4)`, [ws, id, at, assignee]);
    };
    // Waiting for October's lock of this workspace (a bigint key shows as classid, objid).
    const waiting = async () =>
      (
        await pool.query(
          `select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted and ((classid::bigint << 32) | objid::bigint) = csat_rollup_lock($1, '2026-10-01')`,
          [ws],
        )
      ).rows[0].n;
    // First: a rating's transaction holds its month (shared) when the rebuild asks for it (exclusive)...
    const first = await pool.connect();
    await first.query('begin');
    await rate(first, '2026-10-20T10:00:00Z');
    const rebuild = rebuildWorkspace(db(), ws);
    await expect.poll(waiting).toBeGreaterThan(0);
    // ...then a second rating of the same month arrives, and queues behind the rebuild: it counts after it.
    const second = rate(pool, '2026-10-21T10:00:00Z');
    await expect.poll(waiting).toBeGreaterThan(1);
    await first.query('commit');
    first.release();
    await Promise.all([rebuild, second]);
    const { differences } = await checkRollups(db(), ws);
    expect(differences).toEqual([]);
    const { rows } = await pool.query(`select sum(ratings)::int as n from csat_rating_monthly where workspace_id = $1 and assignee_id = $2`, [ws, assignee]);
    expect(rows[0].n).toBe(2);
  });
});

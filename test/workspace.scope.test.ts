// Ready for a distributed PostgreSQL (docs/scale.md): every statement the service sends on its tables touches
// one workspace. A private PostgreSQL logs every statement (log_statement=all, csvlog), the service drives every
// operation it has (ratings, pages, insights with the comment themes, settings, badge, webhooks admin and delivery) for two workspaces,
// and each logged statement of the service's connections (by application_name) that names one of our tables must
// filter by workspace_id, and carry at most one of the workspaces' ids, or be a listed, documented exception.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../dev/embedded.postgres.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../dev/throwaway.database.js';
import { createTicket } from './helpers/fixtures.js';
import { startTestApp, tokenFor, viewer, type TestApp } from './helpers/test.app.js';
import { startReceiver, type Receiver } from './helpers/webhook.receiver.js';

/**
 * Statements on our tables that do not name one workspace, each with why (docs/scale.md, Statements). Matched
 * against the statement's text. Migrations and the rollup rebuild run on their own connection (csat_migrate) and
 * are not checked: they are per-table DDL and per-workspace batches run by a job, not by a request.
 */
export const EXCEPTIONS: { pattern: RegExp; why: string }[] = [];

let embedded: EmbeddedPostgres;
let db: ThrowawayDatabase;
let t: TestApp;
let receiver: Receiver;
let pool: pg.Pool;
let dataDir: string;

interface Logged { app: string; message: string; detail: string }

/** csvlog rows (RFC 4180: quoted fields, doubled quotes, newlines inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else field += c;
  }
  return rows;
}

function statements(): Logged[] {
  const dir = path.join(embedded.dataDir, 'log');
  const out: Logged[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.csv'))) {
    // log_time, user, database, pid, from, session, line, tag, start, vxid, xid, severity, state, message, detail, ..., application_name (22)
    for (const r of parseCsv(readFileSync(path.join(dir, file), 'utf8'))) if (r[2] === new URL(db.url).pathname.slice(1)) out.push({ app: r[22] ?? '', message: r[13] ?? '', detail: r[14] ?? '' });
  }
  return out;
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'csat-scope-pg-'));
  embedded = await startEmbeddedPostgres({
    dataDir: path.join(dataDir, 'data'),
    database: 'postgres',
    persistent: false,
    settings: ['log_statement=all', 'logging_collector=on', 'log_destination=csvlog', 'log_filename=statements.log', 'log_rotation_size=0'],
  });
  // Its log goes to the collector's files, so the start did not wait for "ready to accept connections".
  for (let connected = false; !connected; ) {
    const c = new pg.Client({ connectionString: embedded.adminUrl });
    connected = await c.connect().then(() => true, () => false);
    await c.end().catch(() => {});
    if (!connected) await new Promise((r) => setTimeout(r, 100));
  }
  db = await createThrowawayDatabase('csat_scope', { serverUrl: embedded.adminUrl });
  const named = (app: string) => `${db.url}${db.url.includes('?') ? '&' : '?'}application_name=${app}`;
  receiver = await startReceiver();
  t = await startTestApp({
    DATABASE_URL: named('csat_service'),
    MIGRATION_DATABASE_URL: named('csat_migrate'),
    WORKER_DATABASE_URL: named('csat_worker'),
    CSAT_WORKER: 'on',
    WEBHOOKS_ALLOW_LOOPBACK: 'true',
    WEBHOOK_RETRY_BASE_MS: '50',
    LOG_LEVEL: 'warn',
  });
  pool = new pg.Pool({ connectionString: named('fixtures'), max: 2 });
}, 180_000);

afterAll(async () => {
  await t?.stop();
  await receiver?.close();
  await pool?.end();
  await db?.drop();
  await embedded?.stop();
  if (dataDir && existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
});

const q = {
  settings: `mutation S($input: CsatSettingsInput!) { updateCsatSettings(input: $input) { enabled badgePublic } }`,
  readSettings: `{ csatSettings { enabled badgeMinCount } }`,
  create: `mutation C($input: CreateCsatWebhookInput!) { createCsatWebhook(input: $input) { secret webhook { id } } }`,
  update: `mutation U($input: UpdateCsatWebhookInput!) { updateCsatWebhook(input: $input) { id } }`,
  rotate: `mutation R($id: ID!) { rotateCsatWebhookSecret(id: $id) { secret } }`,
  list: `{ csatWebhooks { id lastDeliveryStatus } }`,
  deliveries: `query L($id: ID!) { csatWebhookDeliveries(webhookId: $id, first: 20) { edges { node { id status attempts { statusCode } } } } }`,
  redeliver: `mutation X($id: ID!) { redeliverCsatEvent(deliveryId: $id) { id status } }`,
  remove: `mutation D($id: ID!) { deleteCsatWebhook(id: $id) }`,
  rate: `mutation Rate($ticketId: ID!, $rating: Int!, $comment: String) { rateTicket(ticketId: $ticketId, rating: $rating, comment: $comment) { id csatRating } }`,
  ticket: `query($id: ID!) { csatTicket(id: $id) { id csatRating csatCanRate } }`,
  page: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id csatRating csatComment csatRatedAt csatCanRate } } }`,
  ratings: `query($after: String) { csatRatings(first: 2, after: $after) { edges { node { rating } } pageInfo { endCursor } } }`,
  unhappy: `{ csatRatings(filter: { ratings: [1, 2] }, orderBy: UNHAPPY_FIRST, first: 5) { edges { node { rating } } } }`,
  summary: `{ csatSummary { count average responseRate } }`,
  agents: `{ csatAgentSummaries { totalCount edges { node { assigneeId count } } } }`,
  trend: `query($i: CsatInterval!, $z: String, $from: DateTime!) { csatTrend(filter: { ratedFrom: $from }, interval: $i, timeZone: $z) { count } }`,
  badge: `query B($w: ID!) { csatBadge(workspaceId: $w) { count average } }`,
  // Issue 20: the rating links (the `service` role), and the per-channel figures.
  links: `query L($id: ID!) { csatRatingLinks(ticketId: $id) { url ratingUrls } }`,
  byChannel: `{ csatSummary(channels: [EMAIL]) { count responseRate } csatRatings(first: 5, channels: [EMAIL, PORTAL]) { edges { node { rating channel } } } }`,
  themes: `query($from: DateTime!, $a: [ID!]) { csatCommentThemes(filter: { ratedFrom: $from, assigneeIds: $a }) { term exampleTicketIds } }`,
  language: `mutation L($l: String!) { updateCsatSettings(input: { commentLanguage: $l }) { commentLanguage commentLanguageStatus { recounting } } }`,
  languageStatus: `{ csatSettings { commentLanguageStatus { effective recounting } } }`,
};

/** Everything one workspace does, through the service; returns its id. */
async function driveWorkspace(): Promise<string> {
  const ws = randomUUID();
  const admin = await tokenFor(viewer('admin', ws));
  const agent = await tokenFor(viewer('agent', ws));
  const ok = async (query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const res = await t.gql(query, variables, { token });
    expect(res.errors).toBeUndefined();
    return res.data;
  };
  await ok(q.settings, { input: { badgePublic: true, badgeMinCount: 30 } }, admin);
  await ok(q.readSettings, {}, admin);
  const created = await ok(q.create, { input: { url: receiver.url, events: ['CSAT_RATING_CREATED'] } }, admin);
  receiver.secrets.push(created.createCsatWebhook.secret);
  const hook = created.createCsatWebhook.webhook.id;
  await ok(q.update, { input: { id: hook, description: 'scope' } }, admin);
  receiver.secrets.push((await ok(q.rotate, { id: hook }, admin)).rotateCsatWebhookSecret.secret);
  const tickets = [];
  for (let i = 0; i < 4; i++) {
    const me = viewer('customer', ws);
    const token = await tokenFor(me);
    const ticket = await createTicket(pool, { workspace: ws, requester: me.sub });
    await ok(q.ticket, { id: ticket.id }, token);
    await ok(q.rate, { ticketId: ticket.id, rating: 1 + i, comment: i % 2 ? 'a comment' : null }, token);
    await ok(q.rate, { ticketId: ticket.id, rating: 5 }, token); // the no-op
    await ok(q.page, { r: [{ __typename: 'Ticket', id: ticket.id }] }, token);
    tickets.push(ticket);
  }
  // Issue 20: a resolution email's links (its offer), the /rate page read, then a rating posted through it.
  const service = await tokenFor(viewer('service', ws));
  const emailed = await createTicket(pool, { workspace: ws, requester: randomUUID() });
  const links = (await ok(q.links, { id: emailed.id }, service)).csatRatingLinks;
  expect((await fetch(links.ratingUrls[2], { redirect: 'manual' })).status).toBe(200);
  const posted = await fetch(links.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'rating=3', redirect: 'manual' });
  expect(posted.status).toBe(200);
  await ok(q.byChannel, {}, agent);
  await ok(q.page, { r: tickets.map((k) => ({ __typename: 'Ticket', id: k.id })) }, agent);
  const first = await ok(q.ratings, {}, agent);
  await ok(q.ratings, { after: first.csatRatings.pageInfo.endCursor }, agent);
  await ok(q.unhappy, {}, agent);
  await ok(q.summary, {}, agent);
  await ok(q.agents, {}, agent);
  const from = new Date(Date.now() - 40 * 86_400_000).toISOString();
  await ok(q.trend, { i: 'DAY', z: 'Europe/Paris', from }, agent);
  await ok(q.trend, { i: 'MONTH', z: 'UTC', from }, agent);
  // The comment themes: the term rollups (whole months and days) with the rows at the period's ends, then the rows
  // only (an agent); a commentLanguage change is recounted by the worker's job (its steps, the switch, the old rows
  // removed), the themes read meanwhile and after.
  await ok(q.themes, { from }, agent);
  await ok(q.themes, { from, a: [randomUUID()] }, agent);
  await ok(q.language, { l: 'simple' }, admin);
  await ok(q.themes, { from }, agent);
  await expect.poll(async () => (await ok(q.languageStatus, {}, agent)).csatSettings.commentLanguageStatus, { timeout: 30_000 }).toEqual({ effective: 'simple', recounting: false });
  await expect.poll(async () => (await pool.query(`select count(*)::int as n from csat_term_daily where workspace_id = $1 and language <> 'simple'`, [ws])).rows[0].n, { timeout: 30_000 }).toBe(0);
  await ok(q.themes, { from }, agent);
  await ok(q.badge, { w: ws });
  await ok(q.list, {}, admin);
  // Each rating delivered; one delivery sent again; then the endpoint deleted.
  await receiver.waitFor((r) => r.filter((x) => x.json.data?.workspaceId === ws).length >= 5, 30_000);
  await expect.poll(async () => (await ok(q.deliveries, { id: hook }, admin)).csatWebhookDeliveries.edges.filter((e: any) => e.node.status === 'SUCCEEDED').length).toBe(5);
  const one = (await ok(q.deliveries, { id: hook }, admin)).csatWebhookDeliveries.edges[0].node.id;
  await ok(q.redeliver, { id: one }, admin);
  await receiver.waitFor((r) => r.filter((x) => x.json.data?.workspaceId === ws).length >= 6, 30_000);
  await expect.poll(async () => (await ok(q.deliveries, { id: hook }, admin)).csatWebhookDeliveries.edges.filter((e: any) => e.node.status === 'SUCCEEDED').length).toBe(5);
  await ok(q.remove, { id: hook }, admin);
  return ws;
}

describe('every table is keyed by workspace_id first', () => {
  it('each of our tables has a primary key led by workspace_id, and every foreign key between them includes it', async () => {
    // Since Migration20261207050000 the webhook tables too (they were keyed by id, the attempts by their delivery).
    const { rows } = await pool.query<{ table: string; first: string | null }>(
      `select c.relname as table,
              (select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
                where i.indrelid = c.oid and (i.indisprimary or i.indisunique) order by i.indisprimary desc, a.attname = 'workspace_id' desc limit 1) as first
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r' and c.relname like 'csat\\_%' and c.relname <> 'csat_migrations'`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(16);
    expect(rows.filter((r) => r.first !== 'workspace_id').map((r) => `${r.table}: led by ${r.first}`)).toEqual([]);
    // Citus needs the distribution column in every unique key (so in every primary key, not only the first) and in
    // every foreign key between distributed tables, on both sides.
    const uniques = await pool.query<{ name: string }>(
      `select i.indexrelid::regclass::text as name from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relname like 'csat\\_%' and c.relname <> 'csat_migrations' and (i.indisprimary or i.indisunique)
          and not exists (select 1 from pg_attribute a where a.attrelid = i.indrelid and a.attnum = any(i.indkey) and a.attname = 'workspace_id')`,
    );
    expect(uniques.rows.map((r) => r.name)).toEqual([]);
    const fks = await pool.query<{ name: string; ok: boolean }>(
      `select k.conname as name,
              exists (select 1 from unnest(k.conkey, k.confkey) as x(l, r)
                        join pg_attribute la on la.attrelid = k.conrelid and la.attnum = x.l
                        join pg_attribute ra on ra.attrelid = k.confrelid and ra.attnum = x.r
                       where la.attname = 'workspace_id' and ra.attname = 'workspace_id') as ok
         from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
        where k.contype = 'f' and n.nspname = 'public' and c.relname like 'csat\\_%'`,
    );
    expect(fks.rows.map((r) => r.name)).toEqual(expect.arrayContaining(['csat_delivery_event_fk', 'csat_delivery_webhook_fk', 'csat_delivery_attempt_delivery_fk']));
    expect(fks.rows.filter((r) => !r.ok).map((r) => r.name)).toEqual([]);
  });
});

describe('every statement on our tables touches one workspace', () => {
  it('holds for every operation of the service and the webhook worker (statement log of a private PostgreSQL)', async () => {
    const workspaces = await Promise.all([driveWorkspace(), driveWorkspace()]);
    // The log collector writes asynchronously: wait until the last delete is in it.
    await expect.poll(() => statements().some((s) => s.app === 'csat_service' && /delete from "?csat_webhook"?/.test(s.message))).toBe(true);
    const ours = (await pool.query<{ tablename: string }>(`select tablename from pg_tables where schemaname = 'public' and tablename <> 'csat_migrations'`)).rows.map((r) => r.tablename);
    const names = new RegExp(`\\b(${ours.join('|')})\\b`);
    const checked: string[] = [];
    const problems: string[] = [];
    const exceptionsSeen = new Set<RegExp>();
    for (const s of statements()) {
      if (s.app !== 'csat_service' && s.app !== 'csat_worker') continue;
      const m = /^(?:statement|execute [^:]+):\s*([\s\S]*)$/.exec(s.message);
      if (!m) continue;
      const text = m[1]!;
      // A name inside a string literal is data, not a table the statement touches (graphile_worker.add_job's
      // job_key 'csat_delivery:' || id: the job queue's tables, docs/scale.md, The job queue).
      if (!names.test(text.replace(/'(?:[^']|'')*'/g, "''"))) continue;
      checked.push(text);
      const exception = EXCEPTIONS.find((e) => e.pattern.test(text));
      if (exception) {
        exceptionsSeen.add(exception.pattern);
        continue;
      }
      const ids = workspaces.filter((w) => s.detail.includes(w) || text.includes(w));
      if (!/\bworkspace_id\b/.test(text)) problems.push(`${s.app}: no workspace_id: ${text.replace(/\s+/g, ' ').slice(0, 300)}`);
      else if (ids.length > 1) problems.push(`${s.app}: two workspaces in one statement: ${text.replace(/\s+/g, ' ').slice(0, 300)}`);
    }
    expect(problems).toEqual([]);
    // The driver reached every table it should (a statement log that silently stopped would pass the rest).
    for (const table of ['csat_rating', 'csat_offer', 'csat_settings', 'csat_webhook', 'csat_event', 'csat_delivery', 'csat_delivery_attempt', 'ticket', 'csat_term_daily', 'csat_term_monthly', 'csat_term_language'])
      expect(checked.some((c) => new RegExp(`\\b${table}\\b`).test(c)), table).toBe(true);
    expect(EXCEPTIONS.filter((e) => !exceptionsSeen.has(e.pattern)).map((e) => e.why)).toEqual([]);
  });
});

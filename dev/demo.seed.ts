// The one demo data set, for `npm start` with the embedded database, `npm run seed` and `npm run supergraph`:
// two workspaces, agents, customers, a few hundred tickets in every status, some rated with and without
// comments, some prompts shown and not answered (insights). Deterministic, so the printed tokens and ids stay valid across runs. Never part of production.
import type { MikroORM } from '@mikro-orm/postgresql';
import { sql, type Kysely } from 'kysely';
import { readFile } from 'node:fs/promises';

const id = (prefix: string, n: number) => `00000000-0000-4000-${prefix}-${n.toString(16).padStart(12, '0')}`;

export const DEMO = {
  workspaces: [
    { id: id('8a00', 1), name: 'Acme', agents: [id('8b00', 1), id('8b00', 2)], admin: id('8b00', 3), customers: [1, 2, 3, 4, 5].map((n) => id('8c00', n)), tickets: 300 },
    { id: id('8a00', 2), name: 'Globex', agents: [id('8b00', 11)], admin: id('8b00', 13), customers: [11, 12, 13].map((n) => id('8c00', n)), tickets: 100 },
  ],
} as const;
/**
 * Acme's agents by name, for the demo "Reports" page, and how their customers rate them over the history of
 * the last 400 days (`mean` at the start and at the end of it): two clearly better than the others, one
 * improving, one clearly worse, and a new one with too few ratings to rank.
 */
export const DEMO_AGENTS = [
  { id: id('8b00', 1), name: 'Alex Morgan', mean: [4.6, 4.6], perDay: 2.2 },
  { id: id('8b00', 2), name: 'Blake Chen', mean: [3.8, 3.9], perDay: 2 },
  { id: id('8b00', 4), name: 'Casey Patel', mean: [4.4, 4.5], perDay: 1.9 },
  { id: id('8b00', 5), name: 'Drew Kim', mean: [3.0, 2.9], perDay: 1.7 },
  { id: id('8b00', 6), name: 'Emery Rossi', mean: [3.1, 4.4], perDay: 1.9 },
  { id: id('8b00', 7), name: 'Finley Okafor', mean: [4.0, 4.0], perDay: 0, few: 6 },
] as const;
const HISTORY_DAYS = 400;
const UNHAPPY = [
  'Three days without an answer, then a reply that did not read my question. I had to explain the whole problem again from the start, and the fix you sent broke the export we rely on every Monday.',
  'The ticket was closed while the problem was still there. Nobody asked whether it worked for me.',
  'I was sent the same help article twice. It does not cover our setup, which I had described in detail.',
  'Slow, and the answer contradicted what your colleague told me last week.',
  // A theme for the Reports page's "What unhappy customers keep saying" (csatCommentThemes): refunds, charged twice.
  'Still waiting for my refund after two weeks. I was charged twice and nobody explained why.',
  'Charged twice for the same month, and the refund you promised never came.',
];

/** The workspace the banners' tokens belong to, and its first customer: the one who rates in the examples. */
export const DEMO_WORKSPACE = DEMO.workspaces[0];
export const DEMO_CUSTOMER = DEMO_WORKSPACE.customers[0]!;

const STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
const PRIORITIES = ['low', 'normal', 'normal', 'high', 'urgent'] as const;
const SUBJECTS = ['Cannot log in', 'Invoice shows the wrong amount', 'Export is slow', 'Feature request: dark mode', 'Password reset email never arrives', 'App crashes on upload', 'How do I add a teammate?', 'Refund request'];
const COMMENTS = [
  'Quick and friendly, thank you!',
  'Solved, but it took three replies, and a call.',
  'The agent said "try again later" — not helpful.',
  'Great support 👍🎉',
  'Line one\nLine two, after a newline',
  '=HYPERLINK("http://example.invalid","click")',
  '+1 would recommend',
  '-- nothing else to add',
  '@support thanks',
];

/** A tiny deterministic PRNG (mulberry32): the same data set on every machine. */
export function prng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Applies the dev `ticket` relation (dev/ticket.schema.sql; idempotent). */
export async function applyTicketSchema(orm: MikroORM): Promise<void> {
  const text = await readFile(new URL('./ticket.schema.sql', import.meta.url), 'utf8');
  await sql.raw(text).execute(orm.em.getKysely());
}

function columns(rows: unknown[][], n: number): unknown[][] {
  return Array.from({ length: n }, (_, c) => rows.map((r) => r[c]));
}

export interface SeedResult {
  /** True when this call created the data set (the ticket relation was empty). */
  created: boolean;
  /** A resolved, unrated ticket of DEMO_CUSTOMER: the examples' ticket to rate. */
  rateableTicket: string;
}

/**
 * Applies the ticket relation; creates the data set when it has no tickets; and makes sure DEMO_CUSTOMER
 * has a resolved ticket left to rate, so the banner's example works on every start, however often it was run.
 */
export async function seedDemo(orm: MikroORM): Promise<SeedResult> {
  await applyTicketSchema(orm);
  const db = orm.em.getKysely();
  const { rows: count } = await sql<{ n: number }>`select count(*)::int as n from ticket`.execute(db);
  const created = count[0]!.n === 0;
  if (created) {
    const rand = prng(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const tickets: unknown[][] = [];
    const ratings: unknown[][] = [];
    let ref = 1000;
    const now = Date.now();
    for (const ws of DEMO.workspaces) {
      for (let i = 0; i < ws.tickets; i++) {
        const ticketId = id(ws.name === 'Acme' ? '8d00' : '8e00', i + 1);
        const status = STATUSES[i % STATUSES.length]!;
        const requester = pick(ws.customers);
        const assignee = i % 7 === 0 ? null : pick(ws.agents);
        const createdAt = new Date(now - (ws.tickets - i) * 3_600_000 * 4);
        tickets.push([ticketId, ws.id, `${ws.name.slice(0, 2).toUpperCase()}-${ref++}`, `${pick(SUBJECTS)} #${i + 1}`, status, pick(PRIORITIES), requester, assignee, createdAt, new Date(createdAt.getTime() + 3_600_000)]);
        if ((status === 'resolved' || status === 'closed') && rand() < 0.6) {
          const comment = rand() < 0.5 ? pick(COMMENTS) : null;
          // Mostly content customers (the same one draw as a uniform 1-5 would take, so the data set is otherwise unchanged).
          ratings.push([ws.id, ticketId, [1, 2, 3, 3, 4, 4, 5, 5, 5, 5][Math.floor(rand() * 10)]!, comment, requester, assignee, new Date(createdAt.getTime() + 7_200_000)]);
        }
      }
    }
    await db.transaction().execute(async (trx) => {
      const t = columns(tickets, 10);
      await sql`insert into ticket (id, workspace_id, ref, subject, status, priority, requester_id, assignee_id, created_at, updated_at)
        select * from unnest(${t[0]}::uuid[], ${t[1]}::uuid[], ${t[2]}::text[], ${t[3]}::text[], ${t[4]}::text[], ${t[5]}::text[], ${t[6]}::uuid[], ${t[7]}::uuid[], ${t[8]}::timestamptz[], ${t[9]}::timestamptz[])`.execute(trx);
      const r = columns(ratings, 7);
      await sql`insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_by, assignee_id, rated_at)
        select * from unnest(${r[0]}::uuid[], ${r[1]}::uuid[], ${r[2]}::smallint[], ${r[3]}::text[], ${r[4]}::uuid[], ${r[5]}::uuid[], ${r[6]}::timestamptz[])`.execute(trx);
      await seedHistory(trx, now);
      await seedFollowUps(trx);
      // Prompts shown and never answered, on about half of the unrated resolved tickets: the insights' response
      // rate below 100 % (each rating above recorded its own offer through the trigger).
      await sql`insert into csat_offer (workspace_id, ticket_id, offered_at, assignee_id)
        select t.workspace_id, t.id, t.updated_at, t.assignee_id from ticket t
          left join csat_rating r on r.workspace_id = t.workspace_id and r.ticket_id = t.id
         where t.status in ('resolved', 'closed') and r.ticket_id is null and get_byte(uuid_send(t.id), 15) % 2 = 0
        on conflict do nothing`.execute(trx);
    });
  }
  // Acme publishes its badge (it has thousands of ratings, above the default minimum of 100), so the demo shows
  // one; an admin's later choice (a row already there) is kept.
  await sql`insert into csat_settings (workspace_id, badge_public, updated_by) values (${DEMO_WORKSPACE.id}, true, ${DEMO_WORKSPACE.admin})
    on conflict (workspace_id) do nothing`.execute(db);
  return { created, rateableTicket: await rateableTicket(orm) };
}

/**
 * A year and more of closed, rated tickets in Acme for the "Reports" page: each agent's daily ratings around
 * their mean, a third of them with a comment (the unhappy ones with a long one), and prompts nobody answered.
 * Tickets of customers other than DEMO_CUSTOMER, so the portal's examples are unchanged. About 2,700 ratings.
 */
async function seedHistory(trx: Kysely<any>, now: number): Promise<void> {
  const rand = prng(7);
  const ws = DEMO_WORKSPACE.id;
  const customers = Array.from({ length: 12 }, (_, n) => id('8c00', 21 + n));
  const tickets: unknown[][] = [];
  const ratings: unknown[][] = [];
  const offers: unknown[][] = [];
  let n = 0;
  const star = (mean: number) => Math.min(5, Math.max(1, Math.round(mean + (rand() + rand() + rand() - 1.5) * 1.6)));
  for (const agent of DEMO_AGENTS) {
    const days = 'few' in agent ? 21 : HISTORY_DAYS;
    const count = 'few' in agent ? agent.few : Math.round(agent.perDay * HISTORY_DAYS);
    for (let i = 0; i < count; i++) {
      const age = rand() * days;
      const at = new Date(now - age * 86_400_000 - 3_600_000);
      const ticketId = id('8f00', ++n);
      tickets.push([ticketId, ws, `AC-H${10000 + n}`, `${SUBJECTS[n % SUBJECTS.length]} #H${n}`, 'closed', PRIORITIES[n % PRIORITIES.length], customers[n % customers.length], agent.id, new Date(at.getTime() - 86_400_000), at]);
      // Three in ten prompts go unanswered: the response rate.
      if (rand() < 0.3 && !('few' in agent)) {
        offers.push([ws, ticketId, at, agent.id]);
        continue;
      }
      const progress = 1 - age / HISTORY_DAYS;
      const rating = star(agent.mean[0] + (agent.mean[1] - agent.mean[0]) * progress);
      const comment = rating <= 2 ? (rand() < 0.7 ? UNHAPPY[n % UNHAPPY.length]! : null) : rand() < 0.3 ? COMMENTS[n % 5]! : null;
      ratings.push([ws, ticketId, rating, comment, customers[n % customers.length], agent.id, new Date(at.getTime() + 600_000)]);
    }
  }
  const t = columns(tickets, 10);
  await sql`insert into ticket (id, workspace_id, ref, subject, status, priority, requester_id, assignee_id, created_at, updated_at)
    select * from unnest(${t[0]}::uuid[], ${t[1]}::uuid[], ${t[2]}::text[], ${t[3]}::text[], ${t[4]}::text[], ${t[5]}::text[], ${t[6]}::uuid[], ${t[7]}::uuid[], ${t[8]}::timestamptz[], ${t[9]}::timestamptz[])`.execute(trx);
  const r = columns(ratings, 7);
  await sql`insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_by, assignee_id, rated_at)
    select * from unnest(${r[0]}::uuid[], ${r[1]}::uuid[], ${r[2]}::smallint[], ${r[3]}::text[], ${r[4]}::uuid[], ${r[5]}::uuid[], ${r[6]}::timestamptz[])`.execute(trx);
  const o = columns(offers, 4);
  await sql`insert into csat_offer (workspace_id, ticket_id, offered_at, assignee_id)
    select * from unnest(${o[0]}::uuid[], ${o[1]}::uuid[], ${o[2]}::timestamptz[], ${o[3]}::uuid[])`.execute(trx);
}

/**
 * Follow-ups (docs/insights.md): the ratings above opened one per 1-2 star rating (the trigger). The team closed
 * those older than ten days, each DONE some hours to two days after its rating by the ticket's agent, with a
 * note; of the recent ones it has contacted about a third and left the rest open, so the Reports page's queue
 * shows both. The closing is dated in the past, which the stamp trigger would not allow (it stamps the clock):
 * the seed sets the stamp's columns itself, with the trigger off for that one statement; the history trigger
 * still records each change.
 */
async function seedFollowUps(trx: Kysely<any>): Promise<void> {
  await sql`alter table csat_follow_up disable trigger csat_follow_up_stamp`.execute(trx);
  await sql`update csat_follow_up f
       set state = 'DONE', owner_id = r.assignee_id, updated_by = r.assignee_id, note = 'Called the customer; we agreed on the fix and they are happy with it.',
           version = f.version + 1, previous_state = f.state, previous_owner_id = f.owner_id,
           updated_at = r.rated_at + interval '1 hour' * (3 + get_byte(uuid_send(f.ticket_id), 15) % 45),
           done_at = r.rated_at + interval '1 hour' * (3 + get_byte(uuid_send(f.ticket_id), 15) % 45)
      from csat_rating r
     where r.workspace_id = f.workspace_id and r.ticket_id = f.ticket_id and r.rated_at < now() - interval '10 days'`.execute(trx);
  await sql`alter table csat_follow_up enable trigger csat_follow_up_stamp`.execute(trx);
  await sql`update csat_follow_up f set state = 'CONTACTED', owner_id = r.assignee_id, updated_by = r.assignee_id, note = 'Left a voicemail, will call again.'
      from csat_rating r
     where r.workspace_id = f.workspace_id and r.ticket_id = f.ticket_id and f.state = 'OPEN' and r.assignee_id is not null
       and get_byte(uuid_send(f.ticket_id), 15) % 3 = 0`.execute(trx);
}

/** DEMO_CUSTOMER's newest resolved, unrated ticket; a new one when they have rated them all. */
export async function rateableTicket(orm: MikroORM): Promise<string> {
  const db = orm.em.getKysely();
  const { rows } = await sql<{ id: string }>`
    select t.id from ticket t left join csat_rating r on r.workspace_id = t.workspace_id and r.ticket_id = t.id
     where t.workspace_id = ${DEMO_WORKSPACE.id} and t.requester_id = ${DEMO_CUSTOMER} and t.status = 'resolved' and r.ticket_id is null
     order by t.created_at desc, t.id limit 1`.execute(db);
  if (rows[0]) return rows[0].id;
  const { rows: added } = await sql<{ id: string }>`
    insert into ticket (workspace_id, ref, subject, status, priority, requester_id, assignee_id)
    select ${DEMO_WORKSPACE.id}, 'AC-' || (9000 + count(*)), 'Demo ticket to rate #' || (count(*) + 1), 'resolved', 'normal', ${DEMO_CUSTOMER}, ${DEMO_WORKSPACE.agents[0]}
      from ticket where subject like 'Demo ticket to rate #%'
    returning id`.execute(db);
  return added[0]!.id;
}

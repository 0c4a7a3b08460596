// Demo data for `npm run supergraph`: two workspaces, agents, customers, a few hundred tickets in every
// status, some rated with and without comments. Deterministic, so the printed tokens stay valid across runs.
import type pg from 'pg';

const id = (prefix: string, n: number) => `00000000-0000-4000-${prefix}-${n.toString(16).padStart(12, '0')}`;

export const SUPERGRAPH_DEMO = {
  workspaces: [
    { id: id('8a00', 1), name: 'Acme', agents: [id('8b00', 1), id('8b00', 2)], admin: id('8b00', 3), customers: [1, 2, 3, 4, 5].map((n) => id('8c00', n)), tickets: 300 },
    { id: id('8a00', 2), name: 'Globex', agents: [id('8b00', 11)], admin: id('8b00', 13), customers: [11, 12, 13].map((n) => id('8c00', n)), tickets: 100 },
  ],
} as const;

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
function prng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeds when the ticket table is empty; returns whether it did. */
export async function seedSupergraphDemo(pool: pg.Pool): Promise<boolean> {
  const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from ticket');
  if (rows[0]!.n > 0) return false;
  const rand = prng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const tickets: unknown[][] = [];
  const ratings: unknown[][] = [];
  let ref = 1000;
  const now = Date.now();
  for (const ws of SUPERGRAPH_DEMO.workspaces) {
    for (let i = 0; i < ws.tickets; i++) {
      const ticketId = id(ws.name === 'Acme' ? '8d00' : '8e00', i + 1);
      const status = STATUSES[i % STATUSES.length]!;
      const requester = pick(ws.customers);
      const assignee = i % 7 === 0 ? null : pick(ws.agents);
      const created = new Date(now - (ws.tickets - i) * 3_600_000 * 4);
      tickets.push([ticketId, ws.id, `${ws.name.slice(0, 2).toUpperCase()}-${ref++}`, `${pick(SUBJECTS)} #${i + 1}`, status, pick(PRIORITIES), requester, assignee, created, new Date(created.getTime() + 3_600_000)]);
      if ((status === 'resolved' || status === 'closed') && rand() < 0.6) {
        const comment = rand() < 0.5 ? pick(COMMENTS) : null;
        ratings.push([ws.id, ticketId, 1 + Math.floor(rand() * 5), comment, requester, assignee, new Date(created.getTime() + 7_200_000)]);
      }
    }
  }
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(
      `insert into ticket (id, workspace_id, ref, subject, status, priority, requester_id, assignee_id, created_at, updated_at)
       select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::uuid[], $8::uuid[], $9::timestamptz[], $10::timestamptz[])`,
      columns(tickets, 10),
    );
    await client.query(
      `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_by, assignee_id, rated_at)
       select * from unnest($1::uuid[], $2::uuid[], $3::smallint[], $4::text[], $5::uuid[], $6::uuid[], $7::timestamptz[])`,
      columns(ratings, 7),
    );
    await client.query('commit');
  } catch (err) {
    await client.query('rollback');
    throw err;
  } finally {
    client.release();
  }
  return true;
}

function columns(rows: unknown[][], n: number): unknown[][] {
  return Array.from({ length: n }, (_, c) => rows.map((r) => r[c]));
}

// Demo data for local runs (the embedded database, or `npm run seed`). Never part of production.
import type { MikroORM } from '@mikro-orm/postgresql';
import { readFile } from 'node:fs/promises';
import { signDevToken } from '../src/auth/token.signer.js';
import type { AuthConfig } from '../src/config/config.js';

export const DEMO = {
  workspace: '00000000-0000-4000-8000-00000000a001',
  agent: '00000000-0000-4000-8000-00000000b001',
  admin: '00000000-0000-4000-8000-00000000b002',
  customers: ['00000000-0000-4000-8000-00000000c001', '00000000-0000-4000-8000-00000000c002', '00000000-0000-4000-8000-00000000c003'],
} as const;

const STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;

export interface SeedResult {
  created: boolean;
  /** A resolved, unrated ticket of the first customer: the portal prompt's example. */
  rateableTicket?: string;
}

/** Applies the dev `ticket` relation (dev/ticket.schema.sql; idempotent). */
export async function applyTicketSchema(orm: MikroORM): Promise<void> {
  const sql = await readFile(new URL('./ticket.schema.sql', import.meta.url), 'utf8');
  await orm.em.fork().execute(sql);
}

/** Applies the dev `ticket` relation, and creates the demo workspace when there are no tickets yet. */
export async function seedDemo(orm: MikroORM): Promise<SeedResult> {
  await applyTicketSchema(orm);
  const em = orm.em.fork();
  const [{ n }] = (await em.execute('select count(*)::int as n from ticket')) as [{ n: number }];
  let created = false;
  if (n === 0) {
    created = true;
    let i = 0;
    const rows: string[] = [];
    for (const customer of DEMO.customers) {
      for (const status of STATUSES) {
        i++;
        const id = `00000000-0000-4000-8000-${(0xd000 + i).toString(16).padStart(12, '0')}`;
        rows.push(
          `('${id}', '${DEMO.workspace}', 'T-${1000 + i}', 'Demo ticket ${i} (${status})', '${status}', '${customer}', '${DEMO.agent}')`,
        );
      }
    }
    await em.execute(
      `insert into ticket (id, workspace_id, ref, subject, status, requester_id, assignee_id) values ${rows.join(', ')}`,
    );
    // Two tickets already rated, one with a comment, so the agent views have something to show.
    await em.execute(`
      insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_by, assignee_id, rated_at)
      select workspace_id, id, 5, 'Quick and friendly, thank you!', requester_id, assignee_id, now() - interval '3 hours'
        from ticket where requester_id = '${DEMO.customers[1]}' and status = 'closed'
      union all
      select workspace_id, id, 2, null, requester_id, assignee_id, now() - interval '1 day'
        from ticket where requester_id = '${DEMO.customers[2]}' and status = 'resolved'
      on conflict do nothing`);
  }
  const rateable = (await em.execute(
    `select t.id from ticket t left join csat_rating r on r.workspace_id = t.workspace_id and r.ticket_id = t.id
      where t.requester_id = '${DEMO.customers[0]}' and t.status in ('resolved', 'closed') and r.ticket_id is null
      order by t.status desc limit 1`,
  )) as { id: string }[];
  return { created, rateableTicket: rateable[0]?.id };
}

/** What `npm start` prints for a newcomer: tokens and an operation to paste. */
export async function demoBanner(url: string, seed: SeedResult, auth: AuthConfig): Promise<string> {
  if (auth.mode !== 'hs256') return '';
  const sign = (sub: string, role: 'customer' | 'agent') =>
    signDevToken({ sub, role, workspace: DEMO.workspace }, auth.secret, { issuer: auth.issuer, audience: auth.audience });
  const customer = await sign(DEMO.customers[0], 'customer');
  const agent = await sign(DEMO.agent, 'agent');
  const ticket = seed.rateableTicket ?? '<ticket id>';
  const rate = JSON.stringify({
    query: 'mutation($t: ID!) { rateTicket(ticketId: $t, rating: 5, comment: "Thanks!") { id csatRating csatComment csatRatedAt csatCanRate } }',
    variables: { t: ticket },
  });
  return [
    '',
    `csat-subgraph is running at ${url} (demo workspace ${DEMO.workspace}${seed.created ? ', just seeded' : ''})`,
    '',
    `Customer token (requester of ticket ${ticket}):`,
    `  ${customer}`,
    'Agent token:',
    `  ${agent}`,
    '',
    'Rate the ticket as its customer:',
    `  curl -s ${url} -H 'content-type: application/json' -H "authorization: Bearer ${customer}" \\`,
    `    -d '${rate}'`,
    '',
    'See it as the agent would (the router sends this _entities call):',
    `  curl -s ${url} -H 'content-type: application/json' -H "authorization: Bearer ${agent}" \\`,
    `    -d '${JSON.stringify({ query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id csatRating csatComment csatRatedAt } } }', variables: { r: [{ __typename: 'Ticket', id: ticket }] } })}'`,
    '',
  ].join('\n');
}

// Issue 20, channels: offers and ratings through PORTAL and EMAIL, summaries and response rates per channel and the
// ratings list's `channels`, through the real gateway; the rollups still equal the rows; webhooks carry the channel.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkRollups } from '../src/insights/rollup.check.js';
import { pgSession } from '../src/insights/rollup.session.js';
import { createTicket } from './helpers/fixtures.js';
import { tokenFor, viewer } from './helpers/test.app.js';
import { useSupergraph } from './helpers/test.supergraph.js';

const ctx = useSupergraph();
const ws = randomUUID();
const customer = randomUUID();
let agent: string;
let customerToken: string;
const t: Record<string, string> = {};

const LINKS = `query($id: ID!) { csatRatingLinks(ticketId: $id) { url ratingUrls } }`;
const PROMPT = `query($id: ID!) { csatTicket(id: $id) { id csatCanRate } }`;
const RATE = `mutation($id: ID!, $r: Int!) { rateTicket(ticketId: $id, rating: $r) { csatRating } }`;
const SUMMARY = `query($c: [CsatChannel!], $f: CsatRatingFilter) { csatSummary(channels: $c, filter: $f) { count average offered responseRate } }`;
const LIST = `query($c: [CsatChannel!]) { csatRatings(channels: $c) { totalCount edges { node { rating channel ticket { id } } } } }`;

async function gw(query: string, variables: Record<string, unknown>, token: string) {
  const res = await ctx.gateway(query, variables, token);
  expect(res.errors, query).toBeUndefined();
  return res.data;
}

async function postLink(url: string, rating: number) {
  const res = await fetch(url.split('?')[0]!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `rating=${rating}` });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  agent = await tokenFor(viewer('agent', ws));
  customerToken = await tokenFor(viewer('customer', ws, customer));
  for (const name of ['portalRated', 'portalOnly', 'emailRated', 'emailTwice', 'emailOnly', 'emailThenPortal', 'portalThenEmail']) {
    t[name] = (await createTicket(ctx.pool, { workspace: ws, requester: customer, status: 'resolved' })).id;
  }
  // PORTAL: the portal's prompt shown (an offer), then rateTicket.
  for (const name of ['portalRated', 'portalOnly', 'portalThenEmail']) expect((await gw(PROMPT, { id: t[name] }, customerToken)).csatTicket.csatCanRate).toBe(true);
  await gw(RATE, { id: t.portalRated, r: 5 }, customerToken);
  // EMAIL: links issued by the mailer (twice for one ticket: one offer), one rated on the page.
  const emailRated = (await gw(LINKS, { id: t.emailRated }, agent)).csatRatingLinks;
  await gw(LINKS, { id: t.emailTwice }, agent);
  await gw(LINKS, { id: t.emailTwice }, agent);
  await gw(LINKS, { id: t.emailOnly }, agent);
  await postLink(emailRated.ratingUrls[1], 2);
  // The email first, then the customer rates in the portal: an EMAIL offer, a PORTAL rating.
  await gw(LINKS, { id: t.emailThenPortal }, agent);
  await gw(RATE, { id: t.emailThenPortal, r: 4 }, customerToken);
  // The portal first, then a link from the email rated: a PORTAL offer, an EMAIL rating.
  const late = (await gw(LINKS, { id: t.portalThenEmail }, agent)).csatRatingLinks;
  await postLink(late.ratingUrls[2], 3);
});

describe('channels', () => {
  it('stores each offer with its first channel (one per ticket, however often a link is issued) and each rating with its own', async () => {
    const offers = await ctx.pool.query('select ticket_id, channel, rated from csat_offer where workspace_id = $1', [ws]);
    const offerOf = Object.fromEntries(offers.rows.map((r) => [r.ticket_id, [r.channel, r.rated]]));
    expect(offers.rows).toHaveLength(7);
    expect(offerOf[t.portalRated!]).toEqual(['PORTAL', true]);
    expect(offerOf[t.portalOnly!]).toEqual(['PORTAL', false]);
    expect(offerOf[t.emailRated!]).toEqual(['EMAIL', true]);
    expect(offerOf[t.emailTwice!]).toEqual(['EMAIL', false]);
    expect(offerOf[t.emailOnly!]).toEqual(['EMAIL', false]);
    expect(offerOf[t.emailThenPortal!]).toEqual(['EMAIL', true]);
    expect(offerOf[t.portalThenEmail!]).toEqual(['PORTAL', true]);
    const ratings = await ctx.pool.query('select ticket_id, channel from csat_rating where workspace_id = $1', [ws]);
    expect(Object.fromEntries(ratings.rows.map((r) => [r.ticket_id, r.channel]))).toEqual({
      [t.portalRated!]: 'PORTAL',
      [t.emailRated!]: 'EMAIL',
      [t.emailThenPortal!]: 'PORTAL',
      [t.portalThenEmail!]: 'EMAIL',
    });
  });

  it('csatSummary per channel through the gateway: the channel’s ratings, and the response rate of the offers first made through it', async () => {
    const all = (await gw(SUMMARY, {}, agent)).csatSummary;
    const email = (await gw(SUMMARY, { c: ['EMAIL'] }, agent)).csatSummary;
    const portal = (await gw(SUMMARY, { c: ['PORTAL'] }, agent)).csatSummary;
    const both = (await gw(SUMMARY, { c: ['PORTAL', 'EMAIL', 'EMAIL'] }, agent)).csatSummary;
    expect(all).toEqual({ count: 4, average: 3.5, offered: 7, responseRate: 4 / 7 });
    expect(both).toEqual(all);
    expect(email).toEqual({ count: 2, average: 2.5, offered: 4, responseRate: 2 / 4 });
    expect(portal).toEqual({ count: 2, average: 4.5, offered: 3, responseRate: 2 / 3 });
    // The same from the rows (a period that starts mid-day: the edges are read from csat_rating and csat_offer).
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    expect((await gw(SUMMARY, { c: ['EMAIL'], f: { ratedFrom: from, ratedTo: to } }, agent)).csatSummary).toEqual(email);
    expect((await gw(SUMMARY, { c: ['PORTAL'], f: { ratedFrom: from, ratedTo: to } }, agent)).csatSummary).toEqual(portal);
  });

  it('csatRatings(channels) lists only those channels, each rating with its channel; an empty list is BAD_USER_INPUT', async () => {
    const email = (await gw(LIST, { c: ['EMAIL'] }, agent)).csatRatings;
    expect(email.totalCount).toBe(2);
    expect(email.edges.map((e: any) => [e.node.ticket.id, e.node.channel]).sort()).toEqual([[t.emailRated, 'EMAIL'], [t.portalThenEmail, 'EMAIL']].sort());
    const all = (await gw(LIST, {}, agent)).csatRatings;
    expect(all.totalCount).toBe(4);
    const empty = await ctx.gateway(LIST, { c: [] }, agent);
    expect(empty.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('every rollup still equals the rows it sums, per channel', async () => {
    const { differences, offerGaps } = await checkRollups(pgSession(ctx.pool), ws);
    expect(differences).toEqual([]);
    expect(offerGaps).toEqual([]);
    const { rows } = await ctx.pool.query(`select channel, sum(offered)::int as offered, sum(rated)::int as rated from csat_offer_daily where workspace_id = $1 group by 1 order by 1`, [ws]);
    expect(rows).toEqual([
      { channel: 'EMAIL', offered: 4, rated: 2 },
      { channel: 'PORTAL', offered: 3, rated: 2 },
    ]);
  });
});

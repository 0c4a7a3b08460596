// The CSV exporter in-process against the real supergraph (gateway + Tickets + CSAT subgraphs, real
// PostgreSQL): the file read back with a real CSV parser equals the database, row for row.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportError, UsageError } from '../src/export/export.errors.js';
import { exportOptions, parseCliArgs } from '../src/export/export.options.js';
import { loadListingQuery } from '../src/export/export.query.js';
import { runExport, type ExportSummary } from '../src/export/export.run.js';
import { expectedCsv, faultProxy, filesIn, HEADER, insertTickets, parseCsv, TRIGGERS, type TicketSpec } from './helpers/export.helpers.js';
import { tokenFor, viewer } from './helpers/test.app.js';
import { useSupergraph } from './helpers/test.supergraph.js';

const ctx = useSupergraph();
let dir: string;

const ws = randomUUID();
const agent1 = randomUUID();
const agent2 = randomUUID();
const base = Date.parse('2025-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(base + minutes * 60_000);
let token: string;

const LONG = `${'Long comment, with "quotes" and commas. '.repeat(48)}end 🎯`.slice(0, 1990);
/** Comments that break naive CSV writers, and one per formula trigger (OWASP), plus two lookalikes that are not triggers. */
const COMMENTS = [
  'Quick, friendly, and "on point"',
  'Line one\r\nLine two (CRLF)',
  'Line one\nLine two (LF)\n',
  'A bare\rcarriage return inside',
  'Great support 👍🎉 — merci, 日本語もOK',
  '=HYPERLINK("http://example.invalid","click")',
  '=1+1',
  '+1 would recommend',
  '-2+3 stars, honestly',
  '@SUM(A1:A2)',
  '\tleading tab',
  '\rleading carriage return',
  ' =a leading space is not a trigger',
  "'already quoted",
  LONG,
];
const SUBJECTS = ['=cmd|\' /C calc\'!A0', '+subject', '-subject', '@subject', '\tsubject', '\rsubject', 'Subject, with "quotes"\nand a newline'];
const STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;

function dataset(): TicketSpec[] {
  const specs: TicketSpec[] = [];
  let i = 0;
  for (const comment of COMMENTS) specs.push({ createdAt: at(i++), status: 'resolved', assignee: agent1, rating: { rating: 1 + (i % 5), comment } });
  for (let k = 0; k < 4; k++) specs.push({ createdAt: at(i++), status: 'closed', assignee: agent2, rating: { rating: 5 - k, comment: null } });
  for (const subject of SUBJECTS) specs.push({ createdAt: at(i++), subject, status: STATUSES[i % 5], assignee: i % 3 === 0 ? null : agent2 });
  for (let k = 0; k < 4; k++) specs.push({ createdAt: at(i++), ref: k === 0 ? '-REF-0' : undefined, status: STATUSES[k], assignee: null, priority: 'urgent' });
  return specs; // 30 tickets, 19 rated
}

async function exportCsv(args: string[], opts: { token?: string } = {}): Promise<{ summary: ExportSummary; text: string; out: string }> {
  const out = path.join(dir, `${randomUUID()}.csv`);
  const settings = parseCliArgs(['--endpoint', ctx.sg.gatewayUrl, '--token', opts.token ?? token, '--out', out, '--retries', '0', ...args], undefined);
  const summary = await runExport(exportOptions(settings, await loadListingQuery(settings.queryFile)));
  return { summary, text: await readFile(out, 'utf8'), out };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'csat-export-e2e-'));
  await insertTickets(ctx.pool, ws, dataset());
  token = await tokenFor(viewer('agent', ws));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the CSV', () => {
  let summary: ExportSummary;
  let text: string;
  beforeAll(async () => {
    ({ summary, text } = await exportCsv(['--page-size', '7']));
  });

  it('equals the database row for row, rated and unrated, across pages', async () => {
    const { header, rows } = parseCsv(text);
    expect(header.join(',')).toBe(HEADER);
    const expected = await expectedCsv(ctx.pool, ws);
    expect(expected).toHaveLength(30);
    expect(rows).toEqual(expected);
    expect(summary).toMatchObject({ rows: 30, rated: 19, scanned: 30, pages: 5 });
  });

  it('is RFC 4180 with CRLF records, UTF-8 without BOM by default, ending with a line break', () => {
    expect(text.startsWith(`${HEADER}\r\n"`)).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    // Emoji and CJK come through as UTF-8 text.
    expect(text).toContain('👍🎉 — merci, 日本語もOK');
    // Embedded quotes are doubled inside a quoted cell.
    expect(text).toContain('"Quick, friendly, and ""on point"""');
  });

  it('keeps commas, quotes, CRLF, LF and bare CR inside comments exactly', () => {
    const comments = parseCsv(text).rows.map((r) => r[10]!.value);
    for (const c of ['Quick, friendly, and "on point"', 'Line one\r\nLine two (CRLF)', 'Line one\nLine two (LF)\n', 'A bare\rcarriage return inside', LONG]) {
      expect(comments).toContain(c);
    }
  });

  it.each(TRIGGERS.map((t) => [JSON.stringify(t), t]))('neutralises a comment starting with %s', (_, trigger) => {
    const rows = parseCsv(text).rows;
    const originals = COMMENTS.filter((c) => c.startsWith(trigger));
    expect(originals.length).toBeGreaterThan(0);
    for (const original of originals) {
      const cell = rows.find((r) => r[10]!.value.slice(1) === original)?.[10];
      expect(cell, `comment ${JSON.stringify(original)}`).toEqual({ value: `'${original}`, quoted: true });
    }
  });

  it('neutralises every text cell, not only comments: subjects and refs too', () => {
    const rows = parseCsv(text).rows;
    for (const subject of SUBJECTS.filter((s) => /^[=+\-@\t\r]/.test(s))) {
      expect(rows.some((r) => r[2]!.value === `'${subject}`), JSON.stringify(subject)).toBe(true);
    }
    expect(rows.some((r) => r[1]!.value === "'-REF-0")).toBe(true);
    expect(text).toContain(`"'=HYPERLINK(""http://example.invalid"",""click"")"`);
    // Lookalikes stay as they are.
    expect(rows.some((r) => r[10]!.value === ' =a leading space is not a trigger')).toBe(true);
    expect(rows.some((r) => r[10]!.value === "'already quoted")).toBe(true);
  });

  it('writes ratings as bare numbers and nulls as empty unquoted cells; timestamps RFC 3339 UTC', () => {
    const rows = parseCsv(text).rows;
    for (const r of rows) {
      const [rating, comment, ratedAt] = [r[9]!, r[10]!, r[11]!];
      expect(rating.quoted).toBe(false);
      if (rating.value === '') {
        expect(comment).toEqual({ value: '', quoted: false });
        expect(ratedAt).toEqual({ value: '', quoted: false });
      } else {
        expect(rating.value).toMatch(/^[1-5]$/);
        expect(ratedAt.value).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      }
      expect(r[7]!.value).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    // A rated ticket without a comment: an empty cell, not "".
    expect(text).toMatch(/,[1-5],,"\d{4}-/);
    // Unassigned tickets: an empty assignee cell.
    expect(rows.some((r) => r[5]!.value === '' && !r[5]!.quoted)).toBe(true);
  });

  it('goes out in chunks of many rows, one per small page, not a Buffer per row (docs/export.md, "Memory")', async () => {
    const chunks: Buffer[] = [];
    const stdout = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk);
        done();
      },
    });
    const settings = parseCliArgs(['--endpoint', ctx.sg.gatewayUrl, '--token', token, '--page-size', '7', '--retries', '0'], undefined);
    const piped = await runExport({ ...exportOptions(settings, await loadListingQuery(undefined)), stdout });
    expect(Buffer.concat(chunks).toString('utf8')).toBe(text);
    expect(piped).toMatchObject({ rows: 30, pages: 5 });
    // The header, one chunk per page, the final line break.
    expect(chunks.length).toBe(piped.pages + 2);
    expect(stdout.writableEnded).toBe(false);
  });

  it('--bom prefixes a UTF-8 byte order mark and changes nothing else', async () => {
    const { out } = await exportCsv(['--bom', '--page-size', '7']);
    const bytes = await readFile(out);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).toBe(text);
  });
});

describe('page boundaries', () => {
  const empty = randomUUID();
  const five = randomUUID();
  const six = randomUUID();
  beforeAll(async () => {
    await insertTickets(ctx.pool, five, Array.from({ length: 5 }, (_, i) => ({ createdAt: at(i), rating: i % 2 ? { rating: 4, comment: `c${i}` } : undefined })));
    await insertTickets(ctx.pool, six, Array.from({ length: 6 }, (_, i) => ({ createdAt: at(i), rating: i % 2 ? { rating: 3, comment: null } : undefined })));
  });

  it('0 rows: the header alone', async () => {
    const { summary, text } = await exportCsv([], { token: await tokenFor(viewer('agent', empty)) });
    expect(text).toBe(`${HEADER}\r\n`);
    expect(summary).toMatchObject({ rows: 0, rated: 0, pages: 1 });
  });

  it('exactly one page', async () => {
    const { summary, text } = await exportCsv(['--page-size', '5'], { token: await tokenFor(viewer('agent', five)) });
    expect(summary).toMatchObject({ rows: 5, rated: 2, pages: 1 });
    expect(parseCsv(text).rows).toEqual(await expectedCsv(ctx.pool, five));
  });

  it('one page plus one row', async () => {
    const { summary, text } = await exportCsv(['--page-size', '5'], { token: await tokenFor(viewer('agent', six)) });
    expect(summary).toMatchObject({ rows: 6, rated: 3, pages: 2 });
    expect(parseCsv(text).rows).toEqual(await expectedCsv(ctx.pool, six));
  });
});

describe('filters', () => {
  it('--status, repeatable and comma-separated', async () => {
    const expected = await expectedCsv(ctx.pool, ws, { status: ['resolved', 'closed'] });
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(30);
    expect(parseCsv((await exportCsv(['--status', 'resolved,closed'])).text).rows).toEqual(expected);
    expect(parseCsv((await exportCsv(['--status', 'resolved', '--status', 'closed'])).text).rows).toEqual(expected);
  });

  it('--assignee', async () => {
    const expected = await expectedCsv(ctx.pool, ws, { assignee: agent2 });
    expect(expected.length).toBeGreaterThan(0);
    expect(parseCsv((await exportCsv(['--assignee', agent2])).text).rows).toEqual(expected);
  });

  it('--since (inclusive) and --until (exclusive), RFC 3339 with offsets', async () => {
    const expected = await expectedCsv(ctx.pool, ws, { since: at(3), until: at(12) });
    expect(expected).toHaveLength(9);
    // 11:03 UTC written as 12:03+01:00.
    const { text } = await exportCsv(['--since', '2025-03-01T11:03:00+01:00', '--until', at(12).toISOString(), '--page-size', '4']);
    expect(parseCsv(text).rows).toEqual(expected);
  });

  it('--rated-only keeps rated tickets only (filtered client-side), alone and with --status', async () => {
    const rated = await exportCsv(['--rated-only', '--page-size', '6']);
    expect(parseCsv(rated.text).rows).toEqual(await expectedCsv(ctx.pool, ws, { ratedOnly: true }));
    expect(rated.summary).toMatchObject({ rows: 19, rated: 19, scanned: 30 });
    const closed = await exportCsv(['--rated-only', '--status', 'closed']);
    expect(parseCsv(closed.text).rows).toEqual(await expectedCsv(ctx.pool, ws, { ratedOnly: true, status: ['closed'] }));
  });
});

describe("the listing's totalCount", () => {
  it('a ticket created during the export fails it as soon as more are read than counted; no file', async () => {
    const grows = randomUUID();
    await insertTickets(ctx.pool, grows, Array.from({ length: 6 }, (_, i) => ({ createdAt: at(i) })));
    const sub = await mkdtemp(path.join(dir, 'grows-'));
    // While page 2 is asked for, a new ticket lands at the end of the listing.
    const proxy = await faultProxy(ctx.sg.gatewayUrl, (n) => (n === 2 ? { before: async () => void (await insertTickets(ctx.pool, grows, [{ createdAt: at(100) }])) } : 'pass'));
    try {
      const settings = parseCliArgs(['--endpoint', proxy.url, '--token', await tokenFor(viewer('agent', grows)), '--out', path.join(sub, 'x.csv'), '--page-size', '3'], undefined);
      const failed = runExport(exportOptions(settings, await loadListingQuery(undefined)));
      await expect(failed).rejects.toThrow(new ExportError('7 or more tickets read but the listing counted 6 (totalCount): tickets were created or deleted during the export, or the listing skips or repeats rows; run it again'));
      expect(proxy.requests).toHaveLength(3);
    } finally {
      await proxy.close();
    }
    expect(await filesIn(sub)).toEqual([]);
  });

  it('cannot be checked when the listing gives none: a custom query without totalCount pages on past a deleted row', async () => {
    const shrinks = randomUUID();
    const ids = await insertTickets(ctx.pool, shrinks, Array.from({ length: 6 }, (_, i) => ({ createdAt: at(i) })));
    const file = path.join(dir, 'no-total.graphql');
    await writeFile(
      file,
      `query($first: Int!, $after: String) {
         tickets(first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id ref subject status priority assigneeId requesterId createdAt updatedAt } } }
       }`,
    );
    // The cursor's own row (the last of page 1) is deleted while page 2 is asked for.
    const proxy = await faultProxy(ctx.sg.gatewayUrl, (n) => (n === 2 ? { before: async () => void (await ctx.pool.query('delete from ticket where id = $1', [ids[2]])) } : 'pass'));
    try {
      const out = path.join(dir, `${randomUUID()}.csv`);
      const settings = parseCliArgs(['--endpoint', proxy.url, '--token', await tokenFor(viewer('agent', shrinks)), '--out', out, '--page-size', '3', '--query', file], undefined);
      const summary = await runExport(exportOptions(settings, await loadListingQuery(file)));
      // Page 1 was read before the delete; page 2 still comes (an id-only cursor found no row and ended the file there).
      expect(summary).toMatchObject({ rows: 6, pages: 2 });
      expect(parseCsv(await readFile(out, 'utf8')).rows.map((r) => r[0]!.value)).toEqual(ids);
    } finally {
      await proxy.close();
    }
  });
});

describe('a helpdesk whose listing differs (--query, --connection-path)', () => {
  it('reads aliased fields at another connection path, without totalCount or $filter', async () => {
    const file = path.join(dir, 'custom.graphql');
    await writeFile(
      file,
      `# A listing under another name, with snake_case aliases.
       query Custom($first: Int!, $after: String) {
         listing: tickets(first: $first, after: $after) {
           pageInfo { endCursor hasNextPage }
           edges { node { ...Row } }
         }
       }
       fragment Row on Ticket {
         id ref subject status priority
         assignee_id: assigneeId requester_id: requesterId created_at: createdAt updated_at: updatedAt
         csat_rating: csatRating csat_comment: csatComment csat_rated_at: csatRatedAt
       }`,
    );
    const { text, summary } = await exportCsv(['--query', file, '--connection-path', 'listing', '--page-size', '8']);
    expect(parseCsv(text).rows).toEqual(await expectedCsv(ctx.pool, ws));
    expect(summary.pages).toBe(4);

    await expect(exportCsv(['--query', file, '--connection-path', 'listing', '--status', 'new'])).rejects.toThrow(/does not declare \$filter/);
    await expect(exportCsv(['--query', file])).rejects.toThrow(/no connection at data\.tickets/);
  });

  it('refuses a query file without $first/$after, or with a mutation, before any request', async () => {
    const file = path.join(dir, 'bad.graphql');
    await writeFile(file, 'query($first: Int!) { tickets(first: $first) { pageInfo { hasNextPage endCursor } edges { node { id } } } }');
    await expect(loadListingQuery(file)).rejects.toThrow(UsageError);
    await expect(loadListingQuery(file)).rejects.toThrow(/must declare the variable \$after/);
    await writeFile(file, 'mutation($first: Int, $after: String) { x }');
    await expect(loadListingQuery(file)).rejects.toThrow(/must hold a query/);
    await expect(loadListingQuery(path.join(dir, 'missing.graphql'))).rejects.toThrow(/cannot read the query file/);
  });
});

describe('the output file', () => {
  it('is replaced only by a complete export: a refused token leaves the old file as it was, and nothing else', async () => {
    const sub = await mkdtemp(path.join(dir, 'out-'));
    const out = path.join(sub, 'tickets.csv');
    await writeFile(out, 'the previous export\n');
    const settings = parseCliArgs(['--endpoint', ctx.sg.gatewayUrl, '--token', `${token}x`, '--out', out], undefined);
    const failed = runExport(exportOptions(settings, await loadListingQuery(undefined)));
    await expect(failed).rejects.toThrow(ExportError);
    await expect(failed).rejects.toThrow(/refused the token/);
    expect(await filesIn(sub)).toEqual(['tickets.csv']);
    expect(await readFile(out, 'utf8')).toBe('the previous export\n');

    const ok = parseCliArgs(['--endpoint', ctx.sg.gatewayUrl, '--token', token, '--out', out], undefined);
    await runExport(exportOptions(ok, await loadListingQuery(undefined)));
    expect(await filesIn(sub)).toEqual(['tickets.csv']);
    expect(parseCsv(await readFile(out, 'utf8')).rows).toEqual(await expectedCsv(ctx.pool, ws));
  });

  it('refuses a directory as --out, a missing folder and a file used as a folder, before any request', async () => {
    const run = async (out: string) => runExport(exportOptions(parseCliArgs(['--endpoint', ctx.sg.gatewayUrl, '--token', token, '--out', out], undefined), await loadListingQuery(undefined)));
    await expect(run(dir)).rejects.toThrow(/is a directory; --out needs a file name/);
    await expect(run(path.join(dir, 'no', 'such', 'x.csv'))).rejects.toThrow(new UsageError(`folder does not exist: ${path.join(dir, 'no', 'such')}`));
    const file = path.join(dir, 'a-file');
    await writeFile(file, '');
    await expect(run(path.join(file, 'x.csv'))).rejects.toThrow(new UsageError(`not a folder: ${file}`));
  });
});

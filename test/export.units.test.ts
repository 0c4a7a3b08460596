// The exporter's pure parts: formula neutralisation and quoting, column mapping, timestamps, argument
// parsing, retry timing, the listing query's and the connection's contract checks.
import { describe, expect, it } from 'vitest';
import { toCsvRow, toUtcTimestamp } from '../src/export/csv.columns.js';
import { csvHeader, csvRecord, FORMULA_TRIGGERS, neutraliseFormula, textCell } from '../src/export/csv.writer.js';
import { UsageError } from '../src/export/export.errors.js';
import { parseCliArgs } from '../src/export/export.options.js';
import { checkListingQuery } from '../src/export/export.query.js';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelay } from '../src/export/retry.policy.js';
import { backoffDelay } from '../src/retry/backoff.js';
import { showsBar } from '../src/export/progress.js';
import { readConnection } from '../src/export/tickets.pager.js';

describe('formula neutralisation (OWASP CSV injection)', () => {
  it('covers exactly =, +, -, @, tab and carriage return', () => {
    expect([...FORMULA_TRIGGERS].sort()).toEqual(['\t', '\r', '+', '-', '=', '@'].sort());
  });

  it.each(['=SUM(A1)', '+1', '-1', '@cmd', '\tx', '\rx', '=HYPERLINK("http://x","y")'])('prefixes %j with a single quote', (v) => {
    expect(neutraliseFormula(v)).toBe(`'${v}`);
  });

  it.each(['', 'plain', ' =x', "'=x", '1+1', 'a=b', '\n=x', '＝fullwidth'])('leaves %j as it is', (v) => {
    expect(neutraliseFormula(v)).toBe(v);
  });

  it('quotes every text cell and doubles embedded quotes, after neutralising', () => {
    expect(textCell('a, "b"\r\nc')).toBe('"a, ""b""\r\nc"');
    expect(textCell('=1+"2"')).toBe(`"'=1+""2"""`);
    expect(textCell('')).toBe('""');
  });
});

describe('records', () => {
  it('the header: bare column names, after a byte order mark only when asked', () => {
    const names = 'id,ref,subject,status,priority,assignee_id,requester_id,created_at,updated_at,csat_rating,csat_comment,csat_rated_at';
    expect(csvHeader()).toBe(names);
    expect(csvHeader({ bom: true })).toBe(`\ufeff${names}`);
  });

  it('a record: its CRLF separator first, text quoted and neutralised, numbers bare, missing values empty and unquoted', () => {
    const at = '2025-01-02T03:04:05.678Z';
    const row = toCsvRow({ id: 't1', ref: '-R', subject: 'a "b", c', status: 'closed', priority: 'low', assigneeId: null, requesterId: 'u1', createdAt: at, updatedAt: at, csatRating: 4, csatComment: '', csatRatedAt: null });
    expect(csvRecord(row)).toBe(`\r\n"t1","'-R","a ""b"", c","closed","low",,"u1","${at}","${at}",4,"",`);
  });
});

describe('columns', () => {
  const node = {
    id: 't1',
    ref: 'R-1',
    subject: 's',
    status: 'closed',
    priority: 'high',
    assigneeId: null,
    requesterId: 'u1',
    createdAt: '2025-01-02T03:04:05.678Z',
    updatedAt: '2025-01-02T04:04:05+01:00',
    csatRating: 4,
    csatComment: null,
    csatRatedAt: '2025-01-03T00:00:00.000Z',
  };

  it('maps the reference listing node; nulls become empty cells; the rating stays a number', () => {
    expect(toCsvRow(node)).toEqual({
      id: 't1',
      ref: 'R-1',
      subject: 's',
      status: 'closed',
      priority: 'high',
      assignee_id: undefined,
      requester_id: 'u1',
      created_at: '2025-01-02T03:04:05.678Z',
      updated_at: '2025-01-02T03:04:05.000Z',
      csat_rating: 4,
      csat_comment: undefined,
      csat_rated_at: '2025-01-03T00:00:00.000Z',
    });
  });

  it('reads snake_case aliases and person objects ({ assignee { id } }) of other helpdesks', () => {
    const row = toCsvRow({ id: 7, assignee: { id: 'a1' }, requester_id: 'r1', csat_rating: '5', created_at: '2025-01-02 03:04:05Z' });
    expect(row).toMatchObject({ id: 7, assignee_id: 'a1', requester_id: 'r1', csat_rating: 5, created_at: '2025-01-02T03:04:05Z', ref: undefined });
  });

  it('refuses a node without id', () => {
    expect(() => toCsvRow({ ref: 'x' })).toThrow(/must select each node's id/);
  });

  it('writes timestamps in UTC, keeping the precision of UTC ones and leaving non-timestamps alone', () => {
    expect(toUtcTimestamp('2025-01-02T03:04:05.123456Z')).toBe('2025-01-02T03:04:05.123456Z');
    expect(toUtcTimestamp('2025-01-02T00:30:00-05:00')).toBe('2025-01-02T05:30:00.000Z');
    expect(toUtcTimestamp('yesterday')).toBe('yesterday');
  });
});

describe('arguments', () => {
  const need = ['--endpoint', 'http://127.0.0.1:4000/'];

  it('defaults: page size 500, connection tickets, 4 retries, stdout', () => {
    const s = parseCliArgs([...need, '--token', 't'], undefined);
    expect(s).toMatchObject({ pageSize: 500, connectionPath: 'tickets', out: undefined, ratedOnly: false, bom: false, quiet: false, filter: {} });
    expect(s.retry.retries).toBe(4);
  });

  it('takes the token from --token before CSAT_EXPORT_TOKEN, and needs one of them', () => {
    expect(parseCliArgs([...need, '--token', 'flag'], 'env').token).toBe('flag');
    expect(parseCliArgs(need, 'env').token).toBe('env');
    expect(() => parseCliArgs(need, undefined)).toThrow(/no token/);
    expect(() => parseCliArgs(need, '  ')).toThrow(/no token/);
  });

  it('builds the filter: statuses repeatable or comma-separated, times as UTC (a date is UTC midnight)', () => {
    const s = parseCliArgs(
      [...need, '--token', 't', '--status', 'open,pending', '--status', 'open', '--assignee', 'a1', '--since', '2025-01-01', '--until', '2025-02-01T01:00:00+01:00'],
      undefined,
    );
    expect(s.filter).toEqual({ status: ['open', 'pending'], assigneeId: 'a1', createdSince: '2025-01-01T00:00:00.000Z', createdUntil: '2025-02-01T00:00:00.000Z' });
  });

  it.each([
    [['--page-size', '0'], /--page-size must be between 1 and 1000/],
    [['--page-size', '1001'], /--page-size must be between 1 and 1000/],
    [['--page-size', '2.5'], /--page-size must be a whole number/],
    [['--retries', '11'], /--retries must be between 0 and 10/],
    [['--since', '2025-13-45'], /--since is not a valid time|--since must be/],
    [['--since', '1 Jan 2025'], /--since must be an RFC 3339 time/],
    // Date.parse takes these (March 2; year 0 and 10000 PostgreSQL or RFC 3339 would not); the parser of client instants does not.
    [['--since', '2025-02-30'], /--since is not a valid time \(got '2025-02-30'\): no such day/],
    [['--since', '0000-01-01'], /--since is not a valid time .*years start at 0001/],
    [['--until', '9999-12-31T23:00:00-05:00'], /--until is not a valid time .*9999-12-31T23:59:59.999Z/],
    [['--since', '2016-12-31T23:59:60Z'], /--since is not a valid time .*leap seconds/],
    [['--since', '2025-02-01', '--until', '2025-01-01'], /--since must be before --until/],
    [['--connection-path', 'a..b'], /--connection-path must be field names joined by dots/],
    [['--status', ','], /--status needs at least one status/],
    [['--status', 'bogus'], /^--status must be one of new, open, pending, resolved, closed \(got 'bogus'\)$/],
    [['--status', 'open,Closed', '--status', 'done'], /^--status must be one of new, open, pending, resolved, closed \(got 'Closed', 'done'\)$/],
    [['--frob'], /Unknown option '--frob'/],
    [['extra'], /positional/],
  ])('refuses %j', (args, message) => {
    expect(() => parseCliArgs([...need, '--token', 't', ...args], undefined)).toThrow(UsageError);
    expect(() => parseCliArgs([...need, '--token', 't', ...args], undefined)).toThrow(message);
  });

  it('needs an http(s) endpoint without credentials', () => {
    expect(() => parseCliArgs(['--token', 't'], undefined)).toThrow(/--endpoint is required/);
    expect(() => parseCliArgs(['--endpoint', 'ftp://x/', '--token', 't'], undefined)).toThrow(/http or https/);
    expect(() => parseCliArgs(['--endpoint', 'http://u:p@x/', '--token', 't'], undefined)).toThrow(/must not carry credentials/);
  });
});

describe('retry timing', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };

  it('backs off exponentially with full jitter, capped (retry/backoff.ts, shared with webhook deliveries)', () => {
    const full = { baseMs: 100, maxMs: 1000, jitter: 'full' } as const;
    expect(backoffDelay(0, full, () => 1)).toBe(100);
    expect(backoffDelay(3, full, () => 1)).toBe(800);
    expect(backoffDelay(10, full, () => 1)).toBe(1000);
    expect(backoffDelay(3, full, () => 0.5)).toBe(400);
    expect(backoffDelay(3, full, () => 0)).toBe(0);
    expect(backoffDelay(3, { ...full, jitter: 'equal' }, () => 0)).toBe(400);
    expect(backoffDelay(3, { ...full, jitter: 'none' }, () => 0)).toBe(800);
    // The exporter's policy, without a Retry-After: full jitter under its own cap.
    for (let i = 0; i < 20; i++) expect(retryDelay(10, policy)).toBeLessThanOrEqual(1000);
  });

  it('honours Retry-After in seconds or as an HTTP date, within a cap', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString(), Date.now())).toBeGreaterThan(3000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(retryDelay(0, policy, 2000)).toBe(2000);
    expect(retryDelay(0, policy, 3_600_000)).toBe(policy.maxRetryAfterMs);
  });
});

describe('contract checks', () => {
  it('a listing query declares $first and $after in one query operation', () => {
    expect(checkListingQuery('query($first: Int!, $after: String) { t(first: $first, after: $after) { x } }', 'q').variables).toEqual(new Set(['first', 'after']));
    expect(() => checkListingQuery('query { t }', 'q')).toThrow(/must declare the variable \$first/);
    expect(() => checkListingQuery('query A($first: Int, $after: String) { a } query B { b }', 'q')).toThrow(/exactly one operation/);
    expect(() => checkListingQuery('query {', 'q')).toThrow(/q is not a GraphQL document: Syntax Error/);
  });

  it('a connection has edges with nodes (or nodes) and pageInfo', () => {
    const pageInfo = { hasNextPage: false, endCursor: null };
    expect(readConnection({ a: { b: { edges: [{ node: { id: '1' } }], pageInfo, totalCount: 1 } } }, 'a.b', 1)).toEqual({
      number: 1,
      nodes: [{ id: '1' }],
      totalCount: 1,
      hasNextPage: false,
      endCursor: null,
    });
    expect(readConnection({ t: { nodes: [{ id: '1' }], pageInfo } }, 't', 1).nodes).toEqual([{ id: '1' }]);
    expect(() => readConnection({ t: null }, 't', 1)).toThrow(/no connection at data\.t/);
    expect(() => readConnection({ t: { pageInfo } }, 't', 1)).toThrow(/no edges/);
    expect(() => readConnection({ t: { edges: [{ node: null }], pageInfo } }, 't', 1)).toThrow(/every edge must have a node/);
    expect(() => readConnection({ t: { edges: [] } }, 't', 1)).toThrow(/pageInfo \{ hasNextPage endCursor \}/);
  });
});

describe('the progress bar rule', () => {
  it.each([
    // toFile, stdout TTY, stderr TTY, quiet -> bar
    [true, false, true, false, true],
    [true, true, true, false, true],
    [false, false, true, false, true], // CSV piped, bar on the terminal
    [false, true, true, false, false], // CSV on the terminal: no bar inside it
    [false, true, false, false, false],
    [true, false, false, false, false],
    [true, true, true, true, false],
    [false, false, true, true, false],
  ])('to a file %s, stdout a TTY %s, stderr a TTY %s, quiet %s: bar %s', (toFile, stdoutIsTTY, stderrIsTTY, quiet, bar) => {
    expect(showsBar({ toFile, stdoutIsTTY, stderrIsTTY, quiet })).toBe(bar);
  });
});

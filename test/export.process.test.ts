// The exporter as a real process (the package's bin, which runs the compiled dist/ entry): stdout
// piping, exit codes and one-line messages, no partial file on failure or on a signal, retries. Faults
// come from a proxy in front of the real gateway.
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, closedPort, expectedCsv, faultProxy, filesIn, HAS_SCRIPT, HEADER, insertTickets, parseCsv, runCli, runOnTerminal, slowReader, type ProxyAction } from './helpers/export.helpers.js';
import { tokenFor, viewer } from './helpers/test.app.js';
import { useSupergraph } from './helpers/test.supergraph.js';

const ctx = useSupergraph();
let root: string;
let token: string;
const ws = randomUUID();
const base = Date.parse('2025-06-01T00:00:00.000Z');

/** 12 tickets, every other one rated; with --page-size 4 that is 3 pages. */
const PAGE = ['--page-size', '4'];
/** Fast, bounded retries for the failure cases. */
const FAST_RETRY = ['--retries', '2', '--retry-delay', '10'];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'csat-export-process-'));
  const comments = ['=1+1', 'fine, thanks', 'two\r\nlines', '"quoted" 🎉', '@here', null];
  await insertTickets(
    ctx.pool,
    ws,
    Array.from({ length: 12 }, (_, i) => ({ createdAt: new Date(base + i * 1000), rating: i % 2 ? { rating: 1 + (i % 5), comment: comments[(i - 1) / 2]! } : undefined })),
  );
  token = await tokenFor(viewer('agent', ws));
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function freshDir(): Promise<string> {
  return mkdtemp(path.join(root, 'run-'));
}

async function withProxy<T>(plan: (request: number, after: string | null) => ProxyAction, fn: (url: string, requests: { after: string | null }[]) => Promise<T>): Promise<T> {
  const proxy = await faultProxy(ctx.sg.gatewayUrl, plan);
  try {
    return await fn(proxy.url, proxy.requests);
  } finally {
    await proxy.close();
  }
}

describe('success', () => {
  it('stdout mode pipes: the token from CSAT_EXPORT_TOKEN, CSV on stdout, the summary on stderr', async () => {
    const res = await runCli(['--endpoint', ctx.sg.gatewayUrl, ...PAGE], { env: { CSAT_EXPORT_TOKEN: token } });
    expect(res.stderr).toMatch(/^csat-export: 12 rows \(6 rated\) in \d+\.\d s → stdout\n$/);
    expect(res.code).toBe(0);
    expect(parseCsv(res.stdout).rows).toEqual(await expectedCsv(ctx.pool, ws));
  });

  it('--out with --quiet: the file and nothing else in its folder, nothing on stdout or stderr', async () => {
    const dir = await freshDir();
    const res = await runCli(['--endpoint', ctx.sg.gatewayUrl, '--token', token, '--out', path.join(dir, 'tickets.csv'), '--quiet', ...PAGE]);
    expect(res).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await filesIn(dir)).toEqual(['tickets.csv']);
    expect(parseCsv(await readFile(path.join(dir, 'tickets.csv'), 'utf8')).rows).toEqual(await expectedCsv(ctx.pool, ws));
  });

  it('retries 503 and 429 (honouring Retry-After) and still writes the complete file', async () => {
    const dir = await freshDir();
    const out = path.join(dir, 'tickets.csv');
    // Page 2: a 503, then a 429 asking for 1 s; then everything passes.
    const plan = (n: number): ProxyAction => (n === 2 ? { status: 503 } : n === 3 ? { status: 429, headers: { 'retry-after': '1' } } : 'pass');
    const res = await withProxy(plan, (url) => runCli(['--endpoint', url, '--token', token, '--out', out, '--retry-delay', '10', ...PAGE]));
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('csat-export: page 2: the gateway answered HTTP 503 Service Unavailable: injected 503; retry 1 of 4');
    expect(res.stderr).toContain('csat-export: page 2: the gateway answered HTTP 429 Too Many Requests: injected 429; retry 2 of 4 in 1.0 s');
    expect(res.stderr).toMatch(/csat-export: 12 rows \(6 rated\)/);
    expect(res.ms).toBeGreaterThan(1000);
    expect(await filesIn(dir)).toEqual(['tickets.csv']);
    expect(parseCsv(await readFile(out, 'utf8')).rows).toEqual(await expectedCsv(ctx.pool, ws));
  });
});

describe('failure leaves no file and exits non-zero with one clear line', () => {
  it('a refused token', async () => {
    const dir = await freshDir();
    const res = await runCli(['--endpoint', ctx.sg.gatewayUrl, '--token', `${token}x`, '--out', path.join(dir, 'tickets.csv')]);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      `csat-export: the gateway refused the token (UNAUTHENTICATED: token signature is invalid); check --token or CSAT_EXPORT_TOKEN; ${path.join(dir, 'tickets.csv')} not written\n`,
    );
    expect(await filesIn(dir)).toEqual([]);
  });

  it('a subgraph given as --endpoint (the CSAT one, or the Tickets one): one line saying it looks like a subgraph, not the gateway; no retry', async () => {
    for (const [endpoint, sign] of [
      [ctx.sg.csatUrl, 'Unknown type "TicketFilter"'],
      [ctx.sg.ticketsUrl, 'Cannot query field "csatRating" on type "Ticket"'],
    ] as const) {
      const dir = await freshDir();
      const res = await runCli(['--endpoint', endpoint, '--token', token, '--out', path.join(dir, 'tickets.csv'), ...FAST_RETRY]);
      expect(res.code).toBe(1);
      const lines = res.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^csat-export: ${endpoint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} looks like a subgraph, not the gateway \\(`));
      expect(lines[0]).toContain(sign);
      expect(lines[0]).toContain('point --endpoint at the gateway or router that composes the Tickets and CSAT subgraphs');
      expect(await filesIn(dir)).toEqual([]);
    }
  });

  it('an unreachable gateway, after the retries', async () => {
    const dir = await freshDir();
    const url = `http://127.0.0.1:${await closedPort()}/`;
    const res = await runCli(['--endpoint', url, '--token', token, '--out', path.join(dir, 'tickets.csv'), ...FAST_RETRY]);
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n').at(-1)).toBe(
      `csat-export: the gateway is unreachable at ${url} (connection refused) (page 1; gave up after 2 retries); ${path.join(dir, 'tickets.csv')} not written`,
    );
    expect(await filesIn(dir)).toEqual([]);
  });

  it.each([
    ['HTTP 500 on every try of page 2', { status: 500 } as ProxyAction, /the gateway answered HTTP 500 Internal Server Error: injected 500 \(page 2; gave up after 2 retries\)/],
    ['the connection dropped on page 2 (the gateway went away)', 'destroy' as ProxyAction, /network error talking to the gateway at .*: the connection was (closed before the answer was complete|reset) \(\w+\) \(page 2; gave up after 2 retries\)/],
    [
      'a partial answer on page 2 (data with errors: a subgraph failed)',
      { status: 200, body: JSON.stringify({ data: { tickets: null }, errors: [{ message: 'csat subgraph unavailable', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }) } as ProxyAction,
      /the gateway answered with an error: INTERNAL_SERVER_ERROR: csat subgraph unavailable \(page 2; gave up after 2 retries\)/,
    ],
  ])('mid-way: %s', async (_, action, message) => {
    const dir = await freshDir();
    const out = path.join(dir, 'tickets.csv');
    const res = await withProxy(
      (_n, after) => (after === null ? 'pass' : action),
      async (url, requests) => {
        const r = await runCli(['--endpoint', url, '--token', token, '--out', out, ...FAST_RETRY, ...PAGE]);
        expect(requests.filter((q) => q.after !== null)).toHaveLength(3); // page 2: the try and 2 retries
        return r;
      },
    );
    expect(res.code).toBe(1);
    const lines = res.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(message);
    expect(lines.at(-1)).toMatch(/; .*tickets\.csv not written$/);
    expect(await filesIn(dir)).toEqual([]);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s while waiting for page 2: the temporary file is removed, exit %i', async (signal, exitCode) => {
    const dir = await freshDir();
    const out = path.join(dir, 'tickets.csv');
    let during: string[] = [];
    const res = await withProxy(
      (_n, after) => (after === null ? 'pass' : 'hang'),
      (url, requests) =>
        runCli(['--endpoint', url, '--token', token, '--out', out, ...PAGE], {
          onSpawn: (child) => {
            // Once page 2 is asked for, page 1 is on its way to the temporary file.
            const poll = setInterval(() => {
              if (requests.length < 2) return;
              clearInterval(poll);
              void filesIn(dir).then((files) => {
                during = files;
                child.kill(signal);
              });
            }, 20);
          },
        }),
    );
    expect(during).toHaveLength(1);
    expect(during[0]).toMatch(/^\.tickets\.csv\.\d+\.[0-9a-f]+\.partial$/);
    expect(res.code).toBe(exitCode);
    expect(res.stderr).toBe(`csat-export: interrupted by ${signal}; ${out} not written\n`);
    expect(await filesIn(dir)).toEqual([]);
  });

  it("the rows read differ from the listing's totalCount (a ticket deleted during the export): exit 1, no file", async () => {
    const changing = randomUUID();
    const ids = await insertTickets(ctx.pool, changing, Array.from({ length: 12 }, (_, i) => ({ createdAt: new Date(base + i * 1000) })));
    const changingToken = await tokenFor(viewer('agent', changing));
    const dir = await freshDir();
    const out = path.join(dir, 'tickets.csv');
    // While page 2 is asked for, a ticket of page 3 goes away: page 1 counted 12, 11 are read.
    const plan = (n: number): ProxyAction => (n === 2 ? { before: async () => void (await ctx.pool.query('delete from ticket where id = $1', [ids[10]])) } : 'pass');
    const res = await withProxy(plan, (url) => runCli(['--endpoint', url, '--token', changingToken, '--out', out, ...PAGE]));
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      `csat-export: 11 tickets read but the listing counted 12 (totalCount): tickets were created or deleted during the export, or the listing skips or repeats rows; run it again; ${out} not written\n`,
    );
    expect(await filesIn(dir)).toEqual([]);
  });

  it('a missing output folder: exit 2 with one line naming it, before any request, nothing created', async () => {
    const dir = await freshDir();
    const res = await withProxy(
      () => 'pass',
      async (url, requests) => {
        const r = await runCli(['--endpoint', url, '--token', token, '--out', 'missing/dir/x.csv'], { cwd: dir });
        expect(requests).toHaveLength(0);
        return r;
      },
    );
    expect(res).toMatchObject({ code: 2, stdout: '', stderr: 'csat-export: folder does not exist: missing/dir\n' });
    expect(await filesIn(dir)).toEqual([]);
  });

  it('bad arguments: exit 2 with the reason and a pointer to --help, before any request', async () => {
    const res = await runCli(['--endpoint', ctx.sg.gatewayUrl, '--token', token, '--page-size', '5000']);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe("csat-export: --page-size must be between 1 and 1000 (got 5000)\nRun 'csat-export --help' for the options.\n");
    const bogus = await withProxy(
      () => 'pass',
      async (url, requests) => {
        const r = await runCli(['--endpoint', url, '--token', token, '--status', 'open,bogus']);
        expect(requests).toHaveLength(0);
        return r;
      },
    );
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toBe("csat-export: --status must be one of new, open, pending, resolved, closed (got 'bogus')\nRun 'csat-export --help' for the options.\n");
    const noToken = await runCli(['--endpoint', ctx.sg.gatewayUrl]);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/^csat-export: no token: pass --token <jwt> or set CSAT_EXPORT_TOKEN\n/);
  });
});

describe('stdout is flushed before the process exits', () => {
  const bulk = randomUUID();
  let bulkToken: string;
  /** 240 tickets with comments of 500..900 characters: about 240 KB of CSV, far more than a pipe holds (64 KiB). */
  const BULK = ['--page-size', '80'];
  const at = (i: number) => new Date(base + i * 1000);
  beforeAll(async () => {
    const text = 'Helpful, "quick" and kind; thanks!\r\nSecond line. ';
    await insertTickets(
      ctx.pool,
      bulk,
      Array.from({ length: 240 }, (_, i) => ({ createdAt: at(i), rating: { rating: 1 + (i % 5), comment: text.repeat(20).slice(0, 500 + ((i * 37) % 400)) } })),
    );
    bulkToken = await tokenFor(viewer('agent', bulk));
  });

  /** The exporter's stdout through a slow reader process: what the reader received, and the exporter's result. */
  async function throughSlowReader(args: string[], stopAfter?: number): Promise<{ res: Awaited<ReturnType<typeof runCli>>; bytes: Buffer }> {
    const file = path.join(await freshDir(), 'piped.csv');
    const reader = slowReader(file, { stopAfter });
    const res = await runCli(args, { stdout: reader.stdin, onSpawn: () => reader.release(), env: { CSAT_EXPORT_TOKEN: bulkToken } });
    expect(await reader.exit).toBe(0);
    return { res, bytes: await readFile(file) };
  }

  async function fileExport(args: string[]): Promise<Buffer> {
    const out = path.join(await freshDir(), 'tickets.csv');
    const res = await runCli(['--endpoint', ctx.sg.gatewayUrl, '--token', bulkToken, '--out', out, '--quiet', ...BULK, ...args]);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    return readFile(out);
  }

  it('on success: a slow reader gets every byte, the same bytes as the file export', async () => {
    const expected = await fileExport([]);
    expect(expected.length).toBeGreaterThan(200_000);
    const { res, bytes } = await throughSlowReader(['--endpoint', ctx.sg.gatewayUrl, ...BULK]);
    expect(res.stderr).toMatch(/^csat-export: 240 rows \(240 rated\) in \d+\.\d s → stdout\n$/);
    expect(res.code).toBe(0);
    expect(bytes.length).toBe(expected.length);
    expect(bytes.equals(expected)).toBe(true);
  });

  it('on a failure mid-way: the rows written so far reach the reader (no final line break), exit 1', async () => {
    // The first 160 tickets (pages 1 and 2) as a file, less its final CRLF: what stdout must carry when page 3 fails.
    const firstTwoPages = (await fileExport(['--until', at(160).toISOString()])).subarray(0, -2);
    const { res, bytes } = await withProxy(
      (n) => (n <= 2 ? 'pass' : { status: 500 }),
      (url) => throughSlowReader(['--endpoint', url, '--quiet', '--retries', '0', ...BULK]),
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      'csat-export: the gateway answered HTTP 500 Internal Server Error: injected 500 (page 3; no retries allowed); the CSV on stdout is not a complete export\n',
    );
    expect(bytes.length).toBe(firstTwoPages.length);
    expect(bytes.equals(firstTwoPages)).toBe(true);
  });

  it('a reader that goes away (| head): exit 141 silently, like SIGPIPE', async () => {
    const { res, bytes } = await throughSlowReader(['--endpoint', ctx.sg.gatewayUrl, ...BULK], 4096);
    expect(bytes.length).toBe(4096);
    expect(res).toMatchObject({ code: 141, stderr: '' });
  });
});

describe.skipIf(!HAS_SCRIPT)('the progress bar on a terminal (a real pseudo-terminal, util-linux script)', () => {
  // cli-progress hides the cursor when it starts a bar: a sure sign of one, whatever its text.
  const HIDE_CURSOR = '\x1b[?25l';

  it('the CSV on the terminal: no bar drawn into it; the CSV and the summary line only', async () => {
    const { code, screen } = await runOnTerminal(['--endpoint', ctx.sg.gatewayUrl, ...PAGE], { env: { CSAT_EXPORT_TOKEN: token } });
    expect(code).toBe(0);
    expect(screen).toContain(HEADER);
    expect(screen).toMatch(/csat-export: 12 rows \(6 rated\) in \d+\.\d s → stdout/);
    expect(screen).not.toContain('exporting');
    expect(screen).not.toContain(HIDE_CURSOR);
  });

  it('the CSV piped (here to a file), stderr on the terminal: the bar is shown', async () => {
    const out = path.join(await freshDir(), 'piped.csv');
    const { code, screen } = await runOnTerminal(['--endpoint', ctx.sg.gatewayUrl, ...PAGE], { env: { CSAT_EXPORT_TOKEN: token }, stdoutTo: out });
    expect(code).toBe(0);
    expect(screen).toContain(HIDE_CURSOR);
    expect(screen).toMatch(/exporting .*tickets/);
    expect(screen).not.toContain(HEADER);
    expect(parseCsv(await readFile(out, 'utf8')).rows).toEqual(await expectedCsv(ctx.pool, ws));
  });
});

it('--help lists the statuses --status accepts', async () => {
  const res = await runCli(['--help']);
  expect(res.code).toBe(0);
  expect(res.stdout).toMatch(/--status <s>\[,<s>…\] +only these statuses, of: new, open, pending, resolved, closed; repeatable\n/);
});

describe('the bin', () => {
  /** A copy of the package's bin in a folder of its own, as an installed package has it. */
  async function binCopy(): Promise<{ dir: string; bin: string }> {
    const dir = await freshDir();
    await mkdir(path.join(dir, 'bin'));
    await writeFile(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    await copyFile(BIN, path.join(dir, 'bin', 'csat-export.js'));
    return { dir, bin: path.join(dir, 'bin', 'csat-export.js') };
  }

  it('runs the compiled entry beside it (dist/src/export/export.cli.js), not TypeScript', async () => {
    const { dir, bin } = await binCopy();
    await mkdir(path.join(dir, 'dist', 'src', 'export'), { recursive: true });
    await writeFile(path.join(dir, 'dist', 'src', 'export', 'export.cli.js'), "process.stdout.write(`compiled entry, args ${process.argv.slice(2).join(' ')}\\n`);\n");
    const res = await runCli(['--help'], { bin });
    expect(res).toMatchObject({ code: 0, stdout: 'compiled entry, args --help\n', stderr: '' });
  });

  it('without a build: one line saying to run npm run build, exit 1', async () => {
    const { bin } = await binCopy();
    const res = await runCli(['--help'], { bin });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe('csat-export: the exporter is not built (dist/src/export/export.cli.js is missing); run `npm run build` first\n');
    expect(res.stdout).toBe('');
  });
});

// Command-line arguments → validated export settings. Pure: the environment is passed in by the caller.
import { parseArgs } from 'node:util';
import { readInstant } from '../federation/instant.parser.js';
import { UsageError } from './export.errors.js';
import type { ListingQuery } from './export.query.js';
import type { ExportOptions } from './export.run.js';
import { DEFAULT_RETRY_POLICY } from './retry.policy.js';
import type { TicketFilter } from './tickets.pager.js';

/** The reference listing's TicketStatus values; checked here so a typo fails before any request. */
export const TICKET_STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;

export const USAGE = `csat-export: write every ticket, with csat_rating, csat_comment and csat_rated_at, as CSV

usage: csat-export --endpoint <gateway url> [--token <jwt>] [--out <file.csv>] [options]
       npm run export -- <the same options>

  --endpoint <url>          the gateway's GraphQL URL, e.g. http://127.0.0.1:4000/ (required)
  --token <jwt>             bearer token; default: the CSAT_EXPORT_TOKEN environment variable
                            (prefer the variable: arguments are visible to other local users)
  --out <file>              the CSV file, written whole or not at all; '-' or absent: stdout
  --page-size <n>           tickets per request, 1..1000 (default 500)
  --status <s>[,<s>…]       only these statuses, of: ${TICKET_STATUSES.join(', ')}; repeatable
  --assignee <id>           only tickets assigned to this user
  --since <time>            created at or after (RFC 3339, e.g. 2025-01-31T00:00:00Z, or a date: UTC midnight)
  --until <time>            created before (same format)
  --rated-only              only tickets with a CSAT rating
  --bom                     start the file with a UTF-8 byte order mark (Excel)
  --quiet, -q               no progress bar and no summary line (errors are still printed)
  --query <file.graphql>    the listing query, for a helpdesk whose listing differs (see the README)
  --connection-path <path>  dot path of the connection in the query's data (default: tickets)
  --retries <n>             retries of a failed request, 0..10 (default ${DEFAULT_RETRY_POLICY.retries}): network errors, HTTP 5xx and 429
  --retry-delay <ms>        first backoff delay, doubled per retry, with jitter (default ${DEFAULT_RETRY_POLICY.baseDelayMs})
  --timeout <seconds>       per request (default 60)
  --help, -h                this text

Exit status: 0 done; 1 the export failed (nothing written under --out); 2 bad arguments; 130/143 interrupted.`;

/** What the command line says: the run's options (export.run.ts) less what the CLI builds itself, plus its own flags. */
export interface CliSettings extends Omit<ExportOptions, 'query' | 'signal' | 'stdout' | 'onProgress' | 'onRetry'> {
  help: boolean;
  quiet: boolean;
  queryFile?: string;
  /** Hidden (the benchmark): print the process's peak RSS and timings as JSON on stderr at the end. */
  stats: boolean;
}

export const MAX_PAGE_SIZE = 1000;

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new UsageError(`${name} must be a whole number (got '${raw}')`);
  const n = Number(raw);
  if (n < min || n > max) throw new UsageError(`${name} must be between ${min} and ${max} (got ${n})`);
  return n;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** RFC 3339 date-time (with Z or an offset) or full-date (UTC midnight), as a UTC ISO string. */
export function parseTimeBound(name: string, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (!DATE_ONLY.test(text) && !DATE_TIME.test(text)) {
    throw new UsageError(`${name} must be an RFC 3339 time such as 2025-01-31T00:00:00Z, or a date such as 2025-01-31 (got '${raw}')`);
  }
  // The parser of client instants (years 0001-9999, real days: Date.parse would take 2025-02-30 for March 2).
  const r = readInstant(DATE_ONLY.test(text) ? `${text}T00:00:00Z` : text.replace(' ', 'T'));
  if (!r.ok) throw new UsageError(`${name} is not a valid time (got '${raw}'): ${r.why}`);
  return r.date.toISOString();
}

function endpointUrl(raw: string | undefined): string {
  if (!raw) throw new UsageError('--endpoint is required (the gateway URL, e.g. http://127.0.0.1:4000/)');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--endpoint is not a URL: '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--endpoint must be http or https (got ${url.protocol})`);
  if (url.username || url.password) throw new UsageError('--endpoint must not carry credentials; pass the token with --token or CSAT_EXPORT_TOKEN');
  return url.toString();
}

/** Parses argv (without node and script); `envToken` is CSAT_EXPORT_TOKEN as the CLI entry read it. */
export function parseCliArgs(argv: string[], envToken: string | undefined): CliSettings {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        endpoint: { type: 'string' },
        token: { type: 'string' },
        out: { type: 'string' },
        'page-size': { type: 'string' },
        status: { type: 'string', multiple: true },
        assignee: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        'rated-only': { type: 'boolean' },
        bom: { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        query: { type: 'string' },
        'connection-path': { type: 'string' },
        retries: { type: 'string' },
        'retry-delay': { type: 'string' },
        timeout: { type: 'string' },
        stats: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]!);
  }
  const base = {
    bom: values.bom ?? false,
    quiet: values.quiet ?? false,
    ratedOnly: values['rated-only'] ?? false,
    stats: values.stats ?? false,
  };
  if (values.help) {
    return { ...base, help: true, endpoint: '', token: '', pageSize: 0, filter: {}, connectionPath: '', retry: DEFAULT_RETRY_POLICY, timeoutMs: 0 };
  }

  const endpoint = endpointUrl(values.endpoint);
  const token = (values.token ?? envToken ?? '').trim();
  if (!token) throw new UsageError('no token: pass --token <jwt> or set CSAT_EXPORT_TOKEN');
  if (/\s/.test(token)) throw new UsageError('the token must be one word (pass the JWT itself, without "Bearer ")');

  const filter: TicketFilter = {};
  const statuses = [...new Set((values.status ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean))];
  if (values.status && !statuses.length) throw new UsageError('--status needs at least one status');
  const unknown = statuses.filter((s) => !(TICKET_STATUSES as readonly string[]).includes(s));
  if (unknown.length) throw new UsageError(`--status must be one of ${TICKET_STATUSES.join(', ')} (got '${unknown.join("', '")}')`);
  if (statuses.length) filter.status = statuses;
  if (values.assignee !== undefined) {
    const assignee = values.assignee.trim();
    if (!assignee) throw new UsageError('--assignee needs a user id');
    filter.assigneeId = assignee;
  }
  const since = parseTimeBound('--since', values.since);
  const until = parseTimeBound('--until', values.until);
  if (since && until && since >= until) throw new UsageError('--since must be before --until');
  if (since) filter.createdSince = since;
  if (until) filter.createdUntil = until;

  const connectionPath = (values['connection-path'] ?? 'tickets').trim();
  if (!/^[_A-Za-z][_0-9A-Za-z]*(\.[_A-Za-z][_0-9A-Za-z]*)*$/.test(connectionPath)) {
    throw new UsageError(`--connection-path must be field names joined by dots, e.g. viewer.tickets (got '${connectionPath}')`);
  }
  if (values.out !== undefined && values.out.trim() === '') throw new UsageError("--out needs a file name (or '-' for stdout)");

  return {
    ...base,
    help: false,
    endpoint,
    token,
    out: values.out,
    pageSize: integer('--page-size', values['page-size'], 500, 1, MAX_PAGE_SIZE),
    filter,
    queryFile: values.query,
    connectionPath,
    retry: {
      ...DEFAULT_RETRY_POLICY,
      retries: integer('--retries', values.retries, DEFAULT_RETRY_POLICY.retries, 0, 10),
      baseDelayMs: integer('--retry-delay', values['retry-delay'], DEFAULT_RETRY_POLICY.baseDelayMs, 0, 60_000),
    },
    timeoutMs: integer('--timeout', values.timeout, 60, 1, 3600) * 1000,
  };
}

/** The export's settings from parsed arguments and the loaded listing query (what the CLI passes to runExport). */
export function exportOptions(s: CliSettings, query: ListingQuery): ExportOptions {
  return {
    endpoint: s.endpoint,
    token: s.token,
    out: s.out,
    pageSize: s.pageSize,
    filter: s.filter,
    ratedOnly: s.ratedOnly,
    bom: s.bom,
    query,
    connectionPath: s.connectionPath,
    retry: s.retry,
    timeoutMs: s.timeoutMs,
  };
}

// One export, without process concerns (argv, environment, signals, exit codes: export.cli.ts):
// listing pages in, CSV out in pieces of many rows, awaiting the output's drain so memory stays flat.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { toCsvRow } from './csv.columns.js';
import { openFileOutput, stdoutOutput, type CsvOutput } from './csv.output.js';
import { CHUNK_CHARS, CSV_EOL, csvHeader, csvRecord } from './csv.writer.js';
import { abortReason, ExportError, UsageError } from './export.errors.js';
import type { ListingQuery } from './export.query.js';
import { GatewayClient, type RetryEvent } from './gateway.client.js';
import type { RetryPolicy } from './retry.policy.js';
import { fetchPages, type TicketFilter } from './tickets.pager.js';

export interface ExportOptions {
  endpoint: string;
  token: string;
  /** A file path; undefined or '-' writes to `stdout`. */
  out?: string;
  pageSize: number;
  filter: TicketFilter;
  /** Only tickets with a rating (filtered here: the listing cannot filter on CSAT). */
  ratedOnly: boolean;
  bom: boolean;
  query: ListingQuery;
  connectionPath: string;
  retry: RetryPolicy;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Where '-' writes (default process.stdout); never ended nor destroyed here. */
  stdout?: Writable;
  onProgress?: (p: ExportProgress) => void;
  onRetry?: (e: RetryEvent) => void;
}

export interface ExportProgress {
  /** Tickets read from the listing. */
  scanned: number;
  /** Rows written (fewer than scanned with ratedOnly). */
  rows: number;
  /** The listing's totalCount, when it gives one. */
  total?: number;
}

export interface ExportSummary {
  rows: number;
  rated: number;
  scanned: number;
  pages: number;
  seconds: number;
  out: string;
}

/**
 * The rows read must be the listing's own count (its first page's totalCount), or the file is not the
 * listing: tickets created or deleted during the export, or a listing that skips or repeats rows.
 */
export function checkCount(scanned: number, total: number | undefined, final: boolean): void {
  if (total === undefined || scanned === total || (!final && scanned < total)) return;
  throw new ExportError(
    `${scanned}${final ? '' : ' or more'} tickets read but the listing counted ${total} (totalCount): tickets were created or deleted during the export, or the listing skips or repeats rows; run it again`,
  );
}

export function hasFilter(f: TicketFilter): boolean {
  return Boolean(f.status?.length || f.assigneeId || f.createdSince || f.createdUntil);
}

/** Resolves when `stream` can take more; rejects when it fails or the export is aborted meanwhile. */
async function drained(stream: Writable, failed: Promise<never>, signal?: AbortSignal): Promise<void> {
  const wait = new AbortController();
  const aborted = signal
    ? new Promise<never>((_, reject) => {
        if (signal.aborted) reject(abortReason(signal));
        signal.addEventListener('abort', () => reject(abortReason(signal)), { once: true, signal: wait.signal });
      })
    : undefined;
  try {
    await Promise.race([once(stream, 'drain', { signal: wait.signal }), failed, ...(aborted ? [aborted] : [])]);
  } finally {
    wait.abort();
  }
}

export async function runExport(opts: ExportOptions): Promise<ExportSummary> {
  const started = performance.now();
  if (hasFilter(opts.filter) && !opts.query.variables.has('filter')) {
    throw new UsageError(`${opts.query.source} does not declare $filter, so --status, --assignee, --since and --until cannot be passed`);
  }
  const toStdout = opts.out === undefined || opts.out === '-';
  const output: CsvOutput = toStdout ? stdoutOutput(opts.stdout) : await openFileOutput(opts.out!);
  const out = output.stream;
  // The output's first error, as a rejection every wait below races against.
  const failed = new Promise<never>((_, reject) => out.on('error', reject));
  failed.catch(() => {});
  const write = async (text: string) => {
    if (!out.write(Buffer.from(text, 'utf8'))) await drained(out, failed, opts.signal);
  };
  const client = new GatewayClient({
    endpoint: opts.endpoint,
    token: opts.token,
    retry: opts.retry,
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    onRetry: opts.onRetry,
  });
  const counts = { rows: 0, rated: 0, scanned: 0, pages: 0 };
  try {
    await write(csvHeader({ bom: opts.bom }));
    const pages = fetchPages({ client, query: opts.query, connectionPath: opts.connectionPath, pageSize: opts.pageSize, filter: opts.filter });
    let total: number | undefined;
    for await (const page of pages) {
      counts.pages++;
      if (page.number === 1) total = page.totalCount;
      let text = '';
      for (const node of page.nodes) {
        const row = toCsvRow(node);
        counts.scanned++;
        const rated = row.csat_rating !== undefined;
        if (opts.ratedOnly && !rated) continue;
        counts.rows++;
        if (rated) counts.rated++;
        text += csvRecord(row);
        if (text.length >= CHUNK_CHARS) {
          await write(text);
          text = '';
        }
      }
      // The rest of the page now: a page's rows reach the output without waiting for the next page.
      if (text) await write(text);
      opts.onProgress?.({ scanned: counts.scanned, rows: counts.rows, total: page.totalCount });
      checkCount(counts.scanned, total, false);
    }
    if (opts.signal?.aborted) throw abortReason(opts.signal);
    checkCount(counts.scanned, total, true);
    out.end(CSV_EOL);
    await Promise.race([finished(out), failed]);
    await output.commit();
  } catch (err) {
    if (output.keepsPartial && !out.destroyed) {
      // stdout: the pages already written still go out, but not the final line break of a complete export.
      out.end();
      await Promise.race([finished(out), failed]).catch(() => {});
    }
    await output.discard();
    throw err;
  }
  return { ...counts, seconds: (performance.now() - started) / 1000, out: output.name };
}

// csat-export's process: arguments and the one read of the environment, signals, progress, the summary
// line and exit codes. The export itself is export.run.ts.
import { InterruptedError, ExportError, UsageError } from './export.errors.js';
import { exportOptions, parseCliArgs, USAGE, type CliSettings } from './export.options.js';
import { loadListingQuery } from './export.query.js';
import { flushed } from './csv.output.js';
import { runExport, type ExportSummary } from './export.run.js';
import { createProgress, showsBar } from './progress.js';

const NAME = 'csat-export';

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function summaryLine(s: ExportSummary, settings: CliSettings): string {
  const scanned = settings.ratedOnly ? ` of ${fmt(s.scanned)} tickets read` : '';
  return `${NAME}: ${fmt(s.rows)} rows (${fmt(s.rated)} rated${scanned}) in ${s.seconds.toFixed(1)} s → ${s.out}`;
}

async function main(argv: string[], envToken: string | undefined): Promise<number> {
  let settings: CliSettings;
  try {
    settings = parseCliArgs(argv, envToken);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${NAME}: ${err.message}\nRun '${NAME} --help' for the options.\n`);
      return err.exitCode;
    }
    throw err;
  }
  if (settings.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const controller = new AbortController();
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    // A second signal while cleaning up: stop now.
    if (controller.signal.aborted) process.exit(new InterruptedError(signal).exitCode);
    controller.abort(new InterruptedError(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const toFile = settings.out !== undefined && settings.out !== '-';
  const bar = showsBar({ quiet: settings.quiet, toFile, stdoutIsTTY: Boolean(process.stdout.isTTY), stderrIsTTY: Boolean(process.stderr.isTTY) });
  const progress = createProgress(process.stderr, { quiet: settings.quiet, bar });
  try {
    const query = await loadListingQuery(settings.queryFile);
    const summary = await runExport({
      ...exportOptions(settings, query),
      signal: controller.signal,
      onProgress: (p) => progress.update(p),
      onRetry: (e) => progress.note(`${NAME}: ${e.label}: ${e.reason}; retry ${e.retry} of ${settings.retry.retries} in ${(e.delayMs / 1000).toFixed(1)} s`),
    });
    progress.stop();
    if (!settings.quiet) process.stderr.write(`${summaryLine(summary, settings)}\n`);
    if (settings.stats) {
      const usage = process.resourceUsage();
      const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
      const stats = { rows: summary.rows, rated: summary.rated, pages: summary.pages, seconds: summary.seconds, cpuSeconds, maxRssKiB: usage.maxRSS };
      process.stderr.write(`${NAME} stats ${JSON.stringify(stats)}\n`);
    }
    return 0;
  } catch (err) {
    progress.stop();
    if ((err as NodeJS.ErrnoException)?.code === 'EPIPE') return 141; // the reader of stdout went away (`| head`): like SIGPIPE
    const where = toFile ? `${settings.out} not written` : 'the CSV on stdout is not a complete export';
    if (err instanceof ExportError) {
      const message = err instanceof UsageError ? err.message : `${err.message}; ${where}`;
      process.stderr.write(`${NAME}: ${message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`${NAME}: unexpected error: ${(err as Error)?.stack ?? String(err)}\n${NAME}: ${where}\n`);
    return 1;
  } finally {
    // The export is over: a signal while the exit waits for a slow reader of stdout ends the process at once.
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Exits once stdout and stderr have handed every byte to the OS: process.exit drops what a slow pipe reader has not taken yet. */
async function exit(code: number): Promise<never> {
  process.exitCode = code;
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

// During the export its sink takes stdout's errors (EPIPE: exit 141); after it, a reader gone away must not crash the exit.
process.stdout.on('error', () => {});

// The only place that reads the environment.
const envToken = process.env.CSAT_EXPORT_TOKEN;
main(process.argv.slice(2), envToken).then(exit, (err: unknown) => {
  process.stderr.write(`${NAME}: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
  return exit(1);
});

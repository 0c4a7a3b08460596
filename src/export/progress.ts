// The progress bar on stderr (cli-progress): only when stderr is a terminal, not --quiet, and the CSV is
// not being printed on a terminal itself (the bar would be drawn into it).
import cliProgress from 'cli-progress';
import type { ExportProgress } from './export.run.js';

export interface ProgressReporter {
  update(p: ExportProgress): void;
  /** A line above the bar (retry notices). */
  note(line: string): void;
  stop(): void;
}

const quietReporter: ProgressReporter = { update() {}, note() {}, stop() {} };

export interface ProgressContext {
  quiet: boolean;
  /** The CSV goes to a file (--out), not stdout. */
  toFile: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
}

/**
 * The rule (docs/export.md, "Progress and messages"): a bar needs stderr on a terminal; with the CSV on
 * stdout, stdout must not be a terminal too: both on a terminal is the CSV on screen, bar inside it.
 */
export function showsBar(c: ProgressContext): boolean {
  return !c.quiet && c.stderrIsTTY && (c.toFile || !c.stdoutIsTTY);
}

/** `stream` is stderr; notes go there too (as plain lines without a bar), unless quiet. */
export function createProgress(stream: NodeJS.WriteStream, opts: { quiet: boolean; bar: boolean }): ProgressReporter {
  if (opts.quiet) return quietReporter;
  if (!opts.bar) return { ...quietReporter, note: (line) => stream.write(`${line}\n`) };
  const started = performance.now();
  let bar: cliProgress.SingleBar | undefined;
  const rate = (n: number) => Math.round(n / Math.max((performance.now() - started) / 1000, 0.001));
  return {
    update({ scanned, rows, total }) {
      const payload = { rows, rate: rate(scanned) };
      if (!bar) {
        const known = total !== undefined;
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: known
              ? 'exporting {bar} {percentage}% | {value}/{total} tickets | {rows} rows | {rate} tickets/s | ETA {eta_formatted}'
              : 'exporting {value} tickets | {rows} rows | {rate} tickets/s',
            hideCursor: true,
            clearOnComplete: true,
            fps: 5,
            etaBuffer: 50,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total ?? 0, scanned, payload);
        return;
      }
      if (total !== undefined) bar.setTotal(total);
      bar.update(scanned, payload);
    },
    note(line) {
      stream.write(`\r\x1b[K${line}\n`);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

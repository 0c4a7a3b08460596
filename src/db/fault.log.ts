import type { Logger } from '../config/logger.js';

type Warn = Pick<Logger, 'warn'>;

interface Window {
  suppressed: number;
  last?: { log: Warn; fields: Record<string, unknown> };
  timer: NodeJS.Timeout;
}

/**
 * Fault lines that a storm would repeat thousands of times a second (a database restart fails every request
 * at once): each message is logged at most once per interval. The first occurrence is logged when it happens;
 * the ones after it within the interval are counted and logged as one line, with the fields of the last one
 * and `suppressed: n` (how many occurrences that line stands for), when the interval is over.
 */
export class FaultLog {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly intervalMs = 1000) {}

  warn(log: Warn, fields: Record<string, unknown>, msg: string): void {
    const open = this.windows.get(msg);
    if (open) {
      open.suppressed++;
      open.last = { log, fields };
      return;
    }
    log.warn(fields, msg);
    this.open(msg);
  }

  /** Logs what is still counted (at shutdown: the last second of a storm is not lost). */
  flush(): void {
    for (const msg of [...this.windows.keys()]) this.close(msg, false);
  }

  private open(msg: string): void {
    const timer = setTimeout(() => this.close(msg, true), this.intervalMs);
    timer.unref();
    this.windows.set(msg, { suppressed: 0, timer });
  }

  private close(msg: string, reopen: boolean): void {
    const w = this.windows.get(msg);
    if (!w) return;
    clearTimeout(w.timer);
    this.windows.delete(msg);
    if (!w.suppressed || !w.last) return;
    w.last.log.warn({ ...w.last.fields, suppressed: w.suppressed }, msg);
    // The line just logged starts a new interval: still at most one line per interval.
    if (reopen) this.open(msg);
  }
}

// One request at a time, timed: what bench:insights and bench:themes measure each item with.

/** The value at quantile `q` of ascending `sorted` (nearest rank). */
export const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

/**
 * Runs `once` `warmup` times unmeasured (JIT, plans, caches), then `samples` times one after another; the p50 and
 * p99 in ms, and the note the last call returned (what it answered, for the printed line).
 */
export async function sampleOneAtATime(once: () => Promise<string>, samples: number, warmup: number): Promise<{ p50: number; p99: number; note: string }> {
  let note = '';
  for (let i = 0; i < warmup; i++) note = await once();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    note = await once();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), note };
}

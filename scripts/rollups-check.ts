// `npm run rollups:check [-- --workspace <uuid>]`: every insights rollup row against the rows it sums
// (docs/insights.md, Rollups). Exit 0 with a one-line summary when they agree; exit 1 with one line per
// difference, naming the workspace and the day. Reads DATABASE_URL; runs from a production install as
// `node dist/scripts/rollups-check.js`.
import { checkRollups, describeDifference, describeGap } from '../src/insights/rollup.check.js';
import { pgSession } from '../src/insights/rollup.session.js';
import { rollupScript } from './rollups.options.js';

/** Enough lines to see the pattern; the count says how many there were. */
const MAX_LINES = 200;

await rollupScript('rollups:check', async (pool, workspace) => {
  const started = performance.now();
  const { differences, offerGaps, totals } = await checkRollups(pgSession(pool), workspace);
  const lines = [...differences.map(describeDifference), ...offerGaps.map(describeGap)];
  for (const line of lines.slice(0, MAX_LINES)) console.log(line);
  if (lines.length > MAX_LINES) console.log(`… and ${lines.length - MAX_LINES} more`);
  const covered = `${totals.rollupRows} rollup rows, ${totals.ratings} ratings, ${totals.offers} offers, ${totals.workspaces} workspace(s)`;
  const ms = `${Math.round(performance.now() - started)} ms`;
  if (lines.length) {
    console.log(`rollups:check: ${differences.length} rollup row(s) differ from the rows, ${offerGaps.length} offer gap(s) (${covered}; ${ms}); npm run rollups:rebuild repairs them`);
    return 1;
  }
  console.log(`rollups:check: every rollup row equals the rows it sums (${covered}; ${ms})`);
  return 0;
});

// `npm run rollups:rebuild [-- --workspace <uuid>]`: writes the insights rollups (and the offers ratings lack)
// again from the rows, one workspace and UTC month per short transaction, safe while the service runs
// (docs/insights.md, Rollups). Reads DATABASE_URL; from a production install: `node dist/scripts/rollups-rebuild.js`.
import { rebuildWorkspace, rollupWorkspaces } from '../src/insights/rollup.rebuild.js';
import { pgSession } from '../src/insights/rollup.session.js';
import { rollupScript } from './rollups.options.js';

await rollupScript('rollups:rebuild', async (pool, workspace) => {
  const db = pgSession(pool);
  const started = performance.now();
  const workspaces = workspace ? [workspace] : await rollupWorkspaces(db);
  let months = 0;
  for (const ws of workspaces) {
    const done = await rebuildWorkspace(db, ws);
    months += done.months;
    const offers = done.offersAdded || done.offersMarked ? `; offers: ${done.offersAdded} added, ${done.offersMarked} marked rated` : '';
    console.log(`workspace ${ws}: ${done.months} month(s) rebuilt in ${Math.round(done.ms)} ms${offers}`);
  }
  console.log(`rollups:rebuild: ${workspaces.length} workspace(s), ${months} month(s) in ${Math.round(performance.now() - started)} ms`);
  return 0;
});

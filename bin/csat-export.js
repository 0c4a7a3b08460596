#!/usr/bin/env -S node --max-semi-space-size=4
// csat-export: runs the compiled exporter (dist/, from `npm run build`), as production runs the server:
// JavaScript, no TypeScript loader at run time.
// --max-semi-space-size=4 (MiB) keeps V8's young generation from growing with the export's allocation
// rate, so the process's RSS stays flat whatever the row count (docs/export.md, "Memory"); the exporter
// waits on the network, so the smaller young generation costs no throughput.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/export/export.cli.js', import.meta.url);
// Checked first so a missing build reads as one line, not a module-resolution stack.
if (!existsSync(entry)) {
  process.stderr.write('csat-export: the exporter is not built (dist/src/export/export.cli.js is missing); run `npm run build` first\n');
  process.exitCode = 1;
} else {
  await import(entry.href);
}

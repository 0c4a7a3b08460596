#!/usr/bin/env -S node --max-semi-space-size=4
// csat-export: registers tsx's ESM loader (the project ships TypeScript) and runs the exporter's entry.
// --max-semi-space-size=4 (MiB) keeps V8's young generation from growing with the export's allocation
// rate, so the process's RSS stays flat whatever the row count (README, "CSV export"); the exporter
// waits on the network, so the smaller young generation costs no throughput.
import { register } from 'tsx/esm/api';

register();
await import('../src/export/export.cli.ts');

// Writes schema.graphql from the code (`npm run schema:print`); test/schema.test.ts fails when they differ.
import { writeFile } from 'node:fs/promises';
import { buildCsatSubgraphSchema } from '../src/server/subgraph.schema.js';

const { sdl } = await buildCsatSubgraphSchema();
const out = new URL('../schema.graphql', import.meta.url);
await writeFile(out, sdl);
console.log(`wrote ${out.pathname}`);

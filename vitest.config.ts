import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // One graphql for everything: vitest would otherwise load the ESM copy for our files and the CJS copy
    // for dependencies ("Cannot use GraphQLObjectType from another module or realm").
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/global.setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Concurrency and shutdown tests are real-time; a rerun would hide a flaky rule.
    retry: 0,
    // A poll ends as soon as its condition holds; the bound is for a loaded CI machine (1 s by default).
    expect: { poll: { timeout: 10_000 } },
  },
});

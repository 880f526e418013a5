import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The unit project: files that need no model, no index built by the engine, no network and no
 * spawned program (pure code, the seeds, WordNet from node_modules, temp files). `npm run test:unit`,
 * well under 30 s. Every other test file (a new one too, until it is listed here) is end to end.
 */
const UNIT_TESTS = [
  'test/answer/quote.test.ts',
  'test/bot/json-state.test.ts',
  'test/bot/scopes.test.ts',
  'test/bot/units.test.ts',
  'test/chunk/chunk.test.ts',
  'test/config/dashboard-config.test.ts',
  'test/config/shards-config.test.ts',
  'test/config/store-config.test.ts',
  'test/corpus/metadata.test.ts',
  'test/corpus/read.test.ts',
  'test/corpus/readers.test.ts',
  'test/corpus/source-file.test.ts',
  'test/corpus/write.test.ts',
  'test/dashboard/question-log.test.ts',
  'test/index/lexical-index.test.ts',
  'test/index/thesaurus.test.ts',
  'test/index/typo-lookup.test.ts',
  'test/render/discord.test.ts',
  'test/scripts/run-built.test.ts',
  'test/sources/address-rules.test.ts',
  'test/sources/sources-units.test.ts',
  'test/text/sentences.test.ts',
];

export default defineConfig({
  test: {
    // Generous, for 2 shared cores; the end-to-end tests log the real discord.js client in to a fake Discord and use the real model.
    testTimeout: 30_000,
    pool: 'forks',
    // One `vitest run` runs both projects and writes one report; CI's summary line reads it.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'test-results.json' },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: UNIT_TESTS },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...UNIT_TESTS],
          // Set-ups embed the seeds with the real model; a test that ingests twice takes ~20 s alone
          // on 2 cores, so 60 s keeps it from failing when the machine is shared (no time is asserted).
          hookTimeout: 120_000,
          testTimeout: 60_000,
          // Builds dist/ (the tests run the program as `npm start` does) and the models, once, before any file.
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});

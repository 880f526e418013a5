import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Two projects, by file name:
 * - e2e: every `*.e2e.test.ts` file: the real models, indexes, the network on loopback,
 *   spawned programs (`dist/`). Its set-up (test/global-setup.ts) builds dist/ and the models and
 *   the seed index once, before any of its files.
 * - unit: every other `*.test.ts` file: no model, no index, no network and no spawned program (pure
 *   code, the seeds, WordNet from node_modules, temp files). `npm run test:unit`, a few seconds.
 * A test that needs anything the unit project lacks goes in a `.e2e.test.ts` file.
 */
const E2E_TESTS = 'test/**/*.e2e.test.ts';

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
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, E2E_TESTS],
          // Pure code: no test mocks a module, stubs a global or sets the environment, so the files
          // share their workers' module cache instead of importing src/ again each (20 s → 8 s on 2
          // cores, most of it imports). A unit test that needs a fresh module graph belongs in e2e.
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: [E2E_TESTS],
          // A test that ingests twice takes ~20 s alone on 2 cores, so 60 s keeps it from failing
          // when the machine is shared (no time is asserted); the set-up builds the seed index.
          hookTimeout: 120_000,
          testTimeout: 60_000,
          // Builds dist/ (the tests run the program as `npm start` does), the models and the seed index, once, before any file.
          globalSetup: ['test/global-setup.ts'],
          // The files share their worker's module cache: src/, discord.js, transformers.js and
          // onnxruntime are imported once per worker, not once per file (~1 s of CPU and a fork
          // each). Each file still builds its own engines, bots, servers and workspaces, and no file
          // mocks a module, stubs a global or sets the environment.
          isolate: false,
        },
      },
    ],
  },
});

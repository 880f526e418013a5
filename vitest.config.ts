import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The end-to-end tests log the real discord.js client in to a fake Discord and use the real model.
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    // CI also writes a JSON report, from which .ci/run prints its one-line summary.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'test-results.json' },
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The end-to-end tests log the real discord.js client in to a fake Discord and use the real model.
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
  },
});

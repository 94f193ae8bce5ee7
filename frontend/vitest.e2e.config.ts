import { defineConfig } from 'vitest/config';

// End-to-end tests: a real Lectern server (fresh embedded database) serving the
// production build, driven through Debian's Chromium by playwright-core.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['e2e/server.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});

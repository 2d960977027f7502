import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Storm tests measure races on real processes: running test files side by side on a
    // 2-core machine would change the very timing they observe.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 600_000,
    reporters: ['default', './test/support/plain-summary-reporter.ts'],
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // src/web tests too: they cover the DOM-free modules of the browser app, in Node.
          include: ['src/**/*.test.ts'],
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          // One real control plane is shared by all files: run them one after another.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: 'e2e',
          // The built app (npm run build) in Debian's Chromium, driven by playwright-core.
          include: ['test/e2e/**/*.test.ts'],
          // The same kind of control plane as the integration tests, under a name of its own so
          // that both suites can run at the same time.
          globalSetup: ['test/integration/global-setup.ts'],
          env: { KUBEGLANCE_CLUSTER_NAME: 'kubeglance-e2e' },
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});

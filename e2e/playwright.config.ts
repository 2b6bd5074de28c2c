// Browser journeys: Playwright's test runner driving Debian's Chromium (no browser download)
// against the real harness, BFF and simulator, which global-setup.ts starts and stops.
import { defineConfig } from '@playwright/test';
import { E2E } from './support/env';

export default defineConfig({
  testDir: './tests',
  outputDir: './results/artifacts',
  globalSetup: './support/global-setup.ts',
  // One browser at a time: the machines have 2 cores and the simulator and BFF need them too.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  reporter: [['list'], ['json', { outputFile: 'results/report.json' }]],
  use: {
    baseURL: E2E.harnessUrl,
    testIdAttribute: 'data-test',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    viewport: { width: 1440, height: 900 },
    browserName: 'chromium',
    launchOptions: {
      executablePath: E2E.chromium,
      // The background-networking flags keep Chromium from calling hosts this network refuses.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
      ],
    },
  },
});

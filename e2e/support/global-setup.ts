// Starts the stack once for all journeys and returns its teardown. Also prints the browser and
// the Chromium build Playwright was made for: Debian moves on its own schedule, and a major
// apart is the first thing to suspect when the browser misbehaves.
import { chromium } from '@playwright/test';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { E2E } from './env';
import { readStack, root, startStack, stopStack } from './stack';

function playwrightChromium(): string {
  const file = path.join(root, 'node_modules/playwright-core/browsers.json');
  const browsers = (
    JSON.parse(readFileSync(file, 'utf8')) as {
      browsers: { name: string; browserVersion: string }[];
    }
  ).browsers;
  return browsers.find((b) => b.name === 'chromium')?.browserVersion ?? 'unknown';
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const browser = await chromium.launch({ executablePath: E2E.chromium, args: ['--no-sandbox'] });
  console.log(
    `Chromium ${browser.version()} at ${E2E.chromium}; Playwright was built for ${playwrightChromium()}`,
  );
  await browser.close();

  if (E2E.reuse) {
    console.log(`Reusing the stack in ${E2E.stateDir}`);
    return async () => {};
  }
  rmSync(E2E.stateDir, { recursive: true, force: true });
  const t0 = Date.now();
  await startStack({
    scenario: E2E.scenario,
    stateDir: E2E.stateDir,
    bffPort: E2E.bffPort,
    harnessPort: E2E.harnessPort,
  });
  console.log(`Simulator, BFF and harness up in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  // A journey may have restarted the BFF: stop whatever stack.json names now.
  return () => stopStack(readStack(E2E.stateDir));
}

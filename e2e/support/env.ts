// Where the journeys' stack lives: ports apart from the demo's (9000/9443) so both can run.
import path from 'node:path';
import { root } from './stack';

const harnessPort = Number(process.env.E2E_HARNESS_PORT ?? 19000);
const bffPort = Number(process.env.E2E_BFF_PORT ?? 19443);

export const E2E = {
  chromium: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  harnessPort,
  bffPort,
  harnessUrl: `http://127.0.0.1:${harnessPort}`,
  stateDir: process.env.E2E_STATE_DIR ?? path.join(root, 'e2e', 'results', 'stack'),
  /** Use the stack already running in stateDir (while writing journeys); leave it running. */
  reuse: process.env.E2E_REUSE === '1',
  scenario: path.join(root, 'e2e', 'scenario.yaml'),
  screenshots: path.join(root, 'e2e', 'results', 'screenshots'),
};
